"""A person's data on request (GDPR art. 15 and 17): one export with everything, and an
erasure that leaves nothing that names them while every count and amount stays."""

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff import services as handoff_services
from handoff.errors import OfferConflict
from handoff.models import Erasure, Feedback, Handoff, Offer
from handoff.routing import fill_domains
from insights import scorecards
from insights.models import ScorecardRow
from marketing import services as marketing_services
from marketing.models import Lead, LeadStageChange, Touchpoint
from sales import services as sales_services
from sales.models import Activity, Deal, Note
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

EMAIL = "Gracelyn.Hopperstone@NavyLabs.example"
OTHER_EMAIL = "gracelyn@hopperstone-home.example"  # the duplicate merged into her lead
# Strings only this person's data holds: after the erasure no row of any app may contain one.
NEEDLES = [
    "gracelyn",
    "hopperstone",
    "navylabs",
    "0199 4242",
    "01994242",
    "rear admiral",
    "cobol-fan",
    "grace-1906",
    "mornings only",
    "pilot in march",
]


@dataclass
class Person:
    lead: Lead
    duplicate: Lead
    handoff: Handoff
    deal: Deal


def capture_grace(campaign, email: str = EMAIL, **fields) -> Lead:
    fields = {
        "first_name": "Gracelyn",
        "last_name": "Hopperstone",
        "company": "NavyLabs Compilers",
        "title": "Rear Admiral",
        "phone": "+1 555 0199 4242",
        "country": "United States",
        "industry": "Software",
        "company_size": "201-1000",
        "campaign": campaign,
        "utm": {"utm_source": "newsletter", "utm_medium": "email", "utm_content": "grace-1906"},
        "referrer": "https://blog.example/cobol-fan",
        "landing_page": "https://leadflow.example/webinar?who=gracelyn",
        "consent_text": "Yes, Gracelyn Hopperstone may be emailed.",
        "consent_source": "Web form",
        "attributes": {"nickname": "cobol-fan"},
        "details": {"answers": {"What do you need?": "A pilot in March"}},
        **fields,
    }
    return factories.capture(email, **fields)


@pytest.fixture
def person(rep, campaign) -> Person:
    """Gracelyn's whole story: two addresses merged into one lead, a note, an offer taken,
    a deal with a call and a note, won, and rated."""
    duplicate = capture_grace(campaign, OTHER_EMAIL, phone="")
    lead = capture_grace(campaign)
    marketing_services.merge_leads(keep_id=lead.pk, duplicate_id=duplicate.pk)
    marketing_services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.EVENT, note="Gracelyn: mornings only")
    handoff = factories.offered(lead)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep, rating=4, comment="Gracelyn is a real buyer")
    marketing_services.score_lead(lead_id=lead.pk)
    deal = Handoff.objects.get(pk=handoff.pk).deal
    sales_services.log_activity(
        deal_id=deal.pk,
        by=rep,
        kind="call",
        subject="Call Gracelyn",
        details="+1 555 0199 4242, mornings only",
        done=True,
    )
    sales_services.add_note(deal_id=deal.pk, by=rep, body="Hopperstone wants a pilot in March")
    deal = factories.walked_to(deal, "negotiation", by=rep)
    deal = sales_services.close_deal(
        deal_id=deal.pk, won=True, by=rep, expected_version=deal.version, amount=Decimal("48000"), rating=5
    )
    handoff_services.record_deal_outcome(deal_id=deal.pk)
    return Person(
        Lead.objects.get(pk=lead.pk), Lead.objects.get(pk=duplicate.pk), handoff, Deal.objects.get(pk=deal.pk)
    )


def export_url(lead: Lead) -> str:
    return reverse("handoff:lead-export", args=[lead.pk])


def erase_url(lead: Lead) -> str:
    return reverse("handoff:lead-erase", args=[lead.pk])


def erase(client: Client, lead: Lead, confirm: str = EMAIL):
    return client.post(erase_url(lead), {"confirm": confirm})


def mentions_of_the_person() -> list[str]:
    """Every text or JSON cell, in every table of the three apps, that holds one of NEEDLES."""
    found = []
    for app_label in ("marketing", "sales", "handoff", "dashboard"):
        for model in apps.get_app_config(app_label).get_models():
            fields = [
                field
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField | models.JSONField)
            ]
            for row in model.objects.values_list("pk", *[field.attname for field in fields]):
                for field, value in zip(fields, row[1:], strict=True):
                    text = json.dumps(value, ensure_ascii=False).casefold() if value else ""
                    found += [f"{model.__name__}#{row[0]}.{field.name}: {n}" for n in NEEDLES if n in text]
    return found


# --- export -------------------------------------------------------------------------------


def test_the_export_is_a_json_attachment_named_after_the_lead(marketer, person):
    response = logged_in(marketer).get(export_url(person.lead))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="lead-{person.lead.pk}-personal-data.json"'
    assert "no-store" in response["Cache-Control"]


def test_the_export_holds_every_field_and_every_row_on_both_sides(admin_user, person):
    document = json.loads(logged_in(admin_user).get(export_url(person.lead)).content)
    marketing, sales = document["marketing"], document["sales"]
    every_lead_column = {field.attname for field in Lead._meta.concrete_fields}
    assert every_lead_column <= set(marketing["lead"])
    assert marketing["lead"]["email"] == EMAIL
    assert (marketing["lead"]["phone"], marketing["lead"]["title"]) == ("+1 555 0199 4242", "Rear Admiral")
    assert marketing["lead"]["attributes"] == {"nickname": "cobol-fan"}
    assert marketing["lead"]["consent_text"] == "Yes, Gracelyn Hopperstone may be emailed."
    assert marketing["lead"]["first_touch_campaign"] == "Forecasting webinar"
    # Her touchpoints (the duplicate's moved over at the merge) with their free text.
    touches = marketing["touchpoints"]
    assert len(touches) == Touchpoint.objects.filter(lead=person.lead).count() == 3
    assert {touch["landing_page"] for touch in touches} >= {"https://leadflow.example/webinar?who=gracelyn"}
    assert any(touch["details"].get("note") == "Gracelyn: mornings only" for touch in touches)
    assert any(touch["details"].get("answers") for touch in touches)
    assert [change["stage"] for change in marketing["stage_changes"]] == list(
        LeadStageChange.objects.filter(lead=person.lead).values_list("stage", flat=True)
    )
    assert "customer" in [change["stage"] for change in marketing["stage_changes"]]
    assert marketing["score_changes"]
    assert [alias["email_normalized"] for alias in marketing["email_aliases"]] == [OTHER_EMAIL]
    assert [merge["duplicate_email"] for merge in marketing["merges"]] == [OTHER_EMAIL]
    # The merged duplicate, with its own row.
    [duplicate] = marketing["merged_duplicates"]
    assert (duplicate["lead"]["id"], duplicate["lead"]["email"]) == (person.duplicate.pk, OTHER_EMAIL)
    assert document["lead_ids"] == [person.lead.pk, person.duplicate.pk]
    # Handoff: the offer, and sales' verdicts on accept and close.
    [handoff] = document["handoff"]["handoffs"]
    assert (handoff["id"], handoff["state"], handoff["deal_id"]) == (person.handoff.pk, "accepted", person.deal.pk)
    assert len(handoff["offers"]) == 1
    assert {(f["moment"], f["rating"], f["comment"]) for f in handoff["feedback"]} == {
        ("accept", 4, "Gracelyn is a real buyer"),
        ("close", 5, ""),
    }
    # Sales: the deal's own copy of the contact, its brief, history, activities and notes.
    [deal] = sales["deals"]
    assert {field.attname for field in Deal._meta.concrete_fields} <= set(deal["deal"])
    assert (deal["deal"]["contact_email"], deal["deal"]["amount"], deal["deal"]["stage"]) == (EMAIL, "48000.00", "Won")
    assert deal["deal"]["brief"]["name"] == "Gracelyn Hopperstone"
    assert [a["details"] for a in deal["activities"]] == ["+1 555 0199 4242, mornings only"]
    assert [n["body"] for n in deal["notes"]] == ["Hopperstone wants a pilot in March"]
    assert [c["to_stage"] for c in deal["stage_changes"]][-1] == "Won"


