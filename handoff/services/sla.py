"""The SLA: where an offer's clock stands, the target for several teams, and the sweep.

There is one definition of the SLA: each team's working minutes and target share, on its
settings (TeamSettings.objects.slas). This module reads it for the inbox countdown and for
the dashboard's target line (`target_percent`), and enforces it in the sweep.

The sweep runs every minute from beat and must be safe with two beats running at once: a
reminder is claimed with a conditional UPDATE, a breach under a skip-locked row lock
re-checked after locking, so each happens exactly once.
"""

import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from sales.models import Team

from ..models import Handoff, Offer, TeamSettings
from ..models.settings import DEFAULT_TARGET_PERCENT, Sla
from . import notify
from .offers import close_open_offer, offer_handoff, unsellable, withdraw

logger = logging.getLogger(__name__)
BATCH = 500
TARGET_WINDOW = timedelta(days=30)


def target_percent(
    team_ids: list[int] | None = None, *, since: datetime | None = None, until: datetime | None = None
) -> int:
    """The share of offers (%) these teams aim to answer within their SLA; None: the whole company.

    One team: its own target. Several: each team's target weighted by the offers it ended
    (answered or expired) among those made in [since, until), by default the last 30 days.
    Those are the offers the compliance share beside it counts, so if every team meets its
    own target the company meets this one, and exactly on target gives exactly this. The
    strictest team's target instead would call a company late whose every team is on
    target. With no such offers: the strictest (highest) target, so none hides behind a
    laxer one.
    """
    ids = sorted(Team.objects.values_list("pk", flat=True) if team_ids is None else set(team_ids))
    if not ids:
        return DEFAULT_TARGET_PERCENT
    slas = TeamSettings.objects.slas(ids)
    until = until or timezone.now()
    since = since or until - TARGET_WINDOW
    ended = (
        Offer.objects.filter(handoff__team_id__in=ids, offered_at__gte=since, offered_at__lt=until)
        .exclude(state=Offer.State.OPEN)
        .values_list("handoff__team_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return weighted_target(slas, dict(ended))


def weighted_target(slas: dict[int, Sla], offers_by_team: dict[int, int]) -> int:
    """Targets weighted by offers (rounded half up); the strictest one when there are no offers."""
    counted = {team_id: n for team_id, n in offers_by_team.items() if team_id in slas and n}
    total = sum(counted.values())
    if not total:
        return max((sla.target_percent for sla in slas.values()), default=DEFAULT_TARGET_PERCENT)
    weighted = sum(slas[team_id].target_percent * n for team_id, n in counted.items())
    return math.floor(weighted / total + 0.5)


def working_time(left: timedelta) -> str:
    """Working time left in words: "1h 10m" (minutes rounded up, as a clock without seconds
    shows them), under an hour "9m 05s".

    static/js/handoff/countdown.js formats the same way, so the live clock takes over
    from the server's text without a jump.
    """
    seconds = max(0, int(left.total_seconds()))
    if seconds >= 3600:
        minutes = math.ceil(seconds / 60)
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{seconds // 60}m {seconds % 60:02d}s"


def _moment_label(moment: datetime, now: datetime) -> str:
    """A moment as "Tue 10:40" within the coming week; further off with the date ("Tue Mar 24, 10:40")."""
    if moment - now < timedelta(days=6):
        return f"{moment:%a %H:%M}"
    return f"{moment:%a %b} {moment.day}, {moment:%H:%M}"


@dataclass(frozen=True)
class Countdown:
    """Where an offer's SLA clock stands at `now`: in working time, told in the team's time zone."""

    due_at: datetime  # in the team's time zone
    due_label: str  # "Tue 10:40"
    left: timedelta  # working time until due_at
    total_minutes: int  # the team's SLA, for the "running out" colour
    windows: tuple[tuple[datetime, datetime, str], ...]  # working windows until due_at: start, end, start's label
    resumes_at: datetime | None  # outside working hours: when the clock runs again (team's zone)
    resumes_label: str
    overdue: bool

    @property
    def text(self) -> str:
        return "Overdue" if self.overdue else f"{working_time(self.left)} of working time left"

    @property
    def paused(self) -> bool:
        return self.resumes_at is not None

    @property
    def due_title(self) -> str:
        """The full due moment and whose clock it is: "Tuesday 17 March 2026, 10:40 (Europe/Berlin time)"."""
        zone = str(self.due_at.tzinfo).replace("_", " ")
        return f"{self.due_at:%A} {self.due_at.day} {self.due_at:%B %Y, %H:%M} ({zone} time)"

    @property
    def windows_json(self) -> str:
        """The windows for the live clock (static/js/handoff/countdown.js): ISO instants, start's label."""
        return json.dumps([[start.isoformat(), end.isoformat(), label] for start, end, label in self.windows])


def countdown(*, due_at: datetime, sla: Sla, now: datetime | None = None) -> Countdown:
    """The offer's clock at `now`: working time left until `due_at` in the team's hours, and,
    outside them, when the clock resumes. A fixed `now` makes it testable across nights."""
    now = now or timezone.now()
    hours, zone = sla.hours, sla.hours.zone
    windows = []
    if due_at > now:
        spans = [(now, due_at)] if hours.is_around_the_clock else hours.windows(now)
        for start, end in spans:
            if start >= due_at:
                break
            start, end = start.astimezone(zone), min(end, due_at).astimezone(zone)
            windows.append((start, end, _moment_label(start, now.astimezone(zone))))
    left = sum((end - start for start, end, _label in windows), timedelta())
    resumes = windows[0][0] if windows and windows[0][0] > now else None
    local_now = now.astimezone(zone)
    return Countdown(
        due_at=due_at.astimezone(zone),
        due_label=_moment_label(due_at.astimezone(zone), local_now),
        left=left,
        total_minutes=sla.minutes,
        windows=tuple(windows),
        resumes_at=resumes,
        resumes_label=windows[0][2] if resumes else "",
        overdue=due_at <= now,
    )


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
        try:
            sent += _remind(offer_id, now)
        except Exception:  # one bad row must not stop the sweep: logged, skipped
            logger.exception("SLA sweep: reminding about offer %s failed; skipped", offer_id)
    return sent


def _remind(offer_id: int, now: datetime) -> bool:
    # The conditional update is the claim: of two sweeps only one changes the row.
    claimed = Offer.objects.filter(pk=offer_id, state=Offer.State.OPEN, reminded_at__isnull=True).update(
        reminded_at=now
    )
    if claimed:
        notify.reminder(Offer.objects.select_related("assignee").get(pk=offer_id))
    return bool(claimed)


def expire_overdue_offers(*, now: datetime | None = None) -> int:
    """Expire offers past their SLA, tell the manager, and re-offer to the next rep."""
    now = now or timezone.now()
    overdue = list(
        Handoff.objects.filter(state=Handoff.State.OFFERED, due_at__lt=now).values_list("pk", flat=True)[:BATCH]
    )
    expired = 0
    for handoff_id in overdue:
        try:
            expired += _expire(handoff_id, now)
        except Exception:  # one bad row must not stop the sweep: logged, skipped
            logger.exception("SLA sweep: expiring handoff %s failed; skipped", handoff_id)
    return expired


def _expire(handoff_id: int, now: datetime) -> bool:
    with transaction.atomic():
        # Re-check under the lock: a second sweep running at the same time, or an
        # accept that just landed, must not expire the offer again.
        handoff = (
            Handoff.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=handoff_id, state=Handoff.State.OFFERED, due_at__lt=now)
            .select_related("team__manager", "assignee", "lead")
            .first()
        )
        if handoff is None:
            return False
        if gone := unsellable(handoff.lead):
            # Nobody could have taken it (accepting answers 409): no breach, no next rep.
            withdraw(handoff, why=gone, now=now)
            return False
        late_assignee = handoff.assignee
        close_open_offer(handoff, Offer.State.EXPIRED, now)
        handoff.state = Handoff.State.EXPIRED
        handoff.save(update_fields=["state"])
        transaction.on_commit(lambda h=handoff, who=late_assignee: notify.breach(h, expired_assignee=who), robust=True)
        offer_handoff(handoff_id=handoff.pk, now=now)
    return True
