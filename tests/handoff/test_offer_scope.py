"""Deciding an offer tells a salesperson nothing beyond their scope: someone else's offer is a
404 whatever the body says, and the "original" of a duplicate must be a lead they see, of the
offer's own team. Naming any other address gets the same answer, and nothing merges across teams."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from handoff import services
from handoff.models import Handoff
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import owned_by
from tests.marketing.pages import form_with_button

pytestmark = pytest.mark.django_db

NOWHERE = "nobody@nowhere.example"
ELSEWHERE = "grace@navy.example"  # a lead of the other team


@pytest.fixture
def theirs(team, other_team, stranger) -> Lead:
    """A lead the other team's salesperson owns (routed there while ours had no reps yet)."""
    return owned_by(stranger, ELSEWHERE)


@pytest.fixture
def ours(theirs, team):
    """Our salesperson, joining after the other team's lead was routed; new leads come to us."""
    return factories.salesperson(team, username="sam")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def unchanged(lead: Lead) -> tuple:
    lead = Lead.objects.get(pk=lead.pk)
    return (lead.stage, lead.owner_id, lead.merged_into_id)


BODIES = [
    {"reason": "duplicate", "original_email": ELSEWHERE},
    {"reason": "duplicate", "original_email": NOWHERE},
    {"reason": "not a reason"},
    {"reason": "other"},
    {"rating": 9},
    {},
]


@pytest.mark.parametrize(
    "body", BODIES, ids=["exists elsewhere", "exists nowhere", "bad reason", "no note", "rating", "empty"]
)
@pytest.mark.parametrize("action", ["accept", "reject"])
def test_someone_elses_offer_is_a_404_before_anything_in_the_body_is_read(theirs, ours, stranger, action, body):
    mine = factories.offered(email="ada@analytical.example")
    assert mine.assignee == ours
    for pk in (mine.pk, 999999):
        response = api(stranger).post(f"/api/v1/offers/{pk}/{action}/", body, format="json")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert Handoff.objects.get(pk=mine.pk).state == Handoff.State.OFFERED


def test_an_original_outside_the_reps_scope_gets_the_same_answer_as_one_that_exists_nowhere(theirs, ours):
    answers = []
    for original in (ELSEWHERE, NOWHERE):
        handoff = factories.offered(email=f"dup-{len(answers)}@hopper.example")
        response = api(ours).post(
            f"/api/v1/offers/{handoff.pk}/reject/", {"reason": "duplicate", "original_email": original}, format="json"
        )
        answers.append((response.status_code, response.json()))
        assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and list(answers[0][1]) == ["original_email"]
    assert unchanged(theirs) == (LeadStage.SAL, theirs.owner_id, None)


def test_a_duplicate_is_never_merged_into_another_teams_lead_even_by_an_admin(theirs, ours, admin_user):
    handoff = factories.offered(email="dup@hopper.example")
    with pytest.raises(ValidationError) as refusal:
        services.reject_offer(handoff_id=handoff.pk, by=admin_user, reason="duplicate", original_email=ELSEWHERE)
    assert "original_email" in refusal.value.message_dict
    assert unchanged(theirs) == (LeadStage.SAL, theirs.owner_id, None)
    assert Lead.objects.get(pk=handoff.lead_id).merged_into_id is None


def test_a_manager_may_name_a_teammates_lead_as_the_original(theirs, ours, team):
    manager = factories.sales_manager(team, username="mike")
    teammate = factories.salesperson(team, username="sara")
    original = None
    for number in range(4):  # round robin: within two offers one is the teammate's
        handoff = factories.offered(email=f"lead@corp{number}.example")
        services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
        if handoff.assignee == teammate:
            original = Lead.objects.get(pk=handoff.lead_id)
            break
    duplicate = factories.offered(email="dup@hopper.example")
    done = services.reject_offer(handoff_id=duplicate.pk, by=manager, reason="duplicate", original_email=original.email)
    assert (done.recycle_action, done.duplicate_of_id) == ("merged", original.pk)


@pytest.mark.parametrize("original", [ELSEWHERE, NOWHERE], ids=["exists elsewhere", "exists nowhere"])
def test_the_inbox_reject_form_answers_alike_for_an_original_elsewhere_or_nowhere(theirs, ours, original):
    handoff = factories.offered(email="dup@hopper.example")
    client = logged_in(ours)
    reject = form_with_button(client.get(reverse("handoff:inbox")), "Reject lead")
    response = client.post(reject.action, reject.data(reason="duplicate", original_email=original))
    assert response.status_code == 400
    assert "None of your team&#x27;s leads that you can see has this address." in response.text
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED
    assert unchanged(theirs) == (LeadStage.SAL, theirs.owner_id, None)


def test_the_inbox_reject_form_of_someone_elses_offer_is_a_404(theirs, ours, stranger):
    handoff = factories.offered(email="dup@hopper.example")
    reject = form_with_button(logged_in(ours).get(reverse("handoff:inbox")), "Reject lead")
    for original in (ELSEWHERE, NOWHERE):
        response = logged_in(stranger).post(reject.action, reject.data(reason="duplicate", original_email=original))
        assert response.status_code == 404
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED
