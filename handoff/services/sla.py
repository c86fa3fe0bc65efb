"""The SLA sweep: reminders at half time, and on breach expiry, escalation and re-offer.

Runs every minute from beat and must be safe with two beats running at once: a reminder is
claimed with a conditional UPDATE, a breach under a skip-locked row lock re-checked after
locking, so each happens exactly once.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Handoff, Offer
from . import notify
from .offers import _close_open_offer, offer_handoff

BATCH = 500


@dataclass(frozen=True)
class SweepReport:
    reminded: int
    expired: int


def sweep_offers(*, now: datetime | None = None) -> SweepReport:
    """One SLA sweep: remind at half time, expire and re-offer on breach."""
    now = now or timezone.now()
    return SweepReport(reminded=send_reminders(now=now), expired=expire_overdue_offers(now=now))


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind each assignee once, when half their time to answer has gone."""
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(state=Offer.State.OPEN, remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now)
        .order_by("remind_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for offer_id in due:
        # The conditional update is the claim: of two sweeps only one changes the row.
        claimed = Offer.objects.filter(pk=offer_id, state=Offer.State.OPEN, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed:
            notify.reminder(Offer.objects.select_related("assignee").get(pk=offer_id))
            sent += 1
    return sent


def expire_overdue_offers(*, now: datetime | None = None) -> int:
    """Expire offers past their SLA, tell the manager, and re-offer to the next rep."""
    now = now or timezone.now()
    overdue = list(
        Handoff.objects.filter(state=Handoff.State.OFFERED, due_at__lt=now).values_list("pk", flat=True)[:BATCH]
    )
    expired = 0
    for handoff_id in overdue:
        with transaction.atomic():
            # Re-check under the lock: a second sweep running at the same time, or an
            # accept that just landed, must not expire the offer again.
            handoff = (
                Handoff.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=handoff_id, state=Handoff.State.OFFERED, due_at__lt=now)
                .select_related("team__manager", "assignee")
                .first()
            )
            if handoff is None:
                continue
            late_assignee = handoff.assignee
            _close_open_offer(handoff, Offer.State.EXPIRED, now)
            handoff.state = Handoff.State.EXPIRED
            handoff.save(update_fields=["state"])
            transaction.on_commit(
                lambda h=handoff, who=late_assignee: notify.breach(h, expired_assignee=who), robust=True
            )
            offer_handoff(handoff_id=handoff.pk, now=now)
            expired += 1
    return expired
