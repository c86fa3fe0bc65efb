"""The rows behind the dashboard's figures, for the lists they open (views/drill.py).

A figure is summed from the rollup cells; its list reads the facts and raw rows those cells
are summed from, narrowed here by the same scope and filters as `cells()`, so that the two
agree (tests/crawl/test_numbers.py checks every figure against its list).
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from handoff.models import Handoff, Offer
from marketing.models import Campaign
from sales.models import Deal

from ..filters import Filters
from ..models import DealFact, LeadFact
from ..rollups.attribution import Touch, credit_by_deal
from ..rollups.cells import in_days
from ..rollups.facts import FACT_TIMES, STEPS
from ..scope import Scope
from .base import cells, people

UNSET = object()
ANSWERED = Q(state__in=[Offer.State.ACCEPTED, Offer.State.REJECTED])
SLA_STATES = {
    "within": ANSWERED & Q(decided_at__lte=F("due_at")),
    "late": ANSWERED & Q(decided_at__gt=F("due_at")),
    "expired": Q(state=Offer.State.EXPIRED),
    "open": Q(state=Offer.State.OPEN),
}


def lead_facts(filters: Filters, scope: Scope, *, reached: str | None = None, dropped: str | None = None) -> QuerySet:
    """The period's cohort of leads (FunnelCell's rows): all, those that reached a stage, or
    those that reached the stage before `dropped` but not `dropped` itself."""
    facts = cells(LeadFact.objects, filters, scope)
    if reached and reached != "lead":  # every lead of the cohort counts as having reached "lead"
        facts = facts.filter(**{f"{FACT_TIMES[reached]}__isnull": False})
    if dropped:
        before = STEPS[STEPS.index(dropped) - 1]
        if before != "lead":
            facts = facts.filter(**{f"{FACT_TIMES[before]}__isnull": False})
        facts = facts.filter(**{f"{FACT_TIMES[dropped]}__isnull": True})
    return facts


def deal_facts(filters: Filters, scope: Scope, *, outcome: str, with_lead_time: bool = False) -> QuerySet:
    """Deals closed in the period with this outcome (DealCell's rows); with_lead_time: LeadTimeCell's."""
    facts = cells(DealFact.objects, filters, scope).filter(outcome=outcome)
    return facts.filter(mql_at__isnull=False) if with_lead_time else facts


def open_deals(filters: Filters, scope: Scope, *, stage: int | None = None) -> QuerySet:
    """Deals open right now (not limited to the period), within the scope and filters."""
    deals = people(Deal.objects.filter(closed_at__isnull=True), filters, scope, rep="owner_id")
    if filters.channel or filters.campaign is not None:
        facts = cells(DealFact.objects, filters, scope, dated=False).filter(outcome="")
        deals = deals.filter(pk__in=facts.values("deal_id"))
    if stage is not None:
        deals = deals.filter(stage_id=stage)
    return deals


def won_for_attribution(filters: Filters, scope: Scope) -> QuerySet:
    """Won deals whose revenue the attribution tables share out: narrowed to people (scope,
    team, rep) only, since channel and campaign pick the touches credited, not the deals."""
    won = DealFact.objects.filter(outcome="won", day__gte=filters.start, day__lte=filters.end)
    return cells(won, replace(filters, channel="", campaign=None), scope, dated=False)


def credits_by_deal(filters: Filters, scope: Scope, *, channel=UNSET, campaign=UNSET) -> dict[int, Decimal]:
    """{deal id: revenue credited} to one channel (or one campaign) under the filters' model:
    the deals behind a row of the channel or campaign table, whose credits add up to it."""

    def wanted(touch: Touch) -> bool:
        if filters.channel and touch.channel != filters.channel:
            return False
        if filters.campaign is not None and touch.campaign_id != filters.campaign:
            return False
        if channel is not UNSET and touch.channel != channel:
            return False
        return campaign is UNSET or touch.campaign_id == campaign

    return credit_by_deal(won_for_attribution(filters, scope), filters.model, wanted)


def period_days(filters: Filters) -> list[date] | None:
    """The period's days (None for "all time": no need to narrow)."""
    span = (filters.end - filters.start).days
    return [filters.start + timedelta(days=offset) for offset in range(span + 1)] if span < 3700 else None


def _lead_dimensions(queryset: QuerySet, filters: Filters, lead: str) -> QuerySet:
    if filters.channel:
        queryset = queryset.filter(**{f"{lead}source": filters.channel})
    if filters.campaign is not None:
        queryset = queryset.filter(**{f"{lead}first_touch_campaign_id": filters.campaign})
    return queryset


def offers(filters: Filters, scope: Scope, *, sla: str | None = None) -> QuerySet:
    """Offers made in the period (OfferCell's rows), all or those that ended one way."""
    made = in_days(Offer.objects.filter(SLA_STATES[sla]) if sla else Offer.objects.all(), "offered_at",
                   period_days(filters))  # fmt: skip
    made = people(made, filters, scope, team="handoff__team_id", rep="assignee_id")
    return _lead_dimensions(made, filters, "handoff__lead__")


def rejections(filters: Filters, scope: Scope, *, reason: str) -> QuerySet:
    """Handoffs sales rejected in the period for this reason (RejectionCell's rows)."""
    rejected = Handoff.objects.filter(state=Handoff.State.REJECTED, rejection_reason=reason, decided_at__isnull=False)
    rejected = in_days(rejected, "decided_at", period_days(filters))
    rejected = people(rejected, filters, scope, rep="assignee_id")
    return _lead_dimensions(rejected, filters, "lead__")


def campaign_name(pk: int) -> str:
    return Campaign.objects.filter(pk=pk).values_list("name", flat=True).first() or f"campaign #{pk}"
