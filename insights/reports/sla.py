"""SLA metrics (median time to accept, share within SLA, breaches) and the two-sided SLA:
marketing's committed MQLs a month vs delivered, sales' share answered within the SLA vs
its target. "Within the SLA" means one thing everywhere: answered by the offer's own
deadline (`due_at`, set from the team's working minutes); the target is the teams' own
(handoff.services.sla.target_percent)."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from handoff.models import Commitment, Offer, TeamSettings
from handoff.services import weighted_target
from marketing.models import LeadStageChange
from marketing.models import Stage as LeadStage
from sales.models import Team

ANSWERED = (Offer.State.ACCEPTED, Offer.State.REJECTED)


@dataclass(frozen=True)
class OfferMetrics:
    offers: int  # offers that ended (answered or expired) in the period
    accepted: int
    rejected: int
    breaches: int
    within_sla: int
    median_accept_minutes: float | None
    open_now: int = 0

    @property
    def within_pct(self) -> float | None:
        return round(100 * self.within_sla / self.offers, 1) if self.offers else None


def offer_metrics(offers) -> OfferMetrics:
    """Metrics of an Offer queryset (already limited to a team and period by the caller)."""
    counts = offers.aggregate(
        ended=Count("pk", filter=~Q(state=Offer.State.OPEN)),
        accepted=Count("pk", filter=Q(state=Offer.State.ACCEPTED)),
        rejected=Count("pk", filter=Q(state=Offer.State.REJECTED)),
        breaches=Count("pk", filter=Q(state=Offer.State.EXPIRED)),
        within=Count("pk", filter=Q(state__in=ANSWERED, decided_at__lte=F("due_at"))),
        open_now=Count("pk", filter=Q(state=Offer.State.OPEN)),
    )
    minutes = list(
        offers.filter(state=Offer.State.ACCEPTED, response_minutes__isnull=False).values_list(
            "response_minutes", flat=True
        )
    )
    return OfferMetrics(
        offers=counts["ended"],
        accepted=counts["accepted"],
        rejected=counts["rejected"],
        breaches=counts["breaches"],
        within_sla=counts["within"],
        median_accept_minutes=statistics.median(minutes) if minutes else None,
        open_now=counts["open_now"],
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


@dataclass(frozen=True)
class MonthReport:
    month: date
    commitment: Commitment | None  # marketing's MQLs a month
    mqls: int
    answered: int
    within_sla: int  # answered by the offer's deadline
    offers_ended: int
    median_response_minutes: float | None
    target_percent: int  # the teams' targets, weighted by their offers that month

    @property
    def mql_pct(self) -> float | None:
        if not self.commitment or not self.commitment.mqls_per_month:
            return None
        return round(100 * self.mqls / self.commitment.mqls_per_month, 1)

    @property
    def mqls_met(self) -> bool | None:
        return None if self.commitment is None else self.mqls >= self.commitment.mqls_per_month

    @property
    def response_pct(self) -> float | None:
        return round(100 * self.within_sla / self.offers_ended, 1) if self.offers_ended else None

    @property
    def response_met(self) -> bool | None:
        return None if self.response_pct is None else self.response_pct >= self.target_percent


def two_sided_report(*, months: int = 6, today: date | None = None, offers=None) -> list[MonthReport]:
    """The last `months` months, oldest first; `offers` narrows sales' side (a manager's teams)."""
    today = today or timezone.localdate()
    offers = offers if offers is not None else Offer.objects.all()
    first = month_start(today)
    for _ in range(months - 1):
        first = month_start(first - timedelta(days=1))
    commitments = list(Commitment.objects.order_by("starts_on"))
    slas = TeamSettings.objects.slas(Team.objects.values_list("pk", flat=True))
    reports = []
    month = first
    while month <= today:
        start, end = _local_midnight(month), _local_midnight(next_month(month))
        commitment = next((c for c in reversed(commitments) if c.starts_on <= month), None)
        mqls = LeadStageChange.objects.filter(stage=LeadStage.MQL, entered_at__gte=start, entered_at__lt=end).count()
        ended = offers.filter(offered_at__gte=start, offered_at__lt=end).exclude(state=Offer.State.OPEN)
        answered = list(ended.filter(state__in=ANSWERED).values_list("response_minutes", "decided_at", "due_at"))
        by_team = dict(ended.values_list("handoff__team_id").annotate(n=Count("*")).order_by())
        minutes = [m for m, _decided, _due in answered if m is not None]
        reports.append(
            MonthReport(
                month=month,
                commitment=commitment,
                mqls=mqls,
                answered=len(answered),
                within_sla=sum(1 for _m, decided, due in answered if decided <= due),
                offers_ended=sum(by_team.values()),
                median_response_minutes=statistics.median(minutes) if minutes else None,
                target_percent=weighted_target(slas, by_team),
            )
        )
        month = next_month(month)
    return reports
