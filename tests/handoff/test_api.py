import json

import pytest
from django.test import Client
from django.urls import reverse

from handoff.models import Feedback, Handoff
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales.models import Deal
from tests import factories

pytestmark = pytest.mark.django_db

OFFERS = "/api/v1/offers/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data) -> "object":
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def accept_url(handoff: Handoff) -> str:
    return reverse("handoff-api:offer-accept", args=[handoff.pk])


def reject_url(handoff: Handoff) -> str:
    return reverse("handoff-api:offer-reject", args=[handoff.pk])


def state_of(handoff: Handoff) -> tuple:
    handoff = Handoff.objects.get(pk=handoff.pk)
    lead = Lead.objects.get(pk=handoff.lead_id)
    return (
        handoff.state,
        handoff.assignee_id,
        handoff.deal_id,
        handoff.rejection_reason,
        handoff.rejection_note,
        Feedback.objects.filter(handoff=handoff).count(),
        lead.stage,
        lead.owner_id,
    )


@pytest.fixture
def offer(rep):
    handoff = factories.offered(email="grace@navy.example", first_name="Grace", last_name="Hopper")
    assert handoff.assignee == rep
    return handoff


@pytest.fixture
def two_offers(rep, teammate):
    offers = [factories.offered(email=f"lead{i}@corp.example") for i in range(2)]
    by_assignee = {handoff.assignee: handoff for handoff in offers}
    assert set(by_assignee) == {rep, teammate}
    return by_assignee


# --- listing ----------------------------------------------------------------------------


def test_a_rep_lists_only_their_own_open_offers(rep, teammate, two_offers):
    response = logged_in(rep).get(OFFERS)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [two_offers[rep].pk]
    assert body["results"][0]["lead"]["email"] == "lead0@corp.example"
    assert body["count"] == 1


def test_decided_offers_are_not_listed(rep, offer):
    client = logged_in(rep)
    post_json(client, accept_url(offer), {})
    assert client.get(OFFERS).json()["results"] == []


def test_the_manager_lists_the_teams_open_offers(rep, teammate, manager, two_offers):
    body = logged_in(manager).get(OFFERS).json()
    assert {item["id"] for item in body["results"]} == {h.pk for h in two_offers.values()}


def test_a_stranger_lists_nothing_of_ours(rep, offer, stranger):
    assert logged_in(stranger).get(OFFERS).json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_list_is_paginated(rep):
    for i in range(3):
        factories.offered(email=f"lead{i}@corp.example")
    client = logged_in(rep)
    first = client.get(OFFERS, {"page_size": 2}).json()
    assert (first["count"], len(first["results"]), first["next"] is not None) == (3, 2, True)
    second = client.get(first["next"]).json()
    assert (len(second["results"]), second["next"]) == (1, None)
    listed = {item["id"] for item in first["results"] + second["results"]}
    assert listed == set(Handoff.objects.values_list("pk", flat=True))
    assert len(client.get(OFFERS, {"page_size": "lots"}).json()["results"]) == 3  # junk → the default


def test_a_huge_page_size_is_capped_at_200(rep):
    for i in range(201):
        factories.offered(email=f"lead{i}@corp.example")
    body = logged_in(rep).get(OFFERS, {"page_size": 1_000_000}).json()
    assert (body["count"], len(body["results"]), body["next"] is not None) == (201, 200, True)


def test_a_page_beyond_the_end_is_a_404_json(rep, offer):
    response = logged_in(rep).get(OFFERS, {"page": 99})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_marketer_may_not_list_offers(marketer):
    response = logged_in(marketer).get(OFFERS)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_anonymous_callers_are_refused_with_json(client):
    response = client.get(OFFERS)
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"


# --- accepting --------------------------------------------------------------------------


def test_accepting_returns_the_accepted_offer_with_its_deal(rep, offer):
    response = post_json(logged_in(rep), accept_url(offer), {"rating": 5, "comment": "Great fit"})
    assert response.status_code == 200
    body = response.json()
    deal = Deal.objects.get()
    assert (body["id"], body["state"], body["deal"]) == (offer.pk, "accepted", deal.pk)
    assert state_of(offer)[:3] == (Handoff.State.ACCEPTED, rep.pk, deal.pk)
    feedback = Feedback.objects.get(handoff=offer)
    assert (feedback.rating, feedback.comment, feedback.author) == (5, "Great fit", rep)
    assert Lead.objects.get(pk=offer.lead_id).stage == LeadStage.SAL


def test_accepting_with_an_empty_body_is_fine(rep, offer):
    response = logged_in(rep).generic("POST", accept_url(offer))  # e.g. curl -X POST, no body
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"


def test_accepting_twice_is_a_409_and_one_deal(rep, offer):
    client = logged_in(rep)
    post_json(client, accept_url(offer), {})
    response = post_json(client, accept_url(offer), {})
    assert response.status_code == 409
    assert response.json() == {"detail": "This offer is already accepted."}
    assert Deal.objects.count() == 1


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_someone_elses_offer_is_a_404(request, rep, offer, persona):
    before = state_of(offer)
    response = post_json(logged_in(request.getfixturevalue(persona)), accept_url(offer), {})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert state_of(offer) == before
    assert not Deal.objects.exists()


