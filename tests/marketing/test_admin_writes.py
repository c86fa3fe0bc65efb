"""The Django admin writes leads, campaigns, spend and form settings through marketing.services:
a lead's profile only while marketing has it, its stage, identity and consent never by hand; a
refused change shows the service's words and leaves the row as it was."""

import pytest
from django.urls import reverse

from marketing import services
from marketing.models import (
    Campaign,
    CampaignSpend,
    Lead,
    LeadEmailAlias,
    LeadForm,
    LeadStageChange,
    ScoreChange,
    Touchpoint,
)
from marketing.services.lead_forms import save_form_settings
from tests import factories
from tests.conftest import logged_in
from tests.leadflow.admin_pages import change_form, errors, links

pytestmark = pytest.mark.django_db


def row(lead: Lead) -> tuple:
    lead = Lead.objects.get(pk=lead.pk)
    return (
        lead.email, lead.email_normalized, lead.company, lead.stage, lead.stage_changed_at, lead.source,
        lead.consent_given_at, lead.consent_text, lead.nurture_until, lead.qualified_at, lead.merged_into_id,
        lead.review_reason, lead.erased_at, lead.stage_changes.count(),
    )  # fmt: skip


@pytest.fixture
def admin(admin_user):
    return logged_in(admin_user)


def admin_form(client, model: str, link: str):
    """The form behind the link reading `link` on the admin's list of `model`."""
    return change_form(client, links(client.get(reverse(f"admin:marketing_{model}_changelist")))[link])


def lead_form(client, lead: Lead):
    """The lead's change form, reached from the leads list by its address."""
    return admin_form(client, "lead", lead.email)


def test_the_admin_corrects_a_profile_while_marketing_has_the_lead_and_refuses_once_sales_has_it(admin):
    lead = factories.capture(company="Analytical Engines")
    form = lead_form(admin, lead)
    response = admin.post(form.url, form.data(company="Difference Engines Ltd"))
    assert response.status_code == 302, errors(response)
    assert Lead.objects.get(pk=lead.pk).company == "Difference Engines Ltd"

    services.qualify_lead(lead_id=lead.pk)
    before = row(lead)
    form = lead_form(admin, lead)
    response = admin.post(form.url, form.data(company="Renamed"))

    assert response.status_code == 200
    assert "Ada Lovelace is with sales (Marketing qualified); its profile is read-only." in errors(response)
    assert row(lead) == before


def test_an_erased_persons_lead_refuses_a_profile_edit_in_the_admin(admin):
    lead = factories.capture()
    services.erase_person_data(lead_id=lead.pk)
    before = row(lead)
    form = lead_form(admin, Lead.objects.get(pk=lead.pk))

    response = admin.post(form.url, form.data(first_name="Ada"))

    assert "This person's data was erased; their lead can no longer be changed." in errors(response)
    assert row(lead) == before


def test_a_leads_identity_stage_and_consent_ignore_a_forged_admin_post(admin):
    lead = factories.capture()
    before = row(lead)
    form = lead_form(admin, lead)
    assert form.fields & {"email", "stage", "consent_given_at", "source", "merged_into"} == set()

    admin.post(
        form.url,
        form.data(email="eve@forged.example", stage="customer", source="paid_search", consent_given_at="2026-01-01",
                  consent_text="Forged", nurture_until="2030-01-01", qualified_at="2026-01-01", review_reason="x",
                  erased_at="2026-01-01"),
    )  # fmt: skip

    assert row(lead) == before


def test_leads_are_neither_added_nor_deleted_in_the_admin(admin):
    lead = factories.capture()
    assert admin.post(reverse("admin:marketing_lead_add"), {"email": "eve@forged.example"}).status_code == 403
    assert admin.post(reverse("admin:marketing_lead_delete", args=[lead.pk]), {"post": "yes"}).status_code == 403
    assert list(Lead.objects.values_list("pk", flat=True)) == [lead.pk]


