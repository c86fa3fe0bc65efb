"""A campaign's form: marketers choose fields, questions, consent and thank-you; visitors see exactly that."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from marketing.models import FormQuestion, Lead, LeadForm
from marketing.services import lead_forms as form_services
from tests import factories
from tests.conftest import logged_in
from tests.marketing.visitors import form_url, submit

pytestmark = pytest.mark.django_db


def settings_url(campaign) -> str:
    return reverse("marketing:form-settings", args=[campaign.pk])


def question_url(campaign) -> str:
    return reverse("marketing:question-add", args=[campaign.pk])


def settings_post(**overrides) -> dict:
    data = {
        "headline": "Join the forecasting webinar",
        "intro": "Forty minutes, live, with Q&A.",
        "submit_label": "Save my seat",
        "consent_text": "Yes, email me about webinars.",
        "thank_you_text": "See you on Thursday!",
        "redirect_url": "",
        "is_open": "on",
        "ask_first_name": "on",
        "require_first_name": "on",
        "ask_company": "on",
        "ask_company_size": "on",
        "require_company_size": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- setting the form up ------------------------------------------------------------------


def test_every_campaign_starts_with_a_working_default_form(campaign):
    page = Client().get(form_url(campaign))
    assert page.status_code == 200
    for label in ("Email", "First name", "Last name", "Company", "Job title", "Phone", "Country"):
        assertContains(page, f">{label}")
    assert not LeadForm.objects.exists()


def test_a_marketer_chooses_fields_required_ones_wording_and_thanks(marketer, campaign):
    response = logged_in(marketer).post(settings_url(campaign), settings_post())
    assert response.status_code == 303
    lead_form = LeadForm.objects.get(campaign=campaign)
    assert (lead_form.fields, lead_form.required_fields) == (
        ["first_name", "company", "company_size"],
        ["first_name", "company_size"],
    )
    page = Client().get(form_url(campaign))
    assertContains(page, "Join the forecasting webinar")
    assertContains(page, "Save my seat")
    assertContains(page, "Company size")
    assertNotContains(page, "Job title")
    assertContains(
        page,
        '<input type="text" name="first_name" maxlength="100" autocomplete="given-name" required id="id_first_name">',
        html=True,
    )


def test_a_required_field_left_empty_is_a_400_on_that_field(marketer, campaign):
    logged_in(marketer).post(settings_url(campaign), settings_post())
    response = submit(campaign, first_name="", company_size="")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"first_name", "company_size"}
    assert not Lead.objects.exists()


def test_new_consent_wording_gets_a_new_version_and_leads_keep_the_one_they_saw(marketer, campaign):
    client = logged_in(marketer)
    client.post(settings_url(campaign), settings_post(consent_text="Version one wording."))
    submit(campaign, email="early@corp.example", consent="on", company_size="11-50")
    client.post(settings_url(campaign), settings_post(consent_text="Version two wording."))
    submit(campaign, email="late@corp.example", consent="on", company_size="11-50")
    early, late = (
        Lead.objects.get(email_normalized="early@corp.example"),
        Lead.objects.get(email_normalized="late@corp.example"),
    )
    assert (early.consent_text, early.consent_source) == (
        "Version one wording.",
        "Web form: Forecasting webinar (wording v2)",
    )
    assert (late.consent_text, late.consent_source) == (
        "Version two wording.",
        "Web form: Forecasting webinar (wording v3)",
    )
    assert late.consent_given_at is not None
    assert late.touchpoints.get().details == {"consent_version": 3}


def test_required_consent_refuses_a_submit_without_it(marketer, campaign):
    logged_in(marketer).post(settings_url(campaign), settings_post(consent_required="on"))
    response = submit(campaign, company_size="11-50")
    assertContains(response, "Tick the box to agree", status_code=400)
    assert not Lead.objects.exists()


def test_a_form_without_consent_wording_asks_for_none(marketer, campaign):
    logged_in(marketer).post(settings_url(campaign), settings_post(consent_text=""))
    assert "consent" not in Client().get(form_url(campaign)).context["form"].fields
    submit(campaign, consent="on", company_size="1-10")
    assert Lead.objects.get().consent_given_at is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"redirect_url": "javascript:alert(1)"}, "redirect_url"),
        ({"redirect_url": "ftp://files.example/x"}, "redirect_url"),
        ({"ask_first_name": None}, "require_first_name"),  # required but not asked
        ({"consent_text": "", "consent_required": "on"}, "consent_text"),
        ({"submit_label": "x" * 41}, "submit_label"),
        ({"headline": "x" * 201}, "headline"),
    ],
)
def test_bad_form_settings_are_a_400_on_the_field_and_change_nothing(marketer, campaign, overrides, field):
    response = logged_in(marketer).post(settings_url(campaign), settings_post(**overrides))
    assert response.status_code == 400
    assert field in response.context["settings_form"].errors
    assert not LeadForm.objects.exists()


def test_after_a_submit_the_visitor_reads_the_thank_you_text_or_is_sent_on(marketer, campaign):
    client = logged_in(marketer)
    client.post(settings_url(campaign), settings_post())
    thanks = Client().get(reverse("marketing:capture-thanks", args=[campaign.utm_campaign]))
    assertContains(thanks, "See you on Thursday!")
    client.post(settings_url(campaign), settings_post(redirect_url="https://www.example.com/welcome"))
    thanks = Client().get(reverse("marketing:capture-thanks", args=[campaign.utm_campaign]))
    assertContains(thanks, '<meta http-equiv="refresh" content="0;url=https://www.example.com/welcome">')


def test_a_closed_form_says_so_and_refuses_posts(marketer, campaign):
    logged_in(marketer).post(settings_url(campaign), settings_post(is_open=None))
    assertContains(Client().get(form_url(campaign)), "This form is closed")
    assert submit(campaign, company_size="1-10").status_code == 410
    assert not Lead.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_change_a_form(request, persona, campaign):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(settings_url(campaign)).status_code == 403
    assert client.post(settings_url(campaign), settings_post()).status_code == 403
    assert client.post(question_url(campaign), {"label": "Budget?", "kind": "text"}).status_code == 403
    assert not LeadForm.objects.exists()


def test_the_settings_of_a_missing_campaign_are_a_404(marketer):
    assert logged_in(marketer).get(reverse("marketing:form-settings", args=[987654])).status_code == 404


def test_the_settings_page_shows_the_link_and_an_embed_snippet(marketer, campaign):
    response = logged_in(marketer).get(settings_url(campaign))
    assertContains(response, "http://testserver/marketing/forms/forecasting-webinar/")
    assertContains(response, '&lt;iframe src="http://testserver/marketing/forms/forecasting-webinar/?embed=1"')


# --- questions of one's own ---------------------------------------------------------------


def test_answers_to_custom_questions_land_on_the_lead_as_attributes(marketer, campaign):
    client = logged_in(marketer)
    client.post(question_url(campaign), {"label": "How many sales reps?", "kind": "text", "required": "on"})
    client.post(question_url(campaign), {"label": "Timeline", "kind": "choice", "choices": "This quarter\nThis year\n"})
    client.post(question_url(campaign), {"label": "Using a CRM today?", "kind": "yes_no"})
    keys = list(FormQuestion.objects.values_list("key", flat=True))
    assert keys == ["how-many-sales-reps", "timeline", "using-a-crm-today"]
    response = submit(
        campaign, **{"q_how-many-sales-reps": "12", "q_timeline": "This year", "q_using-a-crm-today": "no"}
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.attributes == {"how-many-sales-reps": "12", "timeline": "This year", "using-a-crm-today": "no"}
    assert lead.touchpoints.get().details["answers"] == {
        "How many sales reps?": "12",
        "Timeline": "This year",
        "Using a CRM today?": "no",
    }


def test_a_required_question_and_an_unknown_choice_are_400s(marketer, campaign):
    client = logged_in(marketer)
    client.post(question_url(campaign), {"label": "Team size", "kind": "text", "required": "on"})
    client.post(question_url(campaign), {"label": "Timeline", "kind": "choice", "choices": "Soon\nLater"})
    response = submit(campaign, q_timeline="Yesterday")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"q_team-size", "q_timeline"}
    assert not Lead.objects.exists()


def test_two_questions_with_one_label_get_their_own_keys(marketer, campaign):
    client = logged_in(marketer)
    for _ in range(2):
        client.post(question_url(campaign), {"label": "Budget", "kind": "text"})
    assert list(FormQuestion.objects.values_list("key", flat=True)) == ["budget", "budget-2"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "", "kind": "text"}, "label"),
        ({"label": "Pick", "kind": "choice", "choices": "only one"}, "choices"),
        ({"label": "Odd", "kind": "essay"}, "kind"),
        ({"label": "x" * 201, "kind": "text"}, "label"),
    ],
)
def test_a_bad_question_is_a_400_and_adds_nothing(marketer, campaign, data, field):
    response = logged_in(marketer).post(question_url(campaign), data)
    assert response.status_code == 400
    assert field in response.context["question_form"].errors
    assert not FormQuestion.objects.exists()


def test_removing_a_question_keeps_the_answers_already_given(marketer, campaign):
    question = form_services.add_question(campaign_id=campaign.pk, label="Budget", kind="text")
    submit(campaign, q_budget="50k")
    response = logged_in(marketer).post(reverse("marketing:question-delete", args=[campaign.pk, question.pk]))
    assert response.status_code == 303
    assert not FormQuestion.objects.exists()
    assert Lead.objects.get().attributes == {"budget": "50k"}


def test_removing_another_campaigns_question_is_a_404(marketer, campaign):
    other = factories.CampaignFactory()
    question = form_services.add_question(campaign_id=other.pk, label="Budget", kind="text")
    response = logged_in(marketer).post(reverse("marketing:question-delete", args=[campaign.pk, question.pk]))
    assert response.status_code == 404
    assert FormQuestion.objects.filter(pk=question.pk).exists()


# --- embedding, and where visitors came from ----------------------------------------------


def test_the_form_may_be_framed_by_other_sites_but_marketers_pages_may_not(marketer, campaign):
    hosted = Client().get(form_url(campaign) + "?embed=1")
    assert "frame-ancestors *" in hosted["Content-Security-Policy"]
    assert "X-Frame-Options" not in hosted
    inside = logged_in(marketer).get(campaign.get_absolute_url())
    assert "frame-ancestors 'none'" in inside["Content-Security-Policy"]
    assert inside["X-Frame-Options"] == "DENY"


def test_an_embedded_form_posts_without_a_csrf_cookie(campaign):
    client = Client(enforce_csrf_checks=True)  # a cross-site iframe gets no SameSite=Lax cookie
    response = submit(campaign, client, path="?embed=1")
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/?embed=1")
    assert Lead.objects.count() == 1


def test_embedded_the_parent_page_is_the_landing_page_with_its_utm_tags(campaign):
    parent = "https://www.example.com/pricing?utm_source=linkedin&utm_medium=paid_social&utm_campaign=q3"
    page = Client().get(form_url(campaign), {"embed": "1"}, headers={"referer": parent})
    initial = page.context["form"].initial
    assert (initial["landing_page"], initial["utm_source"], initial["utm_medium"]) == (
        parent,
        "linkedin",
        "paid_social",
    )
    assert initial["referrer"] == ""


def test_first_touch_stays_while_last_touch_follows_each_visit(campaign):
    second = factories.CampaignFactory(name="Retargeting")
    submit(campaign, utm_source="newsletter", referrer="https://news.example/", landing_page="https://x.example/a")
    submit(second, utm_source="linkedin", utm_medium="paid", referrer="https://linkedin.example/")
    lead = Lead.objects.get()
    assert (lead.first_touch_campaign, lead.utm_source, lead.first_referrer, lead.first_landing_page) == (
        campaign,
        "newsletter",
        "https://news.example/",
        "https://x.example/a",
    )
    assert (lead.last_touch_campaign, lead.last_utm_source, lead.last_utm_medium) == (second, "linkedin", "paid")
    assert lead.last_touch_at > lead.created_at
