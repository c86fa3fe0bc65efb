"""Attribution: how a won deal's revenue is shared among the touches that led to it.

A deal's touches are its lead's touchpoints up to the moment the deal opened (sales took
the lead). Each model gives every touch a weight; the weights sum to one, and the money
is rounded to cents with the rounding remainder given to the last touch, so that the
credits of one deal always add up to exactly its amount.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import F, Sum, Value
from django.db.models.functions import TruncMonth

from marketing.models import Touchpoint

from ..models import AttributionCell, DealFact
from .cells import in_month_days
from .sql import insert_from
from .writer import Table

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
SHARE = Decimal("0.000001")
HALF_LIFE_DAYS = 7


@dataclass(frozen=True)
class Model:
    key: str
    label: str
    explanation: str


MODELS = [
    Model("first", "First touch", "All the credit goes to the touch that first brought the lead in."),
    Model("last", "Last touch", "All the credit goes to the last touch before sales took the lead."),
    Model("linear", "Linear", "Every touch before the deal gets an equal share."),
    Model("u_shaped", "U-shaped", "40% to the first touch, 40% to the last, 20% shared by the touches between."),
    Model(
        "time_decay", "Time decay", "Recent touches count more: a touch's weight halves every 7 days before the deal."
    ),
]
MODEL_KEYS = [model.key for model in MODELS]


@dataclass(frozen=True)
class Touch:
    at: datetime
    channel: str
    campaign_id: int | None


def weights(model: str, touches: Sequence[Touch], opened_at: datetime) -> list[float]:
    """Each touch's share of the credit (touches oldest first); they sum to 1."""
    count = len(touches)
    if count == 1:
        return [1.0]
    if model == "first":
        return [1.0] + [0.0] * (count - 1)
    if model == "last":
        return [0.0] * (count - 1) + [1.0]
    if model == "linear":
        return [1 / count] * count
    if model == "u_shaped":
        if count == 2:
            return [0.5, 0.5]
        middle = 0.2 / (count - 2)
        return [0.4] + [middle] * (count - 2) + [0.4]
    if model == "time_decay":
        raw = [0.5 ** ((opened_at - touch.at).total_seconds() / 86400 / HALF_LIFE_DAYS) for touch in touches]
        total = sum(raw)
        return [value / total for value in raw]
    raise ValueError(f"unknown attribution model {model!r}")


def split(total: Decimal, shares: Sequence[float], quantum: Decimal = CENT) -> list[Decimal]:
    """`total` split by `shares`, each rounded to `quantum`; the remainder goes to the last part."""
    parts = [(total * Decimal(share)).quantize(quantum, rounding=ROUND_HALF_EVEN) for share in shares]
    parts[-1] += total - sum(parts)
    return parts


def credits(
    model: str, amount: Decimal, touches: Sequence[Touch], opened_at: datetime
) -> list[tuple[Decimal, Decimal]]:
    """(revenue, share of the deal) credited to each touch; revenues sum to `amount`, shares to 1."""
    if not touches:
        return []
    shares = weights(model, touches, opened_at)
    return list(zip(split(amount, shares), split(Decimal(1), shares, SHARE), strict=True))


def rebuild(days: list[date] | None) -> None:
    """Recompute the attribution cells of the deals won on these days (all when None)."""
    cells = AttributionCell.objects.filter(grain=AttributionCell.DAILY)
    won = DealFact.objects.filter(outcome="won")
    if days is not None:
        cells, won = cells.filter(day__in=days), won.filter(day__in=days)
    cells.delete()
    table = Table(AttributionCell, ["grain", "day", "channel", "campaign_id", "model", "revenue", "deals"])
    totals: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for _deal, day, touch, model, revenue, share in _credit(won, MODEL_KEYS, chunk=5000):
        total = totals[(day, touch.channel, touch.campaign_id, model)]
        total[0] += revenue
        total[1] += share
    for (day, channel, campaign, model), (revenue, share) in totals.items():
        table.add((AttributionCell.DAILY, day.isoformat(), channel, campaign, model, str(revenue), str(share)))
        if len(table.rows) >= 20_000:
            table.flush()
    table.flush()
    monthly(None if days is None else sorted({day.replace(day=1) for day in days}))