@pytest.mark.parametrize("model", [LeadStageChange, Touchpoint, ScoreChange, LeadEmailAlias])
def test_a_leads_history_cannot_be_written_in_the_admin(admin, model):
    keeper, duplicate = factories.capture(), factories.capture(email="ada@lovelace.example")
    services.merge_leads(keep_id=keeper.pk, duplicate_id=duplicate.pk, by=None)
    ScoreChange.objects.create(lead=keeper, changed_at=keeper.created_at, old_score=0, new_score=5)
    counted, some = model.objects.count(), model.objects.first()
    name = f"admin:marketing_{model._meta.model_name}"

    assert admin.post(reverse(f"{name}_add"), {"lead": keeper.pk, "stage": "customer"}).status_code == 403
    assert admin.post(reverse(f"{name}_change", args=[some.pk]), {"stage": "customer"}).status_code == 403
    assert admin.post(reverse(f"{name}_delete", args=[some.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.count() == counted


def test_new_consent_wording_in_the_admin_gets_a_new_version(admin, campaign):
    save_form_settings(campaign_id=campaign.pk, fields=["first_name"], required_fields=[])
    form = admin_form(admin, "leadform", campaign.name)

    response = admin.post(form.url, form.data(consent_text="Yes, email me about forecasting."))

    assert response.status_code == 302, errors(response)
    saved = LeadForm.objects.get(campaign=campaign)
    assert (saved.consent_text, saved.consent_version) == ("Yes, email me about forecasting.", 2)


def test_a_forms_fields_in_the_admin_are_the_standard_fields_in_their_order(admin, campaign):
    save_form_settings(campaign_id=campaign.pk, fields=["first_name"], required_fields=[])
    form = admin_form(admin, "leadform", campaign.name)

    response = admin.post(form.url, form.data(fields=["company", "first_name"], required_fields=["company", "phone"]))

    assert response.status_code == 200
    assert "Only fields the form asks for can be required." in errors(response)
    admin.post(form.url, form.data(fields=["company", "first_name"], required_fields=["company"]))
    saved = LeadForm.objects.get(campaign=campaign)
    assert (saved.fields, saved.required_fields) == (["first_name", "company"], ["company"])


def test_spend_logged_in_the_admin_names_who_logged_it_and_is_not_edited_later(admin, admin_user, campaign):
    form = admin_form(admin, "campaignspend", "Add campaign spend")

    response = admin.post(form.url, form.data(campaign=campaign.pk, spent_on="2026-03-02", amount="1200.00"))

    assert response.status_code == 302, errors(response)
    spend = CampaignSpend.objects.get()
    assert spend.created_by == admin_user
    forged = admin.post(reverse("admin:marketing_campaignspend_change", args=[spend.pk]), form.data(amount="1"))
    assert forged.status_code == 403
    assert CampaignSpend.objects.get().amount == 1200


def test_spend_dated_outside_the_shared_range_is_refused_in_the_admin(admin, campaign):
    form = admin_form(admin, "campaignspend", "Add campaign spend")

    response = admin.post(form.url, form.data(campaign=campaign.pk, spent_on="9999-12-31", amount="10"))

    assert any(message.startswith("Choose a date from 1 January 2000") for message in errors(response))
    assert not CampaignSpend.objects.exists()


def test_a_campaign_added_in_the_admin_is_owned_by_whoever_added_it(admin, admin_user):
    form = admin_form(admin, "campaign", "Add campaign")

    response = admin.post(
        form.url,
        form.data(name="Spring launch", channel="webinar", status="planned", starts_on="2026-04-01",
                  utm_campaign="spring-launch"),
    )  # fmt: skip

    assert response.status_code == 302, errors(response)
    assert Campaign.objects.get(utm_campaign="spring-launch").owner == admin_user


def test_campaigns_are_not_deleted_in_the_admin(admin, campaign):
    response = admin.post(reverse("admin:marketing_campaign_delete", args=[campaign.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Campaign.objects.filter(pk=campaign.pk).exists()
