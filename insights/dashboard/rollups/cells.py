"""Recompute the day × dimension cells of some days (or all) from the facts and raw rows.

Each family replaces its cells for the given days wholesale: delete, then INSERT … SELECT
the same GROUP BY a plain recomputation would run. A cell is therefore always exactly the
sum of its rows, however many refreshes came before.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import BigIntegerField, Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from handoff.models import Handoff, Offer

from ..models import (
    Cell,
    DealCell,
    DealFact,
    DurationCell,
    FunnelCell,
    LeadFact,
    LeadTimeCell,
    OfferCell,
    RejectionCell,
)
from .sql import WholeDays, insert_from

DIMENSIONS = {
    "grain": "g_grain",
    "day": "g_day",
    "team": "g_team",
    "rep": "g_rep",
    "channel": "g_channel",
    "campaign": "g_campaign",
}
GRAINS = (Cell.FINE, Cell.COARSE)
# A typed NULL: PostgreSQL reads a bare NULL parameter as text, which no id column takes.
NOBODY = Cast(Value(None), BigIntegerField())
# Funnel steps: (name, from time, to time) on LeadFact.
DURATION_STEPS = [
    ("lead-mql", "lead_at", "mql_at"),
    ("mql-sal", "mql_at", "sal_at"),
    ("sal-sql", "sal_at", "sql_at"),
    ("sql-opportunity", "sql_at", "opportunity_at"),
    ("opportunity-won", "opportunity_at", "won_at"),
]
ANSWERED = [Offer.State.ACCEPTED, Offer.State.REJECTED]
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _fact_groups(facts: QuerySet, grain: int, **extra) -> QuerySet:
    """Facts grouped into cells of one grain: every dimension, or without rep and campaign."""
    if grain == Cell.COARSE:
        people = {"g_rep": NOBODY, "g_campaign": NOBODY}
    else:
        people = {"g_rep": F("rep_id"), "g_campaign": F("campaign_id")}
    return facts.order_by().values(
        g_grain=Value(grain), g_day=F("day"), g_team=F("team_id"), g_channel=F("channel"), **people, **extra
    )


def _daily(model) -> QuerySet:
    """The model's day-by-day cells (not the monthly sums)."""
    return model.objects.filter(grain__in=GRAINS)


def _on_days(queryset: QuerySet, field: str, days: list[date] | None) -> QuerySet:
    """Rows whose `field` (a date) is one of `days`; all rows when days is None."""
    return queryset if days is None else queryset.filter(**{f"{field}__in": days})


def in_days(queryset: QuerySet, field: str, days: list[date] | None) -> QuerySet:
    """Rows whose timestamp `field` falls on one of `days` (local time), as index-friendly ranges."""
    if days is None:
        return queryset
    ranges = Q(pk__in=[])
    for first, last in _runs(sorted(set(days))):
        ranges |= Q(**{f"{field}__gte": _midnight(first), f"{field}__lt": _midnight(last + timedelta(days=1))})
    return queryset.filter(ranges)


def _runs(days: list[date]) -> Iterable[tuple[date, date]]:
    start = previous = None
    for day in days:
        if start is None:
            start = previous = day
        elif day == previous + timedelta(days=1):
            previous = day
        else:
            yield start, previous
            start = previous = day
    if start is not None:
        yield start, previous


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def funnel(days: list[date] | None) -> None:
    _on_days(_daily(FunnelCell), "day", days).delete()
    counts = {name: f"c_{name}" for name in ("leads", "mql", "sal", "sql", "opportunity", "won")}
    for grain in GRAINS:
        rows = _fact_groups(_on_days(LeadFact.objects.all(), "day", days), grain).annotate(
            c_leads=Count("pk"),
            c_mql=Count("mql_at"),
            c_sal=Count("sal_at"),
            c_sql=Count("sql_at"),
            c_opportunity=Count("opportunity_at"),
            c_won=Count("won_at"),
        )
        insert_from(FunnelCell, {**DIMENSIONS, **counts}, rows)

    _on_days(_daily(DurationCell), "day", days).delete()
    for step, start, end in DURATION_STEPS:
        facts = _on_days(LeadFact.objects.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}), "day", days)
        for grain in GRAINS:
            rows = _fact_groups(facts, grain, g_step=Value(step), g_days=WholeDays(F(start), F(end))).annotate(
                c=Count("pk")
            )
            insert_from(DurationCell, {**DIMENSIONS, "step": "g_step", "days": "g_days", "leads": "c"}, rows)


def deals(days: list[date] | None) -> None:
    _on_days(_daily(DealCell), "day", days).delete()
    closed = _on_days(DealFact.objects.filter(outcome__in=["won", "lost"]), "day", days)
    columns = {"won": "c_won", "won_amount": "c_won_amount", "lost": "c_lost", "lost_amount": "c_lost_amount"}
    for grain in GRAINS:
        rows = _fact_groups(closed, grain).annotate(
            c_won=Count("pk", filter=Q(outcome="won")),
            c_won_amount=Coalesce(Sum("amount", filter=Q(outcome="won")), Value(0), output_field=MONEY),
            c_lost=Count("pk", filter=Q(outcome="lost")),
            c_lost_amount=Coalesce(Sum("amount", filter=Q(outcome="lost")), Value(0), output_field=MONEY),
        )
        insert_from(DealCell, {**DIMENSIONS, **columns}, rows)

    _on_days(_daily(LeadTimeCell), "day", days).delete()
    won = _on_days(DealFact.objects.filter(outcome="won", mql_at__isnull=False), "day", days)
    for grain in GRAINS:
        rows = _fact_groups(won, grain, g_days=WholeDays(F("mql_at"), F("closed_at"))).annotate(c=Count("pk"))
        insert_from(LeadTimeCell, {**DIMENSIONS, "days": "g_days", "deals": "c"}, rows)


