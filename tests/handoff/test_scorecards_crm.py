"""Scorecards on 8,800 real-shaped opportunities (Maven CRM Sales Opportunities), checked
against win rates and cycle times computed straight from the CSV by plain Python."""

import statistics
from collections import defaultdict
from decimal import Decimal

import pytest

from insights import scorecards
from insights.models import Dimension, ScorecardRow
from tests.conftest import require
from tests.handoff import crm_loader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _crm_data():
    require(crm_loader.DATA.exists(), f"needs the CRM data set at {crm_loader.DATA}")


def from_csv(opportunities, group) -> dict[str, dict]:
    """Per group: win rate (won of closed, %), median days engage → won, won revenue."""
    won, closed, days, revenue = defaultdict(int), defaultdict(int), defaultdict(list), defaultdict(Decimal)
    for opportunity in opportunities:
        key = group(opportunity)
        if opportunity.stage in ("Won", "Lost"):
            closed[key] += 1
        if opportunity.stage == "Won":
            won[key] += 1
            days[key].append((opportunity.closed - opportunity.engaged).days)
            revenue[key] += opportunity.value
    return {
        key: {
            "win_rate": round(100 * won[key] / closed[key], 1),
            "lead_time_days": statistics.median(days[key]) if days[key] else None,
            "revenue": revenue[key],
        }
        for key in closed
    }


def from_scorecard(dimension: str, names: dict[str, str]) -> dict[str, dict]:
    return {
        names[row.key]: {"win_rate": row.win_rate, "lead_time_days": row.lead_time_days, "revenue": row.revenue}
        for row in ScorecardRow.objects.filter(dimension=dimension)
        if row.won + row.lost
    }


@pytest.fixture(scope="module")
def crm(django_db_setup, django_db_blocker):
    """Loaded once for the module (8,800 leads), rolled back at its end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            opportunities, agents, campaigns = crm_loader.load()
            scorecards.rebuild_all()
            yield opportunities, agents, campaigns
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_win_rate_cycle_time_and_revenue_per_agent_match_the_csv(crm):
    opportunities, agents, _campaigns = crm
    names = {str(user.pk): name for name, user in agents.items()}
    expected = from_csv(opportunities, lambda o: o.agent)
    assert len(expected) == 30  # agents with closed deals; five never closed one
    assert from_scorecard(Dimension.REP, names) == expected


def test_win_rate_cycle_time_and_revenue_per_product_match_the_csv(crm):
    opportunities, _agents, campaigns = crm
    names = {str(campaign.pk): name for name, campaign in campaigns.items()}
    assert from_scorecard(Dimension.CAMPAIGN, names) == from_csv(opportunities, lambda o: o.product)


def test_the_totals_match_the_published_figures(crm):
    rows = ScorecardRow.objects.filter(dimension=Dimension.CAMPAIGN)
    assert sum(row.leads for row in rows) == 8800
    assert sum(row.won for row in rows) == 4238
    assert sum(row.lost for row in rows) == 2473
    assert sum(row.revenue for row in rows) == Decimal("10005534")
