"""The hosted public form: a visitor's post becomes a lead; bad input gets a 400 and leaves nothing."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from marketing.forms import DEFAULT_CONSENT_TEXT
from marketing.models import Lead, LeadStageChange, Stage, Touchpoint
from tests import factories
from tests.conftest import logged_in
from tests.marketing.visitors import FORM_BODY, form_url, submit, token_for

pytestmark = pytest.mark.django_db


def assert_nothing_stored() -> None:
    assert not Lead.objects.exists()
    assert not Touchpoint.objects.exists()
    assert not LeadStageChange.objects.exists()


def test_the_form_carries_the_visits_utm_tags_in_hidden_inputs(campaign):
    query = {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring", "utm_term": "crm"}
    response = Client().get(form_url(campaign), query, headers={"referer": "https://news.example/issue-7"})
    assert response.status_code == 200
    for name, value in query.items():
        assertContains(response, f'<input type="hidden" name="{name}" value="{value}" id="id_{name}">', html=True)
    assertContains(response, 'name="referrer" value="https://news.example/issue-7"')
    assertContains(response, 'name="landing_page" value="http://testserver/marketing/forms/forecasting-webinar/?utm_')


def test_markup_in_a_utm_tag_stays_inside_its_hidden_input(campaign):
    response = Client().get(form_url(campaign), {"utm_source": '"><script>alert(1)</script>'})
    assert b"<script>alert(1)</script>" not in response.content
    assertContains(response, 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')


def test_a_valid_post_saves_the_lead_with_campaign_utm_landing_page_and_consent(campaign):
    response = submit(
        campaign,
        company="Analytical Engines",
        consent="on",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="spring",
        landing_page="https://example.com/webinar?utm_source=newsletter",
        referrer="https://news.example/",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:capture-thanks", args=[campaign.utm_campaign])
    lead = Lead.objects.get()
    assert (lead.email_normalized, lead.first_name, lead.company) == (
        "ada@analytical.example",
        "Ada",
        "Analytical Engines",
    )
    assert (lead.first_touch_campaign, lead.source, lead.stage) == (campaign, campaign.channel, Stage.LEAD)
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("newsletter", "email", "spring")
    assert (lead.consent_text, lead.consent_source) == (
        DEFAULT_CONSENT_TEXT,
        "Web form: Forecasting webinar (wording v1)",
    )
    assert lead.consent_given_at is not None
    touch = lead.touchpoints.get()
    assert (touch.kind, touch.campaign) == (Touchpoint.Kind.FORM_SUBMIT, campaign)
    assert (touch.landing_page, touch.referrer) == (
        "https://example.com/webinar?utm_source=newsletter",
        "https://news.example/",
    )


def test_without_the_box_ticked_no_consent_is_recorded(campaign):
    assert submit(campaign).status_code == 302
    lead = Lead.objects.get()
    assert (lead.consent_given_at, lead.consent_text) == (None, "")


def test_the_thanks_page_names_the_campaign(campaign):
    response = Client().get(reverse("marketing:capture-thanks", args=[campaign.utm_campaign]))
    assertContains(response, "Forecasting webinar")


def test_a_double_click_makes_one_lead(campaign):
    assert submit(campaign).status_code == 302
    assert submit(campaign).status_code == 302
    assert Lead.objects.count() == 1


def test_an_unknown_campaign_is_a_404_and_stores_nothing(db):
    client = Client()
    assert client.get("/marketing/forms/no-such-campaign/").status_code == 404
    response = client.post("/marketing/forms/no-such-campaign/", {"email": "ada@analytical.example"})
    assert response.status_code == 404
    assert client.get("/marketing/forms/no-such-campaign/thanks/").status_code == 404
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"email": "not-an-email"}, "Enter a valid email address.", id="invalid-email"),
        pytest.param({"email": ""}, "This field is required.", id="missing-email"),
        pytest.param({"email": "a@b.com\r\nBcc: x@y.com"}, "Enter a valid email address.", id="crlf-email"),
        pytest.param({"email": "a" * 250 + "@b.com"}, "at most 254 characters", id="long-email"),
        pytest.param({"first_name": "x" * 1_000_000}, "at most 100 characters", id="1mb-first-name"),
        pytest.param({"company": "ACME\x00Corp"}, "Null characters are not allowed.", id="nul-in-company"),
        pytest.param({"email": "ada\x00@analytical.example"}, "Null characters are not allowed.", id="nul-in-email"),
    ],
)
def test_bad_input_is_a_400_showing_the_fields_error_and_stores_nothing(campaign, fields, message):
    response = submit(campaign, **fields)
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, 'aria-invalid="true"', status_code=400)  # the field itself is marked
    assert_nothing_stored()


def test_a_crafted_hidden_field_is_refused_and_named(campaign):
    response = submit(campaign, utm_source="x" * 201)
    assertContains(response, "utm_source: Ensure this value has at most 200 characters", status_code=400)
    assert_nothing_stored()


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_a_body_over_one_megabyte_is_a_400_and_stores_nothing(campaign, multipart):
    data = {"email": "ada@analytical.example", "first_name": "x" * 1_100_000, "form_token": token_for(campaign)}
    client = Client()
    if multipart:
        response = client.post(form_url(campaign), data)
    else:
        response = client.post(form_url(campaign), urlencode(data), content_type=FORM_BODY)
    assert response.status_code == 400
    assert_nothing_stored()


def test_posted_fields_outside_the_form_are_ignored(campaign, rep):
    response = submit(
        campaign,
        stage="customer",
        score="999",
        owner=str(rep.pk),
        owner_id=str(rep.pk),
        recycle_count="5",
        consent_given_at="2020-01-01T00:00:00Z",
        email_normalized="someone-else@example.com",
        review_reason="",
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.stage, lead.score, lead.owner, lead.recycle_count) == (Stage.LEAD, 0, None, 0)
    assert (lead.consent_given_at, lead.email_normalized) == (None, "ada@analytical.example")


def test_posted_fields_outside_the_form_do_not_change_an_existing_lead(campaign, rep):
    factories.capture("ada@analytical.example", first_name="Ada")
    submit(campaign, first_name="Mallory", stage="customer", score="999", owner=str(rep.pk), recycle_count="5")
    lead = Lead.objects.get()
    assert (lead.first_name, lead.stage, lead.score, lead.owner, lead.recycle_count) == ("Ada", Stage.LEAD, 0, None, 0)


def test_a_returning_visitor_is_a_touchpoint_but_their_consent_and_blanks_stay_as_they_were(campaign):
    """The form's signed token proves LeadFlow rendered the page, not who typed the address."""
    factories.capture("ada@analytical.example", first_name="Ada", company="")
    response = submit(campaign, company="Evil Corp", consent="on")
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.company, lead.consent_given_at, lead.consent_text, lead.last_touch_campaign) == (
        "",
        None,
        "",
        campaign,
    )
    touch = lead.touchpoints.latest("occurred_at")
    assert (touch.kind, touch.details) == (Touchpoint.Kind.FORM_SUBMIT, {"consent_version": 1})


