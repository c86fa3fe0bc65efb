"""What every widget reads through: cells narrowed to the filters and the user's scope, and spend."""

from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from marketing.models import Campaign, Channel

from ..filters import Filters
from ..models import Cell
from ..scope import MANAGER, OWN, Scope

CENT = Decimal("0.01")
SHARE = Decimal("0.000001")
CHANNEL_LABELS = dict(Channel.choices)


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel or "Unattributed")


def cells(
    queryset: QuerySet,
    filters: Filters,
    scope: Scope,
    *,
    dated: bool = True,
    by_rep: bool = False,
    by_day: bool = False,
) -> QuerySet:
    """Cells (or facts) of the period, narrowed by every filter and by the user's scope.

    Cells come at the coarse grain (summed over reps and campaigns) unless the view needs a
    rep or a campaign, and a long period reads its whole months from the monthly cells
    (unless the caller groups by day or week: by_day).
    """
    if issubclass(queryset.model, Cell):
        fine = by_rep or scope.kind == OWN or filters.rep is not None or filters.campaign is not None
        grain = Cell.FINE if fine else Cell.COARSE
        if dated:
            queryset = queryset.filter(
                period(filters, grain, Cell.MONTHLY if grain == Cell.COARSE and not by_day else None)
            )
        else:
            queryset = queryset.filter(grain=grain)
    elif dated:
        queryset = queryset.filter(day__gte=filters.start, day__lte=filters.end)
    queryset = people(queryset, filters, scope)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign_id=filters.campaign)
    return queryset.order_by()


def people(queryset: QuerySet, filters: Filters, scope: Scope, *, team: str = "team_id", rep: str = "rep_id"):
    """Rows of the user's scope (own, or their teams) and of the chosen team and salesperson;
    `team` and `rep` name the fields that hold them in this queryset."""
    if scope.kind == OWN:
        queryset = queryset.filter(**{rep: scope.user_id})
    elif scope.kind == MANAGER:
        queryset = queryset.filter(**{f"{team}__in": scope.team_ids})
    if filters.team is not None:
        queryset = queryset.filter(**{team: filters.team})
    if filters.rep is not None:
        queryset = queryset.filter(**{rep: filters.rep})
    return queryset


def period(filters: Filters, daily: int, monthly: int | None) -> Q:
    """The period's cells: whole months from the monthly grain, the days around them daily."""
    start, end = filters.start, filters.end
    if monthly is None:
        return Q(grain=daily, day__gte=start, day__lte=end)
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last = end.replace(day=1) if end == month_end(end) else end.replace(day=1) - timedelta(days=1)
    last = last.replace(day=1)
    if first > last:
        return Q(grain=daily, day__gte=start, day__lte=end)
    whole = Q(grain=monthly, day__gte=first, day__lte=last)
    head = Q(grain=daily, day__gte=start, day__lt=first)
    tail = Q(grain=daily, day__gt=month_end(last), day__lte=end)
    return whole | head | tail


def spend_model():
    """marketing's spend log, when the installed marketing app has one."""
    try:
        return apps.get_model("marketing", "CampaignSpend")
    except LookupError:
        return None


def spend_by(filters: Filters, group: str) -> dict:
    """Money spent in the period per campaign id (group="campaign") or channel, from the spend log.

    Without a spend log, a campaign's budget counts as spent evenly over its running days.
    """
    model = spend_model()
    if model is not None:
        entries = model.objects.filter(spent_on__gte=filters.start, spent_on__lte=filters.end)
        if filters.channel:
            entries = entries.filter(campaign__channel=filters.channel)
        if filters.campaign is not None:
            entries = entries.filter(campaign_id=filters.campaign)
        key = "campaign_id" if group == "campaign" else "campaign__channel"
        rows = entries.order_by().values_list(key).annotate(total=Coalesce(Sum("amount"), Decimal(0)))
        return dict(rows)
    return _budget_spread(filters, group)


def _budget_spread(filters: Filters, group: str) -> dict:
    campaigns = Campaign.objects.filter(starts_on__lte=filters.end)
    if filters.channel:
        campaigns = campaigns.filter(channel=filters.channel)
    if filters.campaign is not None:
        campaigns = campaigns.filter(pk=filters.campaign)
    totals: dict = {}
    for pk, channel, starts, ends, budget in campaigns.values_list("pk", "channel", "starts_on", "ends_on", "budget"):
        ends = ends or max(filters.end, starts)
        overlap = (min(ends, filters.end) - max(starts, filters.start)).days + 1
        if overlap <= 0 or not budget:
            continue
        share = (budget * overlap / ((ends - starts).days + 1)).quantize(CENT)
        key = pk if group == "campaign" else channel
        totals[key] = totals.get(key, Decimal(0)) + share
    return totals


def months(start: date, end: date) -> list[date]:
    month, result = start.replace(day=1), []
    while month <= end:
        result.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def weeks(start: date, end: date) -> list[date]:
    """The Mondays of the weeks that overlap start…end."""
    monday = start - timedelta(days=start.weekday())
    return [monday + timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)]


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