def monthly(months: list[date] | None) -> None:
    """Sum the daily attribution cells of these months (all when None) into monthly ones."""
    old = AttributionCell.objects.filter(grain=AttributionCell.MONTHLY)
    daily = AttributionCell.objects.filter(grain=AttributionCell.DAILY)
    if months is not None:
        old, daily = old.filter(day__in=months), in_month_days(daily, months)
    old.delete()
    rows = (
        daily.order_by()
        .values(
            g_grain=Value(AttributionCell.MONTHLY),
            g_day=TruncMonth("day"),
            g_channel=F("channel"),
            g_campaign=F("campaign_id"),
            g_model=F("model"),
        )
        .annotate(s_revenue=Sum("revenue"), s_deals=Sum("deals"))
    )
    columns = {"grain": "g_grain", "day": "g_day", "channel": "g_channel", "campaign": "g_campaign"}
    insert_from(AttributionCell, {**columns, "model": "g_model", "revenue": "s_revenue", "deals": "s_deals"}, rows)


def credited(won, model: str, *, channel: str = "", campaign: int | None = None) -> dict:
    """Credits of these won DealFacts computed on the spot: {(channel, campaign id): [revenue, deals]}.

    For views narrower than the cells keep (one team or one salesperson): their deals are
    few, and this uses the very same `credits` as the cells, so the numbers agree.
    """
    totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for _deal, _day, touch, _model, revenue, share in _credit(won, [model]):
        if (channel and touch.channel != channel) or (campaign is not None and touch.campaign_id != campaign):
            continue
        total = totals[(touch.channel, touch.campaign_id)]
        total[0] += revenue
        total[1] += share
    return totals


def credit_by_deal(won, model: str, wanted: Callable[[Touch], bool]) -> dict[int, Decimal]:
    """Each won DealFact's revenue credited to the touches `wanted` picks, for the deals credited at all.

    The list behind an attributed figure: its credits add up to exactly that figure.
    """
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for deal, _day, touch, _model, revenue, _share in _credit(won, [model]):
        if wanted(touch):
            totals[deal] += revenue
    return {deal: revenue for deal, revenue in totals.items() if revenue}


def _credit(won, models: list[str], *, chunk: int | None = None):
    """(deal id, day, touch, model, revenue, share) for every touch of every deal in `won`.

    Two queries per chunk (the deals, then their leads' touchpoints); chunk=None makes it
    two queries in all, which is what a page wants (a constant query count).
    """
    deals = list(won.order_by("deal_id").values_list("deal_id", "lead_id", "day", "amount", "opened_at"))
    step = chunk or max(len(deals), 1)
    # At least one pass, even with no deals: a page's query count stays the same with or without wins.
    for start in range(0, max(len(deals), 1), step):
        part = deals[start : start + step]
        span = won.filter(deal_id__gte=part[0][0], deal_id__lte=part[-1][0]) if part else won
        leads = span.values("lead_id")
        touches = _touches_before(part, leads)
        for deal_id, _lead, day, amount, opened_at in part:
            journey = touches.get(deal_id) or [Touch(opened_at, "", None)]  # nothing known: unattributed
            for model in models:
                for touch, (revenue, share) in _deal_credits(deal_id, model, amount, journey, opened_at):
                    yield deal_id, day, touch, model, revenue, share


def _deal_credits(deal_id: int, model: str, amount: Decimal, journey: list[Touch], opened_at: datetime) -> list:
    """(touch, (revenue, share)) of one deal. A deal whose touches the model cannot weigh is
    logged and counted unattributed, so its revenue still adds up and the other deals go on."""
    try:
        return list(zip(journey, credits(model, amount, journey, opened_at), strict=True))
    except Exception:
        logger.exception("attribution: deal %s cannot be credited by %s; counted unattributed", deal_id, model)
        unattributed = [Touch(opened_at, "", None)]
        return list(zip(unattributed, credits(model, amount, unattributed, opened_at), strict=True))


def _touches_before(deals: list[tuple], leads) -> dict[int, list[Touch]]:
    """Each deal's touches up to its opening, oldest first (`leads`: a subquery of their lead ids)."""
    opened: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for deal, lead, _day, _amount, opened_at in deals:
        if lead:
            opened[lead].append((deal, opened_at))  # a lead may have won twice
    journeys: dict[int, list[Touch]] = defaultdict(list)
    rows = (
        Touchpoint.objects.filter(lead_id__in=leads)
        .order_by("lead_id", "occurred_at", "pk")
        .values_list("lead_id", "occurred_at", "channel", "campaign_id")
    )
    # A plain fetch, not .iterator(): PostgreSQL plans a server-side cursor for its first
    # rows and walked the whole touchpoint index in lead order (1 s instead of 80 ms at 1M).
    for lead, at, channel, campaign in rows:
        for deal, opened_at in opened.get(lead, ()):
            if at <= opened_at:
                journeys[deal].append(Touch(at, channel, campaign))
    return journeys
