"""The manager's landing page: counts of every stage, scoped to the teams they manage."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff import services
from marketing.models import Stage as LeadStage
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def count_queries(client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_dashboard_counts_the_teams_handoffs_deals_and_leads(rep, teammate, manager, stranger):
    offers = [factories.offered(email=f"lead{i}@corp.example") for i in range(3)]
    services.accept_offer(handoff_id=offers[0].pk, by=offers[0].assignee)
    factories.capture(email="fresh@corp.example")  # a lead marketing still nurtures
    response = logged_in(manager).get(reverse("dashboard:overview"))
    assert response.status_code == 200
    handoffs = dict(response.context["handoff_states"])
    assert (handoffs["Offered"], handoffs["Accepted"], handoffs["Rejected"]) == (2, 1, 0)
    leads = {label: count for label, count, _percent in response.context["lead_stages"]}
    assert (leads[LeadStage.MQL.label], leads[LeadStage.SAL.label], leads[LeadStage.LEAD.label]) == (2, 1, 1)
    assert [(row["stage__name"], row["n"]) for row in response.context["pipeline"]] == [("Discovery", 1)]
    assert "Offered handoffs" in response.text


def test_the_dashboard_leaves_out_other_teams_deals(rep, manager, stranger):
    from sales import services as sales_services

    sales_services.open_deal(owner_id=stranger.pk, team_id=stranger.sales_rep.team_id, title="Theirs")
    response = logged_in(manager).get(reverse("dashboard:overview"))
    assert response.context["pipeline"] == []


@pytest.mark.parametrize("persona", ["rep", "marketer", "stranger"])
def test_only_managers_and_admins_open_the_dashboard(request, persona):
    assert logged_in(request.getfixturevalue(persona)).get(reverse("dashboard:overview")).status_code == 403


def test_an_admin_opens_the_dashboard(admin_user):
    assert logged_in(admin_user).get(reverse("dashboard:overview")).status_code == 200


def test_the_dashboard_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_costs_the_same_queries_as_leads_and_deals_grow(rep, manager):
    client = logged_in(manager)
    factories.accepted_deal(rep, email="first@corp.example")
    client.get(reverse("dashboard:overview"))
    few = count_queries(client, reverse("dashboard:overview"))
    for i in range(8):
        if i % 2:
            factories.accepted_deal(rep, stage="proposal", email=f"deal{i}@corp.example")
        else:
            factories.offered(email=f"offer{i}@corp.example")
        factories.capture(email=f"nurture{i}@corp.example")
    assert count_queries(client, reverse("dashboard:overview")) == few
