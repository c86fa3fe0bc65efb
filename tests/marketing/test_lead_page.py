"""The lead page: its timeline tells the whole story; marketing edits it until sales has it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff import services as handoff_services
from marketing import services
from marketing.models import Lead, ScoreChange, Stage, Touchpoint
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def url(name: str, lead: Lead) -> str:
    return reverse(f"marketing:{name}", args=[lead.pk])


def kinds(response) -> list[str]:
    return [event.kind for event in response.context["timeline"].events]


def test_the_timeline_shows_touches_stages_score_changes_the_verdict_and_the_outcome(marketer, rep, campaign):
    handoff = factories.offered(campaign=campaign, company="Analytical Engines")
    services.score_lead(lead_id=handoff.lead_id)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    services.record_outcome(
        lead_id=handoff.lead_id, won=True, amount=Decimal("48000"), closed_at=datetime.datetime.now(datetime.UTC)
    )
    lead = Lead.objects.get(pk=handoff.lead_id)
    response = logged_in(marketer).get(lead.get_absolute_url())
    assert {"touch", "stage", "score", "outcome"} <= set(kinds(response))
    assertContains(response, "Accepted by sales")
    assertContains(response, "Deal won")
    assertContains(response, "Score 0 → <strong>30</strong>", html=False)
    assertContains(response, "48,000")


def test_a_rejection_reaches_the_timeline_with_sales_reason(marketer, rep):
    handoff = factories.offered()
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason="no_budget", note="Frozen until Q1")
    response = logged_in(marketer).get(reverse("marketing:lead-detail", args=[handoff.lead_id]))
    assertContains(response, "Rejected by sales — No budget: Frozen until Q1")


def test_score_changes_keep_their_reasons_and_cause(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture(company="Analytical Engines")
    services.score_lead(lead_id=lead.pk)
    services.score_lead(lead_id=lead.pk)  # unchanged: no new history row
    services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.WEBINAR)
    services.score_lead(lead_id=lead.pk, cause="Webinar attended")
    changes = list(ScoreChange.objects.filter(lead=lead).values_list("old_score", "new_score", "cause"))
    assert changes == [(0, 30, "New activity"), (30, 45, "Webinar attended")]
    assert {"rule": "Webinar attended ×1", "points": 15} in ScoreChange.objects.last().reasons


def test_a_long_history_shows_the_latest_hundred_touches_and_says_how_many_more(marketer, monkeypatch):
    monkeypatch.setattr("marketing.timeline.TOUCHES_SHOWN", 5)
    lead = factories.capture()
    for _ in range(7):
        services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.PAGE_VIEW)
    response = logged_in(marketer).get(lead.get_absolute_url())
    assert kinds(response).count("touch") == 5
    assertContains(response, "3 older touchpoints not shown.")


# --- editing ------------------------------------------------------------------------------


def profile(**fields) -> dict:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company": "Analytical Engines",
        "title": "CTO",
        "phone": "+44 20 7946 0000",
        "country": "United Kingdom",
        "industry": "Computing",
        "company_size": "11-50",
        **fields,
    }


def test_a_marketer_edits_a_lead_that_marketing_still_has(marketer):
    lead = factories.capture()
    response = logged_in(marketer).post(url("lead-edit", lead), profile())
    assert response.status_code == 303
    lead.refresh_from_db()
    assert (lead.company, lead.title, lead.company_size) == ("Analytical Engines", "CTO", "11-50")
    assert (lead.phone_key, lead.company_key) == ("079460000", "analytical engines")


def test_a_lead_with_sales_is_read_only(marketer, rep):
    factories.accepted_deal(rep, email="taken@corp.example")
    lead = Lead.objects.get(email_normalized="taken@corp.example")
    client = logged_in(marketer)
    page = client.get(lead.get_absolute_url())
    assertNotContains(page, "Edit profile")
    assertContains(page, "marketing reads this lead")
    response = client.post(url("lead-edit", lead), profile(company="Changed"))
    assertContains(response, "its profile is read-only", status_code=409)
    assert Lead.objects.get(pk=lead.pk).company == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "x" * 101}, "first_name"),
        ({"company_size": "a million"}, "company_size"),
        ({"company": "ACME\x00"}, "company"),
    ],
)
def test_a_bad_edit_is_a_400_on_its_field_and_changes_nothing(marketer, fields, field):
    lead = factories.capture(company="Before")
    response = logged_in(marketer).post(url("lead-edit", lead), profile(**fields))
    assert response.status_code == 400
    assert field in response.context["edit_form"].errors
    assert Lead.objects.get(pk=lead.pk).company == "Before"


def test_mass_assignment_through_the_edit_form_is_ignored(marketer, rep):
    lead = factories.capture()
    logged_in(marketer).post(
        url("lead-edit", lead), profile(stage="customer", score="999", owner=str(rep.pk), email="x@evil.example")
    )
    lead.refresh_from_db()
    assert (lead.stage, lead.score, lead.owner, lead.email) == (Stage.LEAD, 0, None, "ada@analytical.example")


@pytest.mark.parametrize("name", ["lead-edit", "lead-disqualify", "lead-renurture"])
def test_a_salesperson_may_not_change_a_lead_here(rep, name):
    lead = factories.capture()
    response = logged_in(rep).post(url(name, lead), {**profile(company="Mine"), "reason": "mine"})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert (lead.company, lead.stage) == ("", Stage.LEAD)


@pytest.mark.parametrize("name", ["lead-edit", "lead-disqualify", "lead-renurture", "lead-detail"])
def test_a_missing_lead_is_a_404_everywhere(marketer, name):
    missing = Lead(pk=987654)
    client = logged_in(marketer)
    response = client.get(url(name, missing)) if name == "lead-detail" else client.post(url(name, missing), {})
    assert response.status_code == 404


def test_lead_actions_need_a_post_and_the_csrf_token(marketer):
    lead = factories.capture()
    assert logged_in(marketer).get(url("lead-disqualify", lead)).status_code == 405
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(url("lead-disqualify", lead), {"reason": "x"}).status_code == 403
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


# --- disqualify and re-nurture ------------------------------------------------------------


def test_disqualifying_needs_a_reason(marketer):
    lead = factories.capture()
    client = logged_in(marketer)
    response = client.post(url("lead-disqualify", lead), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["disqualify_form"].errors
    assert client.post(url("lead-disqualify", lead), {"reason": "Student"}).status_code == 303
    assert Lead.objects.get(pk=lead.pk).stage == Stage.DISQUALIFIED


def test_only_a_recycled_lead_goes_back_to_nurture(marketer, rep):
    fresh = factories.capture("fresh@corp.example")
    client = logged_in(marketer)
    assertContains(client.post(url("lead-renurture", fresh)), "Only recycled leads", status_code=409)
    handoff = factories.offered(email="back@corp.example")
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason="bad_timing")
    recycled = Lead.objects.get(pk=handoff.lead_id)
    assert client.post(url("lead-renurture", recycled)).status_code == 303
    assert Lead.objects.get(pk=recycled.pk).stage == Stage.LEAD


def test_the_page_names_possible_duplicates(marketer):
    lead = factories.capture("ada@analytical.example", phone="+44 20 7946 0000")
    factories.capture("ada.l@gmail.com", first_name="Grace", phone="020 7946 0000")
    factories.capture("someone@else.example", phone="+1 555 0100 999")
    response = logged_in(marketer).get(lead.get_absolute_url())
    assert [other.email_normalized for other in response.context["duplicates"]] == ["ada.l@gmail.com"]
    assertContains(response, "Merge into this one")


def _verdicts_of(client, lead: Lead) -> str:
    """What sales said as a person reads it, loaded the way the lead page loads it (the slot's hx-get)."""
    page = client.get(lead.get_absolute_url())
    slot = re.search(r'id="lead-sales-verdicts" hx-get="([^"]+)"', page.content.decode())
    fragment = client.get(slot.group(1)).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_an_offer_reads_as_made_to_the_rep_and_their_verdict_as_given_by_them(marketer, rep):
    handoff = factories.offered()
    name = handoff.assignee.get_full_name()
    client = logged_in(marketer)
    verdicts = _verdicts_of(client, handoff.lead)
    assert f"Offered to {name}" in verdicts
    assert f"by {name}" not in verdicts

    handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    assert f"Accepted by {name}" in _verdicts_of(client, handoff.lead)
