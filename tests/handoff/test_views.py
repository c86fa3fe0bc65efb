import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff import services
from handoff.models import Feedback, Handoff, Offer
from marketing.models import Lead, Touchpoint
from marketing.models import Stage as LeadStage
from sales.models import Deal
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accept_url(handoff: Handoff) -> str:
    return reverse("handoff:offer-accept", args=[handoff.pk])


def reject_url(handoff: Handoff) -> str:
    return reverse("handoff:offer-reject", args=[handoff.pk])


def lead_with_touchpoints(email: str, campaign=None, touches: int = 3) -> Lead:
    """A lead that came back a few times: every capture of the same address adds a touchpoint."""
    kinds = [Touchpoint.Kind.FORM_SUBMIT, Touchpoint.Kind.WEBINAR, Touchpoint.Kind.CONTENT_DOWNLOAD]
    for i in range(touches):
        lead = factories.capture(email=email, company="Analytical Engines", campaign=campaign, touch_kind=kinds[i % 3])
    return lead


def state_of(handoff: Handoff) -> tuple:
    handoff = Handoff.objects.get(pk=handoff.pk)
    lead = Lead.objects.get(pk=handoff.lead_id)
    return (
        handoff.state,
        handoff.deal_id,
        handoff.rejection_reason,
        list(handoff.offers.values_list("state", flat=True)),
        Feedback.objects.filter(handoff=handoff).count(),
        lead.stage,
        lead.owner_id,
    )


@pytest.fixture
def offer(rep):
    """An open offer to `rep` (the only rep of the team)."""
    handoff = factories.offered(first_name="Grace", last_name="Hopper", email="grace@navy.example")
    assert handoff.assignee == rep
    return handoff


@pytest.fixture
def two_offers(rep, teammate):
    """One open offer to `rep` and one to `teammate` (round robin alternates)."""
    offers = [factories.offered(email=f"lead{i}@corp.example", first_name=f"Lead{i}") for i in range(2)]
    by_assignee = {handoff.assignee: handoff for handoff in offers}
    assert set(by_assignee) == {rep, teammate}
    return by_assignee


# --- the inbox --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("handoff:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_marketer_has_no_offer_inbox(marketer):
    assert logged_in(marketer).get(reverse("handoff:inbox")).status_code == 403


def test_a_rep_sees_only_their_own_open_offers(rep, teammate, two_offers):
    response = logged_in(rep).get(reverse("handoff:inbox"))
    assert response.status_code == 200
    assert [card["offer"] for card in response.context["cards"]] == [two_offers[rep]]
    assert two_offers[rep].lead.email in response.text
    assert two_offers[teammate].lead.email not in response.text


def test_decided_offers_leave_the_inbox(rep, offer):
    services.accept_offer(handoff_id=offer.pk, by=rep)
    response = logged_in(rep).get(reverse("handoff:inbox"))
    assert response.context["cards"] == []


def test_the_manager_sees_the_teams_open_offers(rep, teammate, manager, two_offers):
    response = logged_in(manager).get(reverse("handoff:inbox"))
    assert {card["offer"] for card in response.context["cards"]} == set(two_offers.values())


