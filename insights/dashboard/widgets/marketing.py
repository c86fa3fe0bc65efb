"""Marketing's widgets: the joint funnel, and revenue, spend and ROI by channel and campaign."""

from collections import defaultdict
from contextvars import ContextVar
from decimal import Decimal

from django.db.models import Sum

from marketing.models import Campaign

from ..filters import Filters
from ..models import AttributionCell, DurationCell, FunnelCell
from ..rollups.attribution import MODELS, credited
from ..rollups.cells import DURATION_STEPS
from ..scope import Scope
from ..stats import median, percent
from .base import CENT, SHARE, cells, channel_label, period, spend_by
from .queries import won_for_attribution

MATERIAL_SHARE = Decimal("0.01")
# Work shared by the widgets of one page (set by widgets.compute): the channel and the
# campaign tables of a team's view come from one pass over its deals.
MEMO: ContextVar[dict] = ContextVar("dashboard_memo")
STAGES = [
    ("leads", "Leads", "lead"),
    ("mql", "Marketing qualified", "mql"),
    ("sal", "Accepted by sales", "sal"),
    ("sql", "Sales qualified", "sql"),
    ("opportunity", "Opportunity", "opportunity"),
    ("won", "Won", "customer"),
]


def funnel(filters: Filters, scope: Scope) -> dict:
    """The period's cohort of leads and how far they got: conversion and median days per step."""
    counts = cells(FunnelCell.objects, filters, scope).aggregate(**{name: Sum(name) for name, _label, _stage in STAGES})
    histograms = defaultdict(list)
    for step, days, leads in (
        cells(DurationCell.objects, filters, scope).values_list("step", "days").annotate(n=Sum("leads"))
    ):
        histograms[step].append((days, leads))
    top = counts["leads"] or 0
    stages, previous = [], None
    for index, (name, label, stage) in enumerate(STAGES):
        count = counts[name] or 0
        step = DURATION_STEPS[index - 1][0] if index else None
        stages.append(
            {
                "key": name,
                "stage": stage,
                "label": label,
                "count": count,
                "of_top": percent(count, top),
                "of_previous": percent(count, previous) if index else None,
                "lost": (previous - count) if index else 0,
                "median_days": median(histograms[step]) if step else None,
            }
        )
        previous = count
    steps = [stage for stage in stages[1:] if stage["of_previous"] is not None]
    leak = min(steps, key=lambda stage: stage["of_previous"], default=None)
    return {"stages": stages, "leads": top, "leak": leak}


def _credited(filters: Filters, scope: Scope, group: str) -> list[tuple]:
    """(channel or campaign id, revenue, deals) credited by the chosen attribution model.

    The cells hold the whole company; a manager's teams', a team's, a rep's or one's own view
    is computed from its own deals instead (the cells have no team or rep: see AttributionCell).
    """
    if scope.narrowed or filters.narrowed_to_people:
        pairs = _credited_on_the_spot(filters, scope)
        totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for (channel, campaign), (revenue, deals) in pairs.items():
            total = totals[campaign if group == "campaign" else channel]
            total[0] += revenue
            total[1] += deals
        return [(key, revenue, deals) for key, (revenue, deals) in totals.items()]
    key = "campaign_id" if group == "campaign" else "channel"
    rows = AttributionCell.objects.filter(
        period(filters, AttributionCell.DAILY, AttributionCell.MONTHLY), model=filters.model
    )
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.campaign is not None:
        rows = rows.filter(campaign_id=filters.campaign)
    return list(rows.order_by().values_list(key).annotate(revenue=Sum("revenue"), deals=Sum("deals")))


def _credited_on_the_spot(filters: Filters, scope: Scope) -> dict:
    """{(channel, campaign): [revenue, deals]} for a team's or a rep's won deals, once per page."""
    memo = MEMO.get(None)
    key = (filters.key, scope.key)
    if memo is not None and key in memo:
        return memo[key]
    won = won_for_attribution(filters, scope)
    pairs = credited(won, filters.model, channel=filters.channel, campaign=filters.campaign)
    if memo is not None:
        memo[key] = pairs
    return pairs


def _rows(filters: Filters, scope: Scope, group: str) -> list[dict]:
    credited_rows = _credited(filters, scope, group)
    spend = spend_by(filters, group) if scope.sees_spend and not filters.narrowed_to_people else {}
    rows = {value: {"key": value, "revenue": revenue, "deals": deals} for value, revenue, deals in credited_rows}
    for value, amount in spend.items():
        rows.setdefault(value, {"key": value, "revenue": Decimal(0), "deals": Decimal(0)})["spend"] = amount
    result = []
    for row in rows.values():
        spent = row.get("spend")
        spent = spent.quantize(CENT) if spent is not None else None
        revenue = (row["revenue"] or Decimal(0)).quantize(CENT)
        deals = (row["deals"] or Decimal(0)).quantize(SHARE)
        row.update(
            revenue=revenue,
            deals=deals,
            spend=spent,
            roi=percent(revenue - spent, spent) if spent else None,
            per_dollar=(revenue / spent).quantize(CENT) if spent else None,
            cpa=(spent / deals).quantize(CENT) if spent and deals else None,
        )
        result.append(row)
    result.sort(key=lambda row: (-row["revenue"], -(row["spend"] or 0), str(row["key"])))
    return result


def _totals(rows: list[dict], show_spend: bool) -> dict:
    revenue = sum((row["revenue"] for row in rows), Decimal(0))
    spend = sum((row["spend"] or Decimal(0) for row in rows), Decimal(0)) if show_spend else None
    deals = sum((row["deals"] for row in rows), Decimal(0))
    return {
        "revenue": revenue,
        "spend": spend,
        "deals": deals,
        "roi": percent(revenue - spend, spend) if spend else None,
        "per_dollar": (revenue / spend).quantize(CENT) if spend else None,
        "cpa": (spend / deals).quantize(CENT) if spend and deals else None,
    }


def channels(filters: Filters, scope: Scope) -> dict:
    rows = _rows(filters, scope, "channel")
    for row in rows:
        row["label"] = channel_label(row["key"])
    show_spend = scope.sees_spend and not filters.narrowed_to_people
    # A channel that spent pennies can show any ratio: only channels with a real share of
    # the spend compete for "best return".
    total_spend = sum((row["spend"] or Decimal(0) for row in rows), Decimal(0))
    material = [row for row in rows if row["per_dollar"] is not None and row["spend"] >= total_spend * MATERIAL_SHARE]
    best = max(material, key=lambda row: row["per_dollar"], default=None)
    model = next(model for model in MODELS if model.key == filters.model)
    return {"rows": rows, "totals": _totals(rows, show_spend), "best": best, "show_spend": show_spend, "model": model}


def campaigns(filters: Filters, scope: Scope, *, limit: int | None = 12) -> dict:
    rows = _rows(filters, scope, "campaign")
    shown = rows[:limit] if limit else rows
    # [0] when nothing is shown keeps the query (and the page's query count) constant.
    ids = [row["key"] for row in shown if row["key"]] or [0]
    known = {
        pk: (name, channel)
        for pk, name, channel in Campaign.objects.filter(pk__in=ids).values_list("pk", "name", "channel")
    }
    for row in shown:
        name, channel = known.get(row["key"], ("No campaign" if row["key"] is None else f"Campaign #{row['key']}", ""))
        row.update(label=name, channel=channel_label(channel) if channel else "")
    show_spend = scope.sees_spend and not filters.narrowed_to_people
    return {
        "rows": shown,
        "count": len(rows),
        "totals": _totals(rows, show_spend),
        "show_spend": show_spend,
    }
