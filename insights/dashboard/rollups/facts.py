"""Derive LeadFact and DealFact rows from the raw tables, for all leads or a few.

One query shape serves the nightly rebuild (every lead) and the minute-by-minute refresh
(the leads an event touched), so the two can never disagree.
"""

from collections.abc import Iterable

from django.db.models import Case, F, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate

from handoff.models import Handoff
from marketing.models import FUNNEL, Lead
from sales.models import Deal

from ..models import DealFact, LeadFact
from .sql import insert_from

# The joint funnel's stages, and the lead stages that count as having reached each one:
# a lead that skipped a stage reached it when it reached a later one.
STEPS = ["lead", "mql", "sal", "sql", "opportunity", "customer"]
REACHED = {stage: FUNNEL[FUNNEL.index(stage) :] for stage in STEPS[1:]}
FACT_TIMES = {"mql": "mql_at", "sal": "sal_at", "sql": "sql_at", "opportunity": "opportunity_at", "customer": "won_at"}


def lead_fact_rows(leads: QuerySet) -> QuerySet:
    """One row per lead with its cohort day, channel, campaign and first time at each stage.

    Team and rep are filled in afterwards (_set_handoff_dimensions): as subqueries here
    they would be grouped by, and run once per stage change instead of once per lead.
    """
    reached = {
        f"f_{FACT_TIMES[stage]}": Min("stage_changes__entered_at", filter=Q(stage_changes__stage__in=stages))
        for stage, stages in REACHED.items()
    }
    return (
        leads.order_by()
        .values("pk")
        .annotate(
            f_lead=F("pk"),
            f_day=TruncDate("created_at"),
            f_channel=F("source"),
            f_campaign=F("first_touch_campaign_id"),
            f_lead_at=Min("stage_changes__entered_at"),
            **reached,
        )
    )


LEAD_FACT_COLUMNS = {
    "lead": "f_lead",
    "day": "f_day",
    "channel": "f_channel",
    "campaign": "f_campaign",
    "lead_at": "f_lead_at",
    **{name: f"f_{name}" for name in FACT_TIMES.values()},
}


def deal_fact_rows(deals: QuerySet) -> QuerySet:
    """One row per deal: its owner and team, its lead's channel and campaign, its outcome."""
    handoff = Handoff.objects.filter(deal=OuterRef("pk"))
    first_mql = LeadFact.objects.filter(lead=OuterRef("f_lead_id"))
    return (
        deals.order_by()
        .values("pk")
        .annotate(
            f_deal=F("pk"),
            f_lead_id=Subquery(handoff.values("lead_id")[:1]),
            f_team=F("team_id"),
            f_rep=F("owner_id"),
            f_channel=Coalesce(Subquery(handoff.values("lead__source")[:1]), Value("")),
            f_campaign=Subquery(handoff.values("lead__first_touch_campaign_id")[:1]),
            f_opened=F("created_at"),
            f_closed=F("closed_at"),
            f_day=TruncDate("closed_at"),
            f_outcome=Case(When(closed_at__isnull=False, then=F("stage__kind")), default=Value("")),
            f_amount=F("amount"),
            f_mql=Subquery(first_mql.values("mql_at")[:1]),
        )
    )


DEAL_FACT_COLUMNS = {
    "deal": "f_deal",
    "lead": "f_lead_id",
    "team": "f_team",
    "rep": "f_rep",
    "channel": "f_channel",
    "campaign": "f_campaign",
    "opened_at": "f_opened",
    "closed_at": "f_closed",
    "day": "f_day",
    "outcome": "f_outcome",
    "amount": "f_amount",
    "mql_at": "f_mql",
}


def rebuild_lead_facts(lead_ids: Iterable[int] | None = None) -> int:
    """Replace the facts of these leads (all leads when None) with fresh ones."""
    facts, leads = LeadFact.objects.all(), Lead.objects.all()
    if lead_ids is not None:
        lead_ids = list(lead_ids)
        facts, leads = facts.filter(lead_id__in=lead_ids), leads.filter(pk__in=lead_ids)
    facts.delete()
    written = insert_from(LeadFact, LEAD_FACT_COLUMNS, lead_fact_rows(leads))
    _set_handoff_dimensions(facts)
    return written


def _set_handoff_dimensions(facts: QuerySet) -> None:
    latest = Handoff.objects.filter(lead=OuterRef("lead_id")).order_by("-cycle")
    facts.filter(lead_id__in=Handoff.objects.values("lead_id")).update(
        team=Subquery(latest.values("team_id")[:1]), rep=Subquery(latest.values("assignee_id")[:1])
    )


def rebuild_deal_facts(deal_ids: Iterable[int] | None = None) -> int:
    """Replace the facts of these deals (all deals when None); lead facts must be current."""
    facts, deals = DealFact.objects.all(), Deal.objects.all()
    if deal_ids is not None:
        deal_ids = list(deal_ids)
        facts, deals = facts.filter(deal_id__in=deal_ids), deals.filter(pk__in=deal_ids)
    facts.delete()
    return insert_from(DealFact, DEAL_FACT_COLUMNS, deal_fact_rows(deals))
