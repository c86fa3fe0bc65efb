"""The weekly digest to marketers: how sales judged last week's leads, and the best sources.

Idempotent per week: each marketer's DigestSent row is claimed (unique week + user) before
the mail goes out, so a second beat or a rerun sends nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.models import Handoff, Offer, RejectionReason
from handoff.roles import MARKETING
from marketing.models import Lead, LeadStageChange
from marketing.models import Stage as LeadStage

from ..models import DigestSent, Dimension, ScorecardRow

logger = logging.getLogger(__name__)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekSummary:
    starts: date
    ends: date
    mqls: int
    offered: int
    accepted: int
    rejected: int
    breaches: int
    won: int
    revenue: object
    reasons: list[tuple[str, int]]
    best_sources: list[ScorecardRow]


def summarise_week(*, starts: date) -> WeekSummary:
    """Numbers for the seven days from `starts` (local midnight to midnight)."""
    start = timezone.make_aware(datetime.combine(starts, time(0)))
    end = start + timedelta(days=7)
    decided = Handoff.objects.filter(decided_at__gte=start, decided_at__lt=end)
    counts = decided.aggregate(
        accepted=Count("pk", filter=Q(state=Handoff.State.ACCEPTED)),
        rejected=Count("pk", filter=Q(state=Handoff.State.REJECTED)),
    )
    reasons = (
        decided.filter(state=Handoff.State.REJECTED)
        .values_list("rejection_reason")
        .annotate(n=Count("*"))
        .order_by("-n", "rejection_reason")
    )
    won = Lead.objects.filter(outcome=Lead.Outcome.WON, outcome_at__gte=start, outcome_at__lt=end).aggregate(
        n=Count("*"), revenue=Sum("outcome_amount")
    )
    best = [
        row
        for row in ScorecardRow.objects.filter(dimension=Dimension.SOURCE, offered__gte=1)
        if row.offered_won_pct is not None
    ]
    best.sort(key=lambda row: (-row.offered_won_pct, row.lead_time_days or 1e9))
    return WeekSummary(
        starts=starts,
        ends=starts + timedelta(days=6),
        mqls=LeadStageChange.objects.filter(stage=LeadStage.MQL, entered_at__gte=start, entered_at__lt=end).count(),
        offered=Offer.objects.filter(offered_at__gte=start, offered_at__lt=end).count(),
        accepted=counts["accepted"],
        rejected=counts["rejected"],
        breaches=Offer.objects.filter(state=Offer.State.EXPIRED, decided_at__gte=start, decided_at__lt=end).count(),
        won=won["n"],
        revenue=won["revenue"] or 0,
        # A reason no longer offered (or written around the form) is shown as stored, not fatal to every digest.
        reasons=[(_label(reason), n) for reason, n in reasons],
        best_sources=best[:3],
    )


def _label(reason: str) -> str:
    return RejectionReason(reason).label if reason in RejectionReason.values else reason


def send_weekly_digests(*, today: date | None = None) -> int:
    """Send last week's digest to every marketer who has not had it yet; returns how many went.

    Beat runs it daily: the first run of a week sends, later runs retry only failed sends.
    """
    today = today or timezone.localdate()
    last_week = week_start(today) - timedelta(days=7)
    summary = summarise_week(starts=last_week)
    marketers = get_user_model().objects.filter(groups__name=MARKETING, is_active=True).exclude(email="")
    site = getattr(settings, "LEADFLOW_SITE_URL", "")
    body = render_to_string("insights/email/weekly_digest.txt", {"summary": summary, "site": site})
    subject = f"LeadFlow weekly: how sales judged your leads ({last_week:%b %-d}–{summary.ends:%b %-d})"
    sent = 0
    for user in marketers:
        try:
            with transaction.atomic():
                DigestSent.objects.create(week_starts=last_week, user=user, sent_at=timezone.now())
        except IntegrityError:
            continue  # already sent this week (another beat, or a rerun)
        try:
            send_mail(subject, body, None, [user.email])
            sent += 1
        except Exception:
            # Give the claim back: tomorrow's run (the task runs daily) tries again.
            DigestSent.objects.filter(week_starts=last_week, user=user).delete()
            logger.exception("could not send the weekly digest to %s", user.email)
    return sent