def test_the_export_of_a_merged_duplicate_is_the_whole_person(marketer, person):
    response = logged_in(marketer).get(export_url(person.duplicate))
    assert f'filename="lead-{person.lead.pk}-personal-data.json"' in response["Content-Disposition"]
    assert json.loads(response.content)["lead_ids"] == [person.lead.pk, person.duplicate.pk]


# --- erasure ------------------------------------------------------------------------------


def test_the_confirmation_page_says_what_goes_and_what_stays(marketer, person):
    response = logged_in(marketer).get(erase_url(person.lead))
    assert response.status_code == 200
    assertContains(response, "What is erased")
    assertContains(response, "What stays")
    assertContains(response, f"To confirm, type <strong>{EMAIL}</strong>", html=False)
    assert response.context["summary"] == {
        "leads": 2,
        "touchpoints": 3,
        "import_rows": 0,
        "handoffs": 1,
        "deals": 1,
        "activities": 1,
        "notes": 1,
    }


def test_erasing_leaves_no_trace_of_the_person_in_any_table(marketer, person):
    assert len(mentions_of_the_person()) > 20  # the scan sees her before
    response = erase(logged_in(marketer), person.lead, confirm="  gracelyn.hopperstone@navylabs.EXAMPLE ")
    assert response.status_code == 303
    assert response["Location"] == person.lead.get_absolute_url()
    assert mentions_of_the_person() == []
    lead, duplicate = Lead.objects.get(pk=person.lead.pk), Lead.objects.get(pk=person.duplicate.pk)
    assert lead.email_normalized == f"erased-{lead.pk}@erased.invalid"
    assert duplicate.email == f"erased-{duplicate.pk}@erased.invalid"
    assert lead.erased_at == duplicate.erased_at is not None
    assert (lead.phone_key, lead.name_key, lead.company_key, lead.work_domain) == ("", "", "", "")
    assert Lead.objects.search("hopperstone").count() == 0
    assert Lead.objects.search("navylabs").count() == 0


def test_erasing_keeps_every_count_amount_and_scorecard(marketer, person, campaign):
    def numbers():
        scorecards.rebuild_all()
        return {
            "campaign leads": Lead.objects.filter(first_touch_campaign=campaign).count(),
            "touchpoints": list(
                Touchpoint.objects.order_by("pk").values_list("pk", "kind", "campaign_id", "occurred_at")
            ),
            "stages": list(LeadStageChange.objects.order_by("pk").values_list("stage", "entered_at", "exited_at")),
            "lead": list(
                Lead.objects.filter(pk=person.lead.pk).values_list("stage", "score", "outcome", "outcome_amount")
            ),
            "deal": list(Deal.objects.values_list("amount", "currency", "stage_id", "closed_at", "lead_rating")),
            "activities": list(Activity.objects.values_list("kind", "due_at", "done_at")),
            "notes": Note.objects.count(),
            "feedback": list(Feedback.objects.values_list("moment", "rating")),
            "handoffs": list(Handoff.objects.values_list("state", "decided_at", "deal_id", "rejection_reason")),
            "scorecards": list(
                ScorecardRow.objects.order_by("dimension", "key").values_list(
                    "dimension", "key", "leads", "mqls", "offered", "accepted", "won", "revenue", "rating_sum"
                )
            ),
        }

    before = numbers()
    # One person (the merged duplicate is not a lead of its own), won for 48,000, rated 4 and 5.
    assert ("campaign", str(campaign.pk), 1, 1, 1, 1, 1, Decimal("48000.00"), 9) in before["scorecards"]
    erase(logged_in(marketer), person.lead)
    assert numbers() == before