def _raw_groups(queryset: QuerySet, grain: int, *, day, team, rep, channel, campaign, **extra) -> QuerySet:
    """Raw rows (offers, handoffs) grouped into cells of one grain."""
    if grain == Cell.COARSE:
        rep = campaign = NOBODY
    return queryset.order_by().values(
        g_grain=Value(grain), g_day=day, g_team=team, g_rep=rep, g_channel=channel, g_campaign=campaign, **extra
    )


def offers(days: list[date] | None) -> None:
    """Offers by the day they were made, to whom, and how they ended (handoff's SLA rules)."""
    _on_days(_daily(OfferCell), "day", days).delete()
    answered = Q(state__in=ANSWERED)
    columns = {
        "offers": "c_offers",
        "within_sla": "c_within",
        "late": "c_late",
        "expired": "c_expired",
        "open": "c_open",
    }
    for grain in GRAINS:
        rows = _raw_groups(
            in_days(Offer.objects.all(), "offered_at", days),
            grain,
            day=TruncDate("offered_at"),
            team=F("handoff__team_id"),
            rep=F("assignee_id"),
            channel=F("handoff__lead__source"),
            campaign=F("handoff__lead__first_touch_campaign_id"),
        ).annotate(
            c_offers=Count("pk"),
            c_within=Count("pk", filter=answered & Q(decided_at__lte=F("due_at"))),
            c_late=Count("pk", filter=answered & Q(decided_at__gt=F("due_at"))),
            c_expired=Count("pk", filter=Q(state=Offer.State.EXPIRED)),
            c_open=Count("pk", filter=Q(state=Offer.State.OPEN)),
        )
        insert_from(OfferCell, {**DIMENSIONS, **columns}, rows)


def rejections(days: list[date] | None) -> None:
    _on_days(_daily(RejectionCell), "day", days).delete()
    rejected = in_days(
        Handoff.objects.filter(state=Handoff.State.REJECTED, decided_at__isnull=False), "decided_at", days
    )
    for grain in GRAINS:
        rows = _raw_groups(
            rejected,
            grain,
            day=TruncDate("decided_at"),
            team=F("team_id"),
            rep=F("assignee_id"),
            channel=F("lead__source"),
            campaign=F("lead__first_touch_campaign_id"),
            g_reason=F("rejection_reason"),
        ).annotate(c=Count("pk"))
        insert_from(RejectionCell, {**DIMENSIONS, "reason": "g_reason", "rejections": "c"}, rows)


# model → (measures summed into the month, extra key columns besides the dimensions)
MONTHLY_SUMS = {
    FunnelCell: (["leads", "mql", "sal", "sql", "opportunity", "won"], []),
    DurationCell: (["leads"], ["step", "days"]),
    DealCell: (["won", "won_amount", "lost", "lost_amount"], []),
    LeadTimeCell: (["deals"], ["days"]),
    OfferCell: (["offers", "within_sla", "late", "expired", "open"], []),
    RejectionCell: (["rejections"], ["reason"]),
}


def months_of(days: Iterable[date]) -> list[date]:
    return sorted({day.replace(day=1) for day in days})


def monthly(months: list[date] | None) -> None:
    """Sum the COARSE cells of these months (all when None) into MONTHLY cells, every family."""
    for model, (measures, extra) in MONTHLY_SUMS.items():
        old = model.objects.filter(grain=Cell.MONTHLY)
        daily = model.objects.filter(grain=Cell.COARSE)
        if months is not None:
            old = old.filter(day__in=months)
            daily = in_month_days(daily, months)
        old.delete()
        rows = (
            daily.order_by()
            .values(
                g_grain=Value(Cell.MONTHLY),
                g_day=TruncMonth("day"),
                g_team=F("team_id"),
                g_rep=NOBODY,
                g_channel=F("channel"),
                g_campaign=NOBODY,
                **{f"g_{name}": F(name) for name in extra},
            )
            .annotate(**{f"s_{name}": Sum(name) for name in measures})
        )
        columns = {**DIMENSIONS, **{name: f"g_{name}" for name in extra}, **{name: f"s_{name}" for name in measures}}
        insert_from(model, columns, rows)


def in_month_days(queryset: QuerySet, months: list[date]) -> QuerySet:
    """Rows whose `day` falls in one of these months."""
    ranges = Q(pk__in=[])
    for month in months:
        ranges |= Q(day__gte=month, day__lt=(month.replace(day=28) + timedelta(days=4)).replace(day=1))
    return queryset.filter(ranges)
