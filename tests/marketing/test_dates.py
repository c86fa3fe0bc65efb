"""Marketing's dates outside 1 January 2000 … today + 10 years: a 400 naming the field, never a 500,
and nothing written (guards/dates.py holds the range)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from guards.dates import bounds_message
from marketing.models import Campaign, CampaignSpend
from tests import factories
from tests.conftest import logged_in
from tests.marketing import pages

pytestmark = pytest.mark.django_db

FAR_AWAY = ["9999-12-31", "0001-01-01", "1999-12-31"]


def submitted(client, page_url: str, button: str, **typed):
    """Fill in the form with `button` on the page as rendered and send it as the browser would."""
    page = client.get(page_url)
    form = pages.form_with_button(page, button)
    send = client.post if form.method == "post" else client.get
    return send(form.action or page_url, form.data(**typed))


@pytest.mark.parametrize("day", FAR_AWAY)
@pytest.mark.parametrize(("field", "label"), [("created_to", "Captured to"), ("created_from", "Captured from")])
def test_a_lead_filter_date_outside_the_range_is_a_400_naming_it_on_the_list_and_its_export(
    marketer, field, label, day
):
    factories.capture("ada@analytical.example")
    client = logged_in(marketer)
    response = submitted(client, reverse("marketing:lead-list"), "Apply", **{field: day})
    assertContains(response, f"{label}: {bounds_message()}", status_code=400)
    assert response.context["page"].rows == []

    export = client.get(pages.link(response, "Export CSV"))
    assertContains(export, "Nothing was exported", status_code=400)
    assertContains(export, f"{label}: {bounds_message()}", status_code=400)


def test_a_campaign_filter_date_outside_the_range_is_a_400_naming_it(marketer, campaign):
    response = submitted(logged_in(marketer), reverse("marketing:campaign-list"), "Filter", running_to="9999-12-31")
    assert response.status_code == 400
    assert response.context["filters"].errors == {"running_to": [bounds_message()]}


@pytest.mark.parametrize("day", FAR_AWAY)
@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_a_campaign_dated_outside_the_range_is_refused_on_that_field_and_not_saved(marketer, field, day):
    page = reverse("marketing:campaign-create")
    typed = {"name": "Year one", "channel": "webinar", field: day}
    response = submitted(logged_in(marketer), page, "Create campaign", **typed)
    assertContains(response, bounds_message(), status_code=400)
    assert list(response.context["form"].errors) == [field]
    assert not Campaign.objects.exists()


def test_editing_a_campaign_to_year_9999_keeps_its_dates(marketer, campaign):
    before = Campaign.objects.values_list("starts_on", "ends_on").get(pk=campaign.pk)
    page = reverse("marketing:campaign-edit", args=[campaign.pk])
    response = submitted(logged_in(marketer), page, "Save changes", ends_on="9999-12-31")
    assert response.status_code == 400
    assert response.context["form"].errors == {"ends_on": [bounds_message()]}
    assert Campaign.objects.values_list("starts_on", "ends_on").get(pk=campaign.pk) == before


@pytest.mark.parametrize("day", FAR_AWAY)
def test_spend_dated_outside_the_range_is_refused_on_its_date_and_not_logged(marketer, campaign, day):
    page = campaign.get_absolute_url()
    response = submitted(logged_in(marketer), page, "Log spend", spent_on=day, amount="100")
    assertContains(response, bounds_message(), status_code=400)
    assert response.context["spend_form"].errors == {"spent_on": [bounds_message()]}
    assert not CampaignSpend.objects.exists()


def test_a_spend_file_row_dated_outside_the_range_is_refused_and_the_others_land(marketer, campaign):
    content = "date,amount,note\n2026-03-01,100,ok\n0001-01-01,5,year one\n9999-12-31,5,year 9999\n2026-03-02,7,ok\n"
    client = logged_in(marketer)
    form = pages.form_with_button(client.get(campaign.get_absolute_url()), "Import spend")
    response = client.post(form.action, form.data(file=SimpleUploadedFile("spend.csv", content.encode())))
    assert response.status_code == 200
    rows = [(row.row, row.status, row.message) for row in response.context["report"].rows]
    assert rows[1:3] == [
        (3, "error", f"The date 0001-01-01 is out of range. {bounds_message()}"),
        (4, "error", f"The date 9999-12-31 is out of range. {bounds_message()}"),
    ]
    assert sorted(CampaignSpend.objects.values_list("note", flat=True)) == ["ok", "ok"]