def test_the_same_address_captured_again_is_a_new_person(marketer, person, campaign):
    erase(logged_in(marketer), person.lead)
    again = factories.capture(EMAIL, first_name="Gracelyn")
    also = factories.capture(OTHER_EMAIL)  # the merged duplicate's alias went too
    assert len({again.pk, also.pk, person.lead.pk, person.duplicate.pk}) == 4
    assert Lead.objects.get(pk=person.lead.pk).first_name == ""
    assert again.touchpoints.count() == 1


def test_a_second_erasure_changes_nothing_and_says_so(marketer, admin_user, person):
    erase(logged_in(marketer), person.lead)
    erased = Lead.objects.get(pk=person.lead.pk)
    response = logged_in(admin_user).post(erase_url(person.lead), {"confirm": ""}, follow=True)
    assertContains(response, "already erased: nothing to do")
    assert Lead.objects.get(pk=person.lead.pk).updated_at == erased.updated_at
    [record] = Erasure.objects.all()
    assert (record.lead_id, record.lead_ids, record.deal_ids) == (
        person.lead.pk,
        [person.lead.pk, person.duplicate.pk],
        [person.deal.pk],
    )
    assert (record.erased_by, record.erased_by_username) == (marketer, "maria")
    assert handoff_services.erase_subject(lead_id=person.lead.pk, by=admin_user).already_erased


def test_a_confirmation_that_does_not_match_is_a_400_and_erases_nothing(marketer, person):
    before = mentions_of_the_person()
    response = erase(logged_in(marketer), person.lead, confirm=OTHER_EMAIL)
    assert response.status_code == 400
    assertContains(response, "That does not match this person: nothing was erased.", status_code=400)
    assert erase(logged_in(marketer), person.lead, confirm="").status_code == 400
    assert mentions_of_the_person() == before
    assert not Erasure.objects.exists()


