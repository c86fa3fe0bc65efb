"""What marketers read about their campaigns: funnels, costs, arrivals. Reads only."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Campaign, CampaignSpend, Lead


def _ratio(part, whole) -> float | None:
    return None if not whole else float(part) / float(whole)


def _cost(spend: Decimal, count: int) -> Decimal | None:
    return None if not count or not spend else (spend / count).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Goal:
    label: str
    actual: Decimal | int
    target: Decimal | int | None

    @property
    def percent(self) -> int | None:
        ratio = _ratio(self.actual, self.target)
        return None if ratio is None else round(100 * ratio)

    @property
    def bar(self) -> int:
        return min(self.percent or 0, 100)


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    of_previous: float | None
    width: float  # share of the first step, 0-100, for the bar


@dataclass(frozen=True)
class CampaignStats:
    leads: int
    mqls: int
    accepted: int
    won: int
    revenue: Decimal
    spend: Decimal
    budget: Decimal

    @property
    def cost_per_lead(self) -> Decimal | None:
        return _cost(self.spend, self.leads)

    @property
    def cost_per_mql(self) -> Decimal | None:
        return _cost(self.spend, self.mqls)

    @property
    def spend_percent(self) -> int | None:
        ratio = _ratio(self.spend, self.budget)
        return None if ratio is None else round(100 * ratio)

    @property
    def roi(self) -> float | None:
        return None if not self.spend else float((self.revenue - self.spend) / self.spend)

    def funnel(self) -> list[FunnelStep]:
        counts = [
            ("Leads", self.leads),
            ("Marketing qualified", self.mqls),
            ("Accepted by sales", self.accepted),
            ("Won", self.won),
        ]
        top = counts[0][1] or 1
        steps, previous = [], None
        for label, count in counts:
            steps.append(FunnelStep(label, count, _ratio(count, previous), round(100 * count / top, 1)))
            previous = count
        return steps

    def goals(self, campaign: Campaign) -> list[Goal]:
        return [
            Goal("Leads", self.leads, campaign.goal_leads),
            Goal("MQLs", self.mqls, campaign.goal_mqls),
            Goal("Revenue", self.revenue, campaign.goal_revenue),
        ]


def campaign_stats(campaign: Campaign) -> CampaignStats:
    """The campaign's funnel (first-touch attribution), revenue and spend: two queries."""
    funnel = Lead.objects.filter(first_touch_campaign=campaign, merged_into__isnull=True).aggregate(
        leads=Count("*"),
        mqls=Count("qualified_at"),
        accepted=Count("accepted_at"),
        won=Count("pk", filter=Q(outcome=Lead.Outcome.WON)),
        revenue=Sum("outcome_amount", filter=Q(outcome=Lead.Outcome.WON)),
    )
    spend = CampaignSpend.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"]
    return CampaignStats(
        leads=funnel["leads"],
        mqls=funnel["mqls"],
        accepted=funnel["accepted"],
        won=funnel["won"],
        revenue=funnel["revenue"] or Decimal(0),
        spend=spend or Decimal(0),
        budget=campaign.budget,
    )


@dataclass(frozen=True)
class ListedCampaign:
    campaign: Campaign
    leads: int
    mqls: int
    spend: Decimal


def with_totals(campaigns: Iterable[Campaign]) -> list[ListedCampaign]:
    """Leads, MQLs and spend beside each campaign of a page: two grouped queries for any number."""
    campaigns = list(campaigns)
    ids = [campaign.pk for campaign in campaigns]
    counts = {
        row["first_touch_campaign"]: row
        for row in Lead.objects.filter(first_touch_campaign__in=ids, merged_into__isnull=True)
        .values("first_touch_campaign")
        .annotate(leads=Count("*"), mqls=Count("qualified_at"))
        .order_by()
    }
    spend = dict(
        CampaignSpend.objects.filter(campaign__in=ids).values_list("campaign").annotate(total=Sum("amount")).order_by()
    )
    return [
        ListedCampaign(
            campaign,
            counts.get(campaign.pk, {}).get("leads", 0),
            counts.get(campaign.pk, {}).get("mqls", 0),
            spend.get(campaign.pk, Decimal(0)),
        )
        for campaign in campaigns
    ]


@dataclass(frozen=True)
class DailyBar:
    day: date
    count: int
    x: float
    width: float
    height: float

    @property
    def y(self) -> float:
        return round(CHART_HEIGHT - self.height, 2)


ARRIVALS_DAYS = 60
CHART_HEIGHT = 80


def daily_arrivals(campaign: Campaign, *, today: date | None = None) -> list[DailyBar]:
    """New leads per day over the campaign's last 60 days (to today, or its end), for a bar chart."""
    today = today or timezone.localdate()
    last = min(today, campaign.ends_on + timedelta(days=14)) if campaign.ends_on else today
    first = max(campaign.starts_on, last - timedelta(days=ARRIVALS_DAYS - 1))
    if last < first:  # a campaign that has not started yet
        return []
    counts = dict(
        Lead.objects.filter(
            first_touch_campaign=campaign,
            created_at__date__gte=first,
            created_at__date__lte=last,
        )
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    days = (last - first).days + 1
    top = max(counts.values(), default=0) or 1
    slot = 100 / days
    return [
        DailyBar(
            day=first + timedelta(days=offset),
            count=counts.get(first + timedelta(days=offset), 0),
            x=round(offset * slot + slot * 0.1, 3),
            width=round(slot * 0.8, 3),
            height=round(CHART_HEIGHT * counts.get(first + timedelta(days=offset), 0) / top, 2),
        )
        for offset in range(days)
    ]
