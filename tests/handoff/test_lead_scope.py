"""Marketing's leads as sales sees them (docs/RELIABILITY.md: leads — salesperson own, manager
team + pool; 404 outside the scope; a manager exports the team's leads only)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff import services as handoff_services
from handoff.models import RoutingRule
from marketing.models import Lead
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

LEADS = reverse("marketing:lead-list")
EXPORT = reverse("marketing:lead-export")


def listed(response) -> set[str]:
    return {lead.email_normalized for lead in response.context["page"].rows}


def accepted(email: str) -> Lead:
    """A lead offered to one of the team's reps (round robin picks which) and accepted."""
    handoff = factories.offered(email=email)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    return Lead.objects.select_related("owner").get(pk=handoff.lead_id)


@pytest.fixture
def field_rep(other_team):
    # Leads from .de go to the other team; everything else to the first team with reps.
    RoutingRule.objects.create(name="Germany", team=other_team, countries=["DE"])
    return factories.salesperson(other_team, username="fritz")


def test_a_manager_sees_the_teams_leads_and_the_pool_offered_to_it(rep, manager, field_rep):
    owned_by_rep = accepted("owned@acme.example")
    pool = factories.offered(email="waiting@globex.example")  # offered to our team, not yet accepted
    other_team = factories.offered(email="hans@firma.example", country="DE")
    factories.capture("nobody@initech.example")  # still marketing's: not handed to anyone
    assert other_team.team_id == field_rep.sales_rep.team_id

    response = logged_in(manager).get(LEADS)

    assert response.status_code == 200
    assert listed(response) == {owned_by_rep.email_normalized, pool.lead.email_normalized}


def test_a_manager_gets_a_404_for_another_teams_lead_and_opens_their_own(rep, manager, field_rep):
    theirs = factories.offered(email="hans@firma.example", country="DE").lead
    ours = accepted("owned@acme.example")
    client = logged_in(manager)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(ours.get_absolute_url()).status_code == 200


def test_a_manager_exports_only_the_teams_leads(rep, manager, field_rep):
    accepted("owned@acme.example")
    factories.offered(email="hans@firma.example", country="DE")
    factories.capture("nobody@initech.example")

    response = logged_in(manager).get(EXPORT)

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == ["owned@acme.example"]


def test_a_salesperson_never_sees_a_teammates_lead(rep, teammate):
    lead = accepted("theirs@acme.example")
    other = teammate if lead.owner == rep else rep
    assert logged_in(other).get(lead.get_absolute_url()).status_code == 404
    assert logged_in(lead.owner).get(lead.get_absolute_url()).status_code == 200


def test_a_manager_without_a_team_sees_no_leads(rep, team):
    accepted("owned@acme.example")
    lone_manager = factories.sales_manager(factories.TeamFactory(name="Empty"), username="lone")
    assert listed(logged_in(lone_manager).get(LEADS)) == set()


def test_the_managers_lead_list_runs_the_same_queries_as_the_team_grows(rep, manager):
    client = logged_in(manager)
    accepted("first@acme.example")
    client.get(LEADS)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(LEADS))) == 1
    for n in range(8):
        accepted(f"lead{n}@corp{n}.example")
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(LEADS))) == 9
    assert len(many) == len(few)
