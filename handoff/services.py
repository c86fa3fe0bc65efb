"""The seam: the only code that moves work between marketing and sales.

Marketing and sales never call each other; these functions call their services with
plain values. Every function here is safe to run twice (a redelivered task, two beats).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from marketing import services as marketing
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales import services as sales
from sales.models import Deal
from sales.models import Stage as DealStage

from .brief import build_brief
from .errors import OfferConflict
from .models import Feedback, Handoff, Offer, RejectionReason
from .routing import choose_team, pick_rep

logger = logging.getLogger(__name__)


def route_lead(*, lead_id: int, cycle: int) -> Handoff | None:
    """Create the lead's handoff for this qualification and offer it to a rep."""
    with transaction.atomic():
        lead = Lead.objects.filter(pk=lead_id).first()
        if lead is None or lead.stage != LeadStage.MQL or lead.recycle_count != cycle:
            return None  # no longer waiting for sales (accepted, recycled, deleted…)
        handoff, _ = Handoff.objects.get_or_create(lead=lead, cycle=cycle, defaults={"team": choose_team(lead)})
        return _offer(handoff.pk)


def _offer(handoff_id: int, *, now: datetime | None = None) -> Handoff | None:
    """Offer a queued or expired handoff to the next rep; a no-op for any other state."""
    now = now or timezone.now()
    handoff = Handoff.objects.select_for_update().get(pk=handoff_id)
    if handoff.state not in (Handoff.State.QUEUED, Handoff.State.EXPIRED):
        return handoff
    if handoff.team_id is None:
        handoff.team = choose_team(handoff.lead)
        handoff.save(update_fields=["team"])
        if handoff.team is None:
            return handoff  # no team yet: the sweep tries again
    previous = set(handoff.offers.values_list("assignee_id", flat=True))
    user_id = pick_rep(handoff.team, exclude_user_ids=previous)
    if user_id is None:
        return handoff  # nobody available right now: the sweep tries again
    due_at = now + timedelta(minutes=settings.LEADFLOW_OFFER_SLA_MINUTES)
    Offer.objects.create(handoff=handoff, assignee_id=user_id, offered_at=now, due_at=due_at)
    handoff.state = Handoff.State.OFFERED
    handoff.assignee_id = user_id
    handoff.offered_at = now
    handoff.due_at = due_at
    handoff.save(update_fields=["state", "assignee", "offered_at", "due_at"])
    transaction.on_commit(lambda: _notify_offered(handoff), robust=True)
    return handoff


def _decidable(handoff_id: int, by) -> Handoff:
    """Lock the handoff if `by` may decide it; someone else's offer does not exist for them."""
    if not by.has_perm("handoff.decide_offer"):
        raise PermissionDenied("Only sales can accept or reject offers.")
    handoff = Handoff.objects.visible_to(by).select_for_update(of=("self",)).select_related("lead").get(pk=handoff_id)
    if handoff.state != Handoff.State.OFFERED:
        raise OfferConflict(f"This offer is already {handoff.get_state_display().lower()}.")
    return handoff


def _close_open_offer(handoff: Handoff, state: str, now: datetime) -> None:
    handoff.offers.filter(state=Offer.State.OPEN).update(state=state, decided_at=now)


def _record_rating(handoff: Handoff, by, moment: str, rating: int | None, comment: str) -> None:
    if rating is None and not comment:
        return
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the lead from 1 to 5."})
    Feedback.objects.create(handoff=handoff, author=by, moment=moment, rating=rating, comment=comment[:1000])


def accept_offer(*, handoff_id: int, by, rating: int | None = None, comment: str = "") -> Handoff:
    """The assignee (or their manager) takes the lead: a deal opens, the lead becomes SAL."""
    now = timezone.now()
    with transaction.atomic():
        handoff = _decidable(handoff_id, by)
        lead = (
            Lead.objects.select_related("first_touch_campaign")
            .prefetch_related("touchpoints__campaign")
            .get(pk=handoff.lead_id)
        )
        deal = sales.open_deal(
            owner_id=handoff.assignee_id,
            team_id=handoff.team_id,
            title=f"{lead.company or lead.display_name}",
            contact_name=lead.display_name,
            contact_email=lead.email,
            contact_phone=lead.phone,
            company=lead.company,
            brief=build_brief(lead),
        )
        _close_open_offer(handoff, Offer.State.ACCEPTED, now)
        handoff.state = Handoff.State.ACCEPTED
        handoff.decided_at = now
        handoff.deal = deal
        handoff.save(update_fields=["state", "decided_at", "deal"])
        _record_rating(handoff, by, Feedback.Moment.ACCEPT, rating, comment)
        marketing.accept_lead(lead_id=lead.pk, owner_id=handoff.assignee_id)
    return handoff


def reject_offer(*, handoff_id: int, by, reason: str, note: str = "", rating: int | None = None) -> Handoff:
    """Sales sends the lead back with a reason; marketing nurtures it again."""
    note = note.strip()
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": "Choose why you are rejecting this lead."})
    if reason == RejectionReason.OTHER and not note:
        raise ValidationError({"note": "Say why, when the reason is Other."})
    now = timezone.now()
    with transaction.atomic():
        handoff = _decidable(handoff_id, by)
        _close_open_offer(handoff, Offer.State.REJECTED, now)
        handoff.state = Handoff.State.REJECTED
        handoff.decided_at = now
        handoff.rejection_reason = reason
        handoff.rejection_note = note[:500]
        handoff.save(update_fields=["state", "decided_at", "rejection_reason", "rejection_note"])
        _record_rating(handoff, by, Feedback.Moment.REJECT, rating, note)
        label = RejectionReason(reason).label + (f": {note}" if note else "")
        marketing.recycle_lead(lead_id=handoff.lead_id, reason=f"Rejected by sales — {label}")
    return handoff


