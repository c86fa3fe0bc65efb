"""Sales' widgets: revenue won by month, open pipeline, SLA, rejection reasons, reps, lead time."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from handoff.models import RejectionReason, TeamSettings
from handoff.services import target_percent as sla_target_percent
from sales.models import Deal, SalesRep

from ..filters import Filters
from ..models import DealCell, LeadTimeCell, OfferCell, RejectionCell
from ..scope import MANAGER, OWN, Scope
from ..stats import median, percent
from .base import CENT, cells, channel_label, month_end, months, people, weeks
from .queries import open_deals


def revenue(filters: Filters, scope: Scope) -> dict:
    """Deals won (and lost) by the week or month they closed: weeks for periods up to ~4 months."""
    weekly = (filters.end - filters.start).days <= 120
    bucket = TruncWeek("day") if weekly else TruncMonth("day")
    rows = (
        cells(DealCell.objects, filters, scope, by_day=weekly)
        .values(bucket=bucket)
        .annotate(won=Sum("won"), amount=Sum("won_amount"), lost=Sum("lost"))
    )
    by_bucket = {_as_date(row["bucket"]): row for row in rows}
    span = weeks(filters.start, filters.end) if weekly else months(filters.start, filters.end)
    if by_bucket and filters.period == "all":
        span = [first for first in span if first >= min(by_bucket)]
    series = []
    for first in span:
        row = by_bucket.get(first, {})
        last = first + timedelta(days=6) if weekly else month_end(first)
        series.append(
            {
                "month": first,
                "start": max(first, filters.start),
                "end": min(last, filters.end),
                "won": row.get("won") or 0,
                "amount": (row.get("amount") or Decimal(0)).quantize(CENT),
                "lost": row.get("lost") or 0,
            }
        )
    won = sum(item["won"] for item in series)
    lost = sum(item["lost"] for item in series)
    amount = sum((item["amount"] for item in series), Decimal(0))
    return {
        "unit": "week" if weekly else "month",
        "months": series,
        "won": won,
        "lost": lost,
        "amount": amount,
        "win_rate": percent(won, won + lost),
        "average": (amount / won).quantize(Decimal("1")) if won else None,
    }


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def pipeline(filters: Filters, scope: Scope) -> dict:
    """Open deals now (not limited to the period): amount and probability-weighted forecast by stage."""
    deals = open_deals(filters, scope)
    rows = (
        deals.order_by()
        .values("stage_id", name=F("stage__name"), order=F("stage__order"), probability=F("stage__probability"))
        .annotate(deals=Count("pk"), amount=Coalesce(Sum("amount"), Decimal(0)))
        .order_by("order")
    )
    stages = []
    for row in rows:
        amount = row["amount"].quantize(CENT)
        stages.append({**row, "amount": amount, "weighted": (amount * row["probability"] / 100).quantize(CENT)})
    return {
        "stages": stages,
        "deals": sum(row["deals"] for row in stages),
        "amount": sum((row["amount"] for row in stages), Decimal(0)),
        "weighted": sum((row["weighted"] for row in stages), Decimal(0)),
    }


def sla(filters: Filters, scope: Scope) -> dict:
    """Offers made in the period: answered within the SLA, late, expired (handoff's definitions)."""
    offers = cells(OfferCell.objects, filters, scope)
    totals = offers.aggregate(
        offers=Sum("offers"), within=Sum("within_sla"), late=Sum("late"), expired=Sum("expired"), open=Sum("open")
    )
    totals = {key: value or 0 for key, value in totals.items()}
    ended = totals["within"] + totals["late"] + totals["expired"]
    weeks = (
        cells(OfferCell.objects, filters, scope, by_day=True)
        .values(week=TruncWeek("day"))
        .annotate(within=Sum("within_sla"), late=Sum("late"), expired=Sum("expired"))
    )
    trend = []
    for row in sorted(weeks, key=lambda row: row["week"])[-26:]:
        done = row["within"] + row["late"] + row["expired"]
        trend.append({"week": row["week"], "ended": done, "percent": percent(row["within"], done)})
    target = sla_target_percent(_sla_teams(filters, scope), since=_midnight(filters.start),
                                until=_midnight(filters.end + timedelta(days=1)))  # fmt: skip
    return {**totals, "ended": ended, "percent": percent(totals["within"], ended), "trend": trend, "target": target}


def _sla_teams(filters: Filters, scope: Scope) -> list[int] | None:
    """The teams whose SLA targets the view is judged against (None: the whole company's)."""
    if filters.team is not None:
        return [filters.team]
    rep = filters.rep if filters.rep is not None else (scope.user_id if scope.kind == OWN else None)
    if rep is not None:
        return list(SalesRep.objects.filter(user_id=rep).values_list("team_id", flat=True))
    return list(scope.team_ids) if scope.kind == MANAGER else None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def rejections(filters: Filters, scope: Scope) -> dict:
    rows = (
        cells(RejectionCell.objects, filters, scope)
        .values("reason")
        .annotate(count=Sum("rejections"))
        .order_by("-count", "reason")
    )
    labels = dict(RejectionReason.choices)
    total = sum(row["count"] for row in rows)
    reasons = [
        {"reason": row["reason"], "label": labels.get(row["reason"], row["reason"] or "—"), "count": row["count"],
         "percent": percent(row["count"], total)}
        for row in rows
    ]  # fmt: skip
    return {"reasons": reasons, "total": total}


def leaderboard(filters: Filters, scope: Scope) -> dict:
    """Reps ranked by revenue won in the period, with win rate, SLA and open pipeline."""
    reps = people(SalesRep.objects.all(), filters, scope, rep="user_id")
    members = reps.values_list("user_id", "user__first_name", "user__last_name", "user__username", "team_id")
    names = {user_id: f"{first} {last}".strip() or username for user_id, first, last, username, _team in members}
    slas = TeamSettings.objects.slas({team for *_names, team in members if team})
    targets = {user_id: slas[team].target_percent for user_id, *_names, team in members if team in slas}
    rep_ids = list(names) or [0]  # [0]: the queries below run (constant count) and find nothing
    won = {
        row["rep_id"]: row
        for row in cells(DealCell.objects, filters, scope, by_rep=True)
        .filter(rep_id__in=rep_ids)
        .values("rep_id")
        .annotate(won=Sum("won"), amount=Sum("won_amount"), lost=Sum("lost"))
    }
    answered = {
        row["rep_id"]: row
        for row in cells(OfferCell.objects, filters, scope, by_rep=True)
        .filter(rep_id__in=rep_ids)
        .values("rep_id")
        .annotate(within=Sum("within_sla"), late=Sum("late"), expired=Sum("expired"))
    }
    open_deals = Deal.objects.filter(closed_at__isnull=True, owner_id__in=rep_ids)
    if filters.team is not None:
        open_deals = open_deals.filter(team_id=filters.team)
    pipeline = dict(open_deals.order_by().values_list("owner_id").annotate(total=Coalesce(Sum("amount"), Decimal(0))))
    rows = []
    for rep_id in names:
        deal_row, offer_row = won.get(rep_id, {}), answered.get(rep_id, {})
        won_count, lost_count = deal_row.get("won") or 0, deal_row.get("lost") or 0
        ended = sum(offer_row.get(key) or 0 for key in ("within", "late", "expired"))
        rows.append(
            {
                "rep_id": rep_id,
                "name": names[rep_id],
                "won": won_count,
                "amount": (deal_row.get("amount") or Decimal(0)).quantize(CENT),
                "win_rate": percent(won_count, won_count + lost_count),
                "sla": percent(offer_row.get("within") or 0, ended),
                "sla_target": targets.get(rep_id),
                "pipeline": pipeline.get(rep_id, Decimal(0)).quantize(CENT),
            }
        )
    rows.sort(key=lambda row: (-row["amount"], row["name"]))
    return {"reps": rows}


def lead_time(filters: Filters, scope: Scope) -> dict:
    """Days from a lead's first MQL to its deal won, by lead source, for deals won in the period."""
    histograms = defaultdict(list)
    rows = cells(LeadTimeCell.objects, filters, scope).values_list("channel", "days").annotate(n=Sum("deals"))
    for channel, days, count in rows:
        histograms[channel].append((days, count))
    sources = []
    for channel, histogram in histograms.items():
        deals = sum(count for _days, count in histogram)
        total_days = sum(days * count for days, count in histogram)
        sources.append(
            {
                "channel": channel,
                "label": channel_label(channel),
                "deals": deals,
                "median": median(histogram),
                "average": round(total_days / deals, 1),
            }
        )
    sources.sort(key=lambda row: (row["median"], row["label"]))
    overall = median([pair for histogram in histograms.values() for pair in histogram])
    return {"sources": sources, "median": overall}