def test_an_erasure_without_the_csrf_token_is_refused(marketer, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    response = client.post(erase_url(person.lead), {"confirm": EMAIL})
    assert response.status_code == 403
    assert Lead.objects.get(pk=person.lead.pk).erased_at is None


def test_a_lead_imported_without_an_email_is_confirmed_by_its_id(marketer):
    lead = factories.capture("cobol-fan-17@x-education.import.invalid", first_name="Gracelyn")
    client = logged_in(marketer)
    assertContains(client.get(erase_url(lead)), "Type the lead&#x27;s import ID to confirm")
    assert erase(client, lead, confirm="cobol-fan-17").status_code == 303
    assert Lead.objects.get(pk=lead.pk).erased_at is not None


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", [export_url, erase_url])
def test_anonymous_visitors_are_sent_to_log_in(method, url, person):
    response = getattr(Client(), method)(url(person.lead), {"confirm": EMAIL} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Lead.objects.get(pk=person.lead.pk).erased_at is None


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_sales_may_neither_export_nor_erase_a_person_even_their_own_lead(who, request, person):
    client = logged_in(request.getfixturevalue(who))
    assert client.get(reverse("marketing:lead-detail", args=[person.lead.pk])).status_code == 200  # in their scope
    assert client.get(export_url(person.lead)).status_code in (403, 404)
    assert client.get(erase_url(person.lead)).status_code in (403, 404)
    assert erase(client, person.lead).status_code in (403, 404)
    assert Lead.objects.get(pk=person.lead.pk).erased_at is None


def test_marketers_and_admins_see_the_buttons_on_the_lead_page_and_sales_does_not(marketer, admin_user, rep, person):
    page = reverse("marketing:lead-detail", args=[person.lead.pk])
    for user in (marketer, admin_user):
        response = logged_in(user).get(page)
        assertContains(response, f'href="{export_url(person.lead)}"')
        assertContains(response, "Export personal data")
        assertContains(response, f'href="{erase_url(person.lead)}"')
        assertContains(response, "Erase this person")
    assertNotContains(logged_in(rep).get(page), "Export personal data")


def test_an_erased_lead_says_so_and_offers_no_edit_or_second_erasure(marketer, person):
    erase(logged_in(marketer), person.lead)
    response = logged_in(marketer).get(reverse("marketing:lead-detail", args=[person.lead.pk]))
    assertContains(response, "data was erased on")
    assertContains(response, f"Erased person (lead #{person.lead.pk})")
    assertNotContains(response, f'href="{erase_url(person.lead)}"')
    assertContains(response, "Export personal data")  # what is left can still be shown


# --- nothing writes the person back ---------------------------------------------------------


def test_a_profile_form_opened_before_the_erasure_cannot_write_the_person_back(marketer, campaign):
    lead = capture_grace(campaign)
    client = logged_in(marketer)
    erase(client, lead)
    profile = {"first_name": "Gracelyn", "last_name": "Hopperstone", "company": "NavyLabs", "title": "", "phone": ""}
    profile |= {"country": "", "industry": "", "company_size": ""}
    response = client.post(reverse("marketing:lead-edit", args=[lead.pk]), profile)
    assert response.status_code == 409
    assert mentions_of_the_person() == []


def test_an_erased_persons_open_offer_cannot_be_accepted_nor_offered_again(marketer, rep, teammate, campaign):
    handoff = factories.offered(capture_grace(campaign))
    erase(logged_in(marketer), handoff.lead)
    with pytest.raises(OfferConflict):
        handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    Handoff.objects.filter(pk=handoff.pk).update(state=Handoff.State.EXPIRED)  # as the SLA sweep leaves it
    # Withdrawn for good: no sweep offers it, nor tries to, again.
    assert handoff_services.offer_handoff(handoff_id=handoff.pk).state == Handoff.State.WITHDRAWN
    assert not Offer.objects.filter(handoff=handoff, state=Offer.State.OPEN).exists()
    assert Deal.objects.count() == 0
    assert mentions_of_the_person() == []


# --- the API --------------------------------------------------------------------------------


def api_erase(client: Client, lead: Lead, confirm: str = EMAIL):
    return client.post(
        f"/api/v1/leads/{lead.pk}/erase/", json.dumps({"confirm": confirm}), content_type="application/json"
    )


def test_admins_erase_through_the_api_with_the_same_confirmation(admin_user, person):
    client = logged_in(admin_user)
    assert api_erase(client, person.lead, confirm="someone@else.example").status_code == 400
    assert Lead.objects.get(pk=person.lead.pk).erased_at is None
    response = api_erase(client, person.duplicate)  # a duplicate's id means its person
    assert response.status_code == 200
    assert (response.json()["lead_id"], response.json()["already_erased"]) == (person.lead.pk, False)
    assert mentions_of_the_person() == []
    again = api_erase(client, person.lead, confirm="")
    assert (again.status_code, again.json()["already_erased"]) == (200, True)
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize("who", [None, "marketer", "manager"])
def test_only_admins_may_erase_through_the_api(who, request, person):
    client = logged_in(request.getfixturevalue(who)) if who else Client()
    assert api_erase(client, person.lead).status_code in (401, 403)
    assert Lead.objects.get(pk=person.lead.pk).erased_at is None


def test_the_api_answers_an_unknown_lead_with_404(admin_user):
    response = logged_in(admin_user).post(
        "/api/v1/leads/999999/erase/", {"confirm": EMAIL}, content_type="application/json"
    )
    assert response.status_code == 404


def test_an_erased_person_has_no_company_domain_for_routing_to_find_again(marketer, person):
    assert Handoff.objects.get(pk=person.handoff.pk).domain == "navylabs.example"
    erase(logged_in(marketer), person.lead)
    assert fill_domains() == 0  # the bulk refill finds no company in erased-…@erased.invalid
    assert Handoff.objects.get(pk=person.handoff.pk).domain == ""