def expire_overdue_offers(*, now: datetime | None = None) -> int:
    """Expire offers past their SLA, tell the manager, and re-offer to the next rep."""
    now = now or timezone.now()
    overdue = list(
        Handoff.objects.filter(state=Handoff.State.OFFERED, due_at__lt=now).values_list("pk", flat=True)[:500]
    )
    expired = 0
    for handoff_id in overdue:
        with transaction.atomic():
            # Re-check under the lock: a second sweep running at the same time, or an
            # accept that just landed, must not expire the offer again.
            handoff = (
                Handoff.objects.select_for_update(skip_locked=True)
                .filter(pk=handoff_id, state=Handoff.State.OFFERED, due_at__lt=now)
                .first()
            )
            if handoff is None:
                continue
            _close_open_offer(handoff, Offer.State.EXPIRED, now)
            handoff.state = Handoff.State.EXPIRED
            handoff.save(update_fields=["state"])
            transaction.on_commit(lambda h=handoff: _notify_breach(h), robust=True)
            _offer(handoff.pk, now=now)
            expired += 1
    return expired


def record_deal_outcome(*, deal_id: int) -> bool:
    """Write a closed deal's outcome back on marketing's lead, once per close."""
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().filter(deal_id=deal_id).first()
        if handoff is None:
            return False  # a deal sales opened by itself: nothing to tell marketing
        deal = Deal.objects.select_related("stage").get(pk=deal_id)
        if deal.closed_at is None or handoff.outcome_closed_at == deal.closed_at:
            return False
        marketing.record_outcome(
            lead_id=handoff.lead_id,
            won=deal.stage.kind == DealStage.Kind.WON,
            amount=deal.amount,
            closed_at=deal.closed_at,
            reason=deal.lost_reason,
        )
        handoff.outcome_closed_at = deal.closed_at
        handoff.save(update_fields=["outcome_closed_at"])
    return True


def sync_lead_stage(*, deal_id: int) -> None:
    """Mirror an open deal's progress on the lead: 2nd open stage → SQL, later → opportunity."""
    handoff = Handoff.objects.filter(deal_id=deal_id).first()
    if handoff is None:
        return
    deal = Deal.objects.select_related("stage").get(pk=deal_id)
    if deal.stage.is_closed:
        return  # the outcome path handles closed deals
    position = deal.pipeline.stages.filter(kind=DealStage.Kind.OPEN, order__lt=deal.stage.order).count()
    if position >= 1:
        stage = LeadStage.SQL if position == 1 else LeadStage.OPPORTUNITY
        marketing.advance_lead(lead_id=handoff.lead_id, stage=stage, reason=f"Deal moved to {deal.stage.name}")


@dataclass(frozen=True)
class ReconcileReport:
    routed: int
    offered: int
    outcomes: int


def reconcile(*, now: datetime | None = None) -> ReconcileReport:
    """Re-drive from database state whatever a lost message left undone."""
    now = now or timezone.now()
    settled_before = now - timedelta(seconds=settings.LEADFLOW_RECONCILE_GRACE_SECONDS)
    routed = offered = outcomes = 0
    # Qualified leads with no handoff for their current cycle.
    waiting = (
        Lead.objects.filter(stage=LeadStage.MQL, stage_changed_at__lt=settled_before)
        .exclude(pk__in=Handoff.objects.filter(cycle=F("lead__recycle_count")).values("lead_id"))
        .values_list("pk", "recycle_count")[:500]
    )
    for lead_id, cycle in waiting:
        routed += route_lead(lead_id=lead_id, cycle=cycle) is not None
    # Handoffs nobody could take earlier (no rep available, or an expired offer).
    stuck = Handoff.objects.filter(
        state__in=(Handoff.State.QUEUED, Handoff.State.EXPIRED), created_at__lt=settled_before
    ).values_list("pk", flat=True)[:500]
    for handoff_id in stuck:
        with transaction.atomic():
            offered += _offer(handoff_id).state == Handoff.State.OFFERED
    # Closed deals whose outcome never reached marketing.
    unreported = (
        Handoff.objects.filter(deal__closed_at__lt=settled_before)
        .filter(Q(outcome_closed_at__isnull=True) | ~Q(outcome_closed_at=F("deal__closed_at")))
        .values_list("deal_id", flat=True)[:500]
    )
    for deal_id in unreported:
        outcomes += record_deal_outcome(deal_id=deal_id)
    return ReconcileReport(routed=routed, offered=offered, outcomes=outcomes)


def _notify_offered(handoff: Handoff) -> None:
    user = handoff.assignee
    if user and user.email:
        send_mail(
            "New lead for you in LeadFlow",
            f"A new lead is waiting for you. Accept or reject it before {handoff.due_at:%Y-%m-%d %H:%M %Z}.",
            None,
            [user.email],
        )


def _notify_breach(handoff: Handoff) -> None:
    manager = handoff.team.manager if handoff.team else None
    if manager and manager.email:
        send_mail(
            "Lead offer breached its SLA",
            f"Handoff #{handoff.pk} was not answered in time and has been offered to the next rep.",
            None,
            [manager.email],
        )