@pytest.mark.parametrize(
    "email", ["4711@x-education-leads.import.invalid", "4711@X-EDUCATION-LEADS.IMPORT.INVALID", "lead-1@merged.invalid"]
)
def test_an_address_only_an_import_makes_is_a_400_on_the_email_field_and_changes_nothing(campaign, email):
    factories.capture("4711@x-education-leads.import.invalid", touch_kind=Touchpoint.Kind.IMPORT, first_name="")
    before = (list(Lead.objects.values()), Touchpoint.objects.count())
    response = submit(campaign, email=email, first_name="Mallory")
    assertContains(response, "never receive email", status_code=400)
    assertContains(response, 'aria-invalid="true"', status_code=400)
    assert (list(Lead.objects.values()), Touchpoint.objects.count()) == before


def test_markup_as_a_name_is_stored_as_text_and_shown_escaped(campaign, marketer):
    script = "<script>alert(1)</script>"
    assert submit(campaign, first_name=script, last_name="").status_code == 302
    lead = Lead.objects.get()
    assert lead.first_name == script
    page = logged_in(marketer).get(lead.get_absolute_url())
    assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert script.encode() not in page.content


def test_markup_in_a_refused_post_is_echoed_escaped(campaign):
    script = "<script>alert(1)</script>"
    response = submit(campaign, email="not-an-email", first_name=script)
    assert response.status_code == 400
    assert script.encode() not in response.content
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", status_code=400)