def test_an_offer_that_does_not_exist_is_a_404(rep):
    response = post_json(logged_in(rep), "/api/v1/offers/999999/accept/", {})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_marketer_may_not_accept(rep, offer, marketer):
    before = state_of(offer)
    response = post_json(logged_in(marketer), accept_url(offer), {})
    assert response.status_code == 403
    assert "detail" in response.json()
    assert state_of(offer) == before


def test_anonymous_accept_is_refused_with_json(client, rep, offer):
    before = state_of(offer)
    response = post_json(client, accept_url(offer), {})
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert state_of(offer) == before


@pytest.mark.parametrize("rating", [0, 6, -1, 4.5, "five", True, [], {}])
@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_rating_outside_1_to_5_is_a_400_naming_it_and_changes_nothing(rep, offer, rating, action):
    before = state_of(offer)
    target = accept_url(offer) if action == "accept" else reject_url(offer)
    response = post_json(logged_in(rep), target, {"reason": "spam", "rating": rating})
    assert response.status_code == 400
    assert "rating" in response.json()
    assert state_of(offer) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"rating": NaN}', "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"string"', "application/json", 400),
        ('{"a":' * 5000 + "1" + "}" * 5000, "application/json", 400),
        ('{"comment": "\\u0000"}', "application/json", 400),
        ('{"comment": "\\ud800"}', "application/json", 400),
        ("rating=5", "application/x-www-form-urlencoded", 415),
        ("<offer/>", "application/xml", 415),
        (b"\xff\xfe\xfa", "application/json", 400),
    ],
)
def test_unreadable_bodies_are_refused_with_json_and_change_nothing(rep, offer, body, content_type, status):
    before = state_of(offer)
    response = logged_in(rep).post(accept_url(offer), body, content_type=content_type)
    assert response.status_code == status
    assert "detail" in response.json()
    assert state_of(offer) == before


def test_mass_assignment_on_accept_is_ignored(rep, teammate, offer):
    response = post_json(
        logged_in(rep),
        accept_url(offer),
        {"assignee": teammate.pk, "state": "rejected", "deal": 12345, "team": None, "rejection_reason": "spam"},
    )
    assert response.status_code == 200
    offer.refresh_from_db()
    assert (offer.state, offer.assignee, offer.team, offer.rejection_reason) == (
        Handoff.State.ACCEPTED,
        rep,
        rep.sales_rep.team,
        "",
    )
    assert offer.deal == Deal.objects.get()
    assert offer.deal.owner == rep


# --- rejecting --------------------------------------------------------------------------


def test_rejecting_recycles_the_lead_with_the_reason(rep, offer):
    response = post_json(logged_in(rep), reject_url(offer), {"reason": "no_budget", "note": "Q3", "rating": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["rejection_reason"], body["rejection_note"], body["deal"]) == (
        "rejected",
        "no_budget",
        "Q3",
        None,
    )
    lead = Lead.objects.get(pk=offer.lead_id)
    assert (lead.stage, lead.recycle_count) == (LeadStage.RECYCLED, 1)
    assert lead.stage_changes.last().reason == "Rejected by sales — No budget: Q3"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "made_up"}, "reason"),
        ({"reason": "No budget"}, "reason"),
        ({"reason": ["spam"]}, "reason"),
        ({"reason": "other"}, "note"),
        ({"reason": "other", "note": "   "}, "note"),
        ({"reason": "spam", "note": "x" * 501}, "note"),
    ],
)
def test_rejecting_without_a_known_reason_is_a_400_naming_the_field(rep, offer, data, field):
    before = state_of(offer)
    response = post_json(logged_in(rep), reject_url(offer), data)
    assert response.status_code == 400
    assert field in response.json()
    assert state_of(offer) == before


def test_mass_assignment_on_reject_is_ignored(rep, teammate, offer):
    response = post_json(
        logged_in(rep), reject_url(offer), {"reason": "spam", "assignee": teammate.pk, "state": "accepted"}
    )
    assert response.status_code == 200
    offer.refresh_from_db()
    assert (offer.state, offer.assignee) == (Handoff.State.REJECTED, rep)


def test_rejecting_an_accepted_offer_is_a_409(rep, offer):
    client = logged_in(rep)
    post_json(client, accept_url(offer), {})
    before = state_of(offer)
    response = post_json(client, reject_url(offer), {"reason": "spam"})
    assert response.status_code == 409
    assert state_of(offer) == before


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_someone_elses_offer_cannot_be_rejected(request, rep, offer, persona):
    before = state_of(offer)
    response = post_json(logged_in(request.getfixturevalue(persona)), reject_url(offer), {"reason": "spam"})
    assert response.status_code == 404
    assert state_of(offer) == before


def test_get_on_a_decision_url_is_a_405(rep, offer):
    response = logged_in(rep).get(accept_url(offer))
    assert response.status_code == 405
    assert Handoff.objects.get(pk=offer.pk).state == Handoff.State.OFFERED


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_session_post_without_the_csrf_token_is_refused(rep, offer, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    before = state_of(offer)
    target = accept_url(offer) if action == "accept" else reject_url(offer)
    response = post_json(client, target, {"reason": "spam"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert state_of(offer) == before


def test_a_session_post_with_the_csrf_token_goes_through(rep, offer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    client.get(reverse("handoff:inbox"))  # sets the csrftoken cookie, as the browser would
    token = client.cookies["csrftoken"].value
    response = client.post(accept_url(offer), "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert Handoff.objects.get(pk=offer.pk).state == Handoff.State.ACCEPTED