def test_a_stranger_sees_an_empty_inbox_that_says_so(rep, offer, stranger):
    response = logged_in(stranger).get(reverse("handoff:inbox"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert "You're all caught up" in response.text
    assert offer.lead.email not in response.text


def test_the_offer_card_shows_the_brief_and_escapes_it(rep, campaign):
    lead = lead_with_touchpoints("ada@analytical.example", campaign=campaign)
    Lead.objects.filter(pk=lead.pk).update(company="<script>alert(1)</script>")
    factories.offered(lead=lead)
    response = logged_in(rep).get(reverse("handoff:inbox"))
    journey = re.search(r'<ol class="hf-journey">(.*?)</ol>', response.text, re.S).group(1)
    steps = [re.sub(r"<[^>]+>|\s+", " ", item).split()[:2] for item in re.findall(r"<li>(.*?)</li>", journey, re.S)]
    assert steps == [["Form", "submitted"], ["Webinar", "attended"], ["Content", "downloaded"]]
    assert journey.count("Forecasting webinar") == 3
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_every_field_on_the_inbox_has_a_label_and_a_unique_id(rep, teammate, manager, two_offers):
    html = logged_in(manager).get(reverse("handoff:inbox")).text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for field_id in re.findall(r'<(?:select|textarea)[^>]*\sid="([^"]+)"', html):
        assert f'for="{field_id}"' in html


def count_queries(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_queries_for_one_or_ten_offers(rep, campaign):
    factories.offered(lead=lead_with_touchpoints("first@corp.example", campaign=campaign))
    client = logged_in(rep)
    client.get(reverse("handoff:inbox"))
    one = count_queries(client, reverse("handoff:inbox"))
    for i in range(9):
        factories.offered(lead=lead_with_touchpoints(f"lead{i}@corp.example", campaign=campaign))
    assert Handoff.objects.filter(assignee=rep, state=Handoff.State.OFFERED).count() == 10
    assert count_queries(client, reverse("handoff:inbox")) == one


# --- accepting --------------------------------------------------------------------------


def test_accepting_by_form_post_opens_the_deal_and_goes_there(rep, offer):
    response = logged_in(rep).post(accept_url(offer), {"rating": "4"})
    deal = Deal.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])
    offer.refresh_from_db()
    assert (offer.state, offer.deal, deal.owner) == (Handoff.State.ACCEPTED, deal, rep)
    assert Feedback.objects.get(handoff=offer).rating == 4
    assert Lead.objects.get(pk=offer.lead_id).stage == LeadStage.SAL


def test_accepting_with_htmx_swaps_in_the_decided_card(rep, offer):
    response = logged_in(rep).post(accept_url(offer), {}, **HTMX)
    deal = Deal.objects.get()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="offer-{offer.pk}"' in response.text
    assert "Accepted." in response.text
    assert f'href="{reverse("sales:deal-detail", args=[deal.pk])}"' in response.text
    assert Handoff.objects.get(pk=offer.pk).state == Handoff.State.ACCEPTED


def test_the_manager_accepts_for_the_team_and_the_deal_stays_the_reps(rep, manager, offer):
    response = logged_in(manager).post(accept_url(offer))
    assert response.status_code == 303
    assert Deal.objects.get().owner == rep


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_someone_elses_offer_cannot_be_accepted(request, rep, offer, persona, headers):
    before = state_of(offer)
    response = logged_in(request.getfixturevalue(persona)).post(accept_url(offer), **headers)
    assert response.status_code == 404
    assert state_of(offer) == before
    assert not Deal.objects.exists()


def test_a_marketer_cannot_accept(rep, offer, marketer):
    before = state_of(offer)
    assert logged_in(marketer).post(accept_url(offer)).status_code == 403
    assert state_of(offer) == before


def test_anonymous_accept_goes_to_log_in_and_changes_nothing(client, rep, offer):
    before = state_of(offer)
    assert client.post(accept_url(offer)).status_code == 302
    assert state_of(offer) == before


def test_accepting_twice_with_htmx_is_a_conflict_shown_in_the_card(rep, offer):
    client = logged_in(rep)
    client.post(accept_url(offer), **HTMX)
    response = client.post(accept_url(offer), **HTMX)
    assert response.status_code == 409
    assert "<html" not in response.text
    assert "This offer is already accepted." in response.text
    assert Deal.objects.count() == 1


def test_accepting_twice_by_form_post_is_a_conflict_on_a_full_page(rep, offer):
    client = logged_in(rep)
    client.post(accept_url(offer))
    response = client.post(accept_url(offer))
    assert response.status_code == 409
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "This offer is already accepted." in response.text
    assert Deal.objects.count() == 1


@pytest.mark.parametrize("rating", ["9", "0", "-1", "abc", "4.5"])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_accepting_with_a_rating_outside_1_to_5_is_refused_and_changes_nothing(rep, offer, rating, headers):
    before = state_of(offer)
    response = logged_in(rep).post(accept_url(offer), {"rating": rating}, **headers)
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert state_of(offer) == before
    assert not Deal.objects.exists()


@pytest.mark.parametrize("name", ["handoff:offer-accept", "handoff:offer-reject"])
def test_decision_urls_answer_get_with_405(rep, offer, name):
    assert logged_in(rep).get(reverse(name, args=[offer.pk])).status_code == 405
    assert Handoff.objects.get(pk=offer.pk).state == Handoff.State.OFFERED


def test_a_form_post_without_the_csrf_token_is_refused(rep, offer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    before = state_of(offer)
    assert client.post(accept_url(offer)).status_code == 403
    assert state_of(offer) == before


# --- rejecting --------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_rejecting_without_a_reason_shows_the_field_error(rep, offer, headers):
    before = state_of(offer)
    response = logged_in(rep).post(reject_url(offer), {"reason": "", "note": ""}, **headers)
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert 'aria-invalid="true"' in response.text
    assert state_of(offer) == before


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_rejecting_as_other_without_a_note_asks_for_one(rep, offer, headers):
    before = state_of(offer)
    response = logged_in(rep).post(reject_url(offer), {"reason": "other", "note": "   "}, **headers)
    assert response.status_code == 400
    assert "Say why, when the reason is Other." in response.text
    assert '<option value="other" selected>' in response.text  # the choice is kept
    assert state_of(offer) == before


@pytest.mark.parametrize(
    ("data", "field"), [({"reason": "made_up"}, "reason"), ({"reason": "spam", "rating": "9"}, "rating")]
)
def test_rejecting_with_an_unknown_reason_or_rating_is_refused(rep, offer, data, field):
    before = state_of(offer)
    response = logged_in(rep).post(reject_url(offer), data, **HTMX)
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert state_of(offer) == before


def test_rejecting_recycles_the_lead_with_the_reason(rep, offer):
    response = logged_in(rep).post(
        reject_url(offer), {"reason": "no_budget", "note": "Frozen until Q3", "rating": "2"}, **HTMX
    )
    assert response.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    assert "Rejected: No budget. It is back with marketing for nurture, and can come back to sales from" in text
    offer.refresh_from_db()
    lead = Lead.objects.get(pk=offer.lead_id)
    assert (offer.state, offer.rejection_reason, offer.rejection_note) == (
        Handoff.State.REJECTED,
        "no_budget",
        "Frozen until Q3",
    )
    assert offer.offers.get().state == Offer.State.REJECTED
    assert (lead.stage, lead.recycle_count) == (LeadStage.RECYCLED, 1)
    assert lead.stage_changes.last().reason == "Rejected by sales — No budget: Frozen until Q3"
    assert Feedback.objects.get(handoff=offer).rating == 2


def test_rejecting_by_form_post_goes_back_to_the_inbox(rep, offer):
    response = logged_in(rep).post(reject_url(offer), {"reason": "bad_timing"})
    assert response.status_code == 303
    assert response["Location"] == reverse("handoff:inbox")
    assert Handoff.objects.get(pk=offer.pk).state == Handoff.State.REJECTED


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_someone_elses_offer_cannot_be_rejected(request, rep, offer, persona):
    before = state_of(offer)
    client = logged_in(request.getfixturevalue(persona))
    assert client.post(reject_url(offer), {"reason": "spam"}).status_code == 404
    assert client.post(reject_url(offer), {"reason": ""}).status_code == 404  # invalid input must not leak it
    assert state_of(offer) == before


def test_rejecting_an_accepted_offer_is_a_conflict(rep, offer):
    services.accept_offer(handoff_id=offer.pk, by=rep)
    before = state_of(offer)
    response = logged_in(rep).post(reject_url(offer), {"reason": "spam"}, **HTMX)
    assert response.status_code == 409
    assert "This offer is already accepted." in response.text
    assert state_of(offer) == before


def test_pages_tell_htmx_to_show_refusals_in_place(rep, offer):
    # htmx 2 drops 4xx answers by default; ours carry the explanation of a refusal.
    response = logged_in(rep).get(reverse("handoff:inbox"))
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', response.text)
    rules = json.loads(config.group(1))["responseHandling"]
    assert {"code": "(400|409)", "swap": True, "error": False} in rules
