"""Campaign pages: the filtered list, create/edit for marketers, read-only for sales, the campaign's funnel."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff import services as handoff_services
from marketing import services
from marketing.models import Campaign, Channel
from marketing.services import campaigns as campaign_services
from tests import factories
from tests.conftest import logged_in
from tests.marketing import pages

pytestmark = pytest.mark.django_db

LIST = reverse("marketing:campaign-list")
CREATE = reverse("marketing:campaign-create")
TODAY = datetime.date.today()


def edit_url(campaign) -> str:
    return reverse("marketing:campaign-edit", args=[campaign.pk])


def listed(response) -> set[str]:
    return {row.campaign.name for row in response.context["rows"]}


def plan(**fields) -> dict:
    """A complete, valid campaign form."""
    return {
        "name": "Q3 webinar series",
        "channel": Channel.WEBINAR,
        "status": Campaign.Status.PLANNED,
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
        "budget": "12000",
        "goal_leads": "400",
        "goal_mqls": "80",
        "goal_revenue": "150000",
        "utm_campaign": "",
        "description": "Three webinars on forecasting.",
        **fields,
    }


# --- list and filters ---------------------------------------------------------------------


def test_the_list_shows_leads_mqls_and_spend_per_campaign(marketer, campaign):
    for n in range(3):
        factories.capture(f"lead{n}@corp.example", campaign=campaign)
    services.qualify_lead(lead_id=factories.capture("hot@corp.example", campaign=campaign).pk)
    campaign_services.add_spend(campaign_id=campaign.pk, spent_on=TODAY, amount=Decimal("1250"), by=marketer)
    response = logged_in(marketer).get(LIST)
    [row] = response.context["rows"]
    assert (row.leads, row.mqls, row.spend) == (4, 1, Decimal("1250"))
    assertContains(response, "1,250")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "summit"}, {"Partner summit"}),
        ({"q": "FORECAST"}, {"Forecasting webinar"}),  # the UTM key, any case
        ({"status": "planned"}, {"Partner summit"}),
        ({"channel": "event"}, {"Partner summit"}),
        ({"running_from": "2026-10-01", "running_to": "2026-10-31"}, {"Partner summit", "Always-on newsletter"}),
        ({"running_to": "2026-01-31"}, {"Forecasting webinar", "Always-on newsletter"}),
        ({"q": "100%"}, set()),
    ],
)
def test_filters_narrow_the_list(marketer, query, expected):
    factories.CampaignFactory(
        name="Forecasting webinar",
        utm_campaign="forecast-webinar",
        starts_on=datetime.date(2026, 1, 10),
        ends_on=datetime.date(2026, 1, 20),
    )
    factories.CampaignFactory(
        name="Partner summit",
        channel=Channel.EVENT,
        status=Campaign.Status.PLANNED,
        starts_on=datetime.date(2026, 10, 5),
        ends_on=datetime.date(2026, 10, 7),
    )
    factories.CampaignFactory(name="Always-on newsletter", channel=Channel.EMAIL, starts_on=datetime.date(2025, 6, 1))
    response = logged_in(marketer).get(LIST, query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_owner_filter_shows_that_marketers_campaigns(marketer):
    other = factories.marketer(username="olga")
    factories.CampaignFactory(name="Mine", owner=marketer)
    factories.CampaignFactory(name="Olga's", owner=other)
    assert listed(logged_in(marketer).get(LIST, {"owner": other.pk})) == {"Olga's"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "Status"),
        ({"channel": "'; DROP TABLE"}, "Channel"),
        ({"owner": "999999"}, "Owner"),
        ({"running_from": "2026-13-45"}, "Running from"),
        ({"running_from": "2026-05-01", "running_to": "2026-04-01"}, "to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(marketer, campaign, query, field):
    response = logged_in(marketer).get(LIST, query)
    assert response.status_code == 400
    assertContains(response, f"{field}:", status_code=400)


def test_the_list_sends_anonymous_visitors_to_log_in(db):
    response = Client().get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_reads_campaigns_without_edit_buttons(request, persona, campaign):
    client = logged_in(request.getfixturevalue(persona))
    listing = client.get(LIST)
    page = client.get(campaign.get_absolute_url())
    assert (listing.status_code, page.status_code) == (200, 200)
    for response in (listing, page):
        assertNotContains(response, "New campaign")
        assertNotContains(response, "Edit campaign")
        assertNotContains(response, "Log spend")


# --- create and edit --------------------------------------------------------------------


def test_a_marketer_plans_a_campaign_with_goals_and_a_key_made_from_its_name(marketer):
    response = logged_in(marketer).post(CREATE, plan(owner=marketer.pk))
    campaign = Campaign.objects.get()
    assert response.status_code == 303
    assert response["Location"] == campaign.get_absolute_url()
    assert (campaign.name, campaign.utm_campaign, campaign.owner) == (
        "Q3 webinar series",
        "q3-webinar-series",
        marketer,
    )
    assert (campaign.goal_leads, campaign.goal_mqls, campaign.goal_revenue) == (400, 80, Decimal("150000"))
    assert (campaign.starts_on, campaign.ends_on, campaign.budget) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
        Decimal("12000"),
    )


def test_a_second_campaign_of_the_same_name_gets_a_free_key(marketer):
    client = logged_in(marketer)
    client.post(CREATE, plan())
    client.post(CREATE, plan())
    assert sorted(Campaign.objects.values_list("utm_campaign", flat=True)) == [
        "q3-webinar-series",
        "q3-webinar-series-2",
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"ends_on": "2026-06-30"}, "ends_on", "cannot end before it starts"),
        ({"budget": "-1"}, "budget", "Must be 0 or more."),
        ({"goal_leads": "-5"}, "goal_leads", "greater than or equal to 0"),
        ({"goal_revenue": "-5"}, "goal_revenue", "Must be 0 or more."),
        ({"channel": "carrier_pigeon"}, "channel", "not one of the available choices"),
        ({"starts_on": "2026-02-30"}, "starts_on", "Enter a valid date."),
        ({"utm_campaign": "has spaces!"}, "utm_campaign", "valid “slug”"),
        ({"utm_campaign": "forecasting-webinar"}, "utm_campaign", "already exists"),
        ({"budget": "1e400"}, "budget", "no more than 12 digits"),
        ({"budget": "abc"}, "budget", "Enter a number."),
        ({"owner": "999999"}, "owner", "Select a valid choice"),
    ],
)
def test_a_bad_plan_is_a_400_on_its_field_and_creates_nothing(marketer, campaign, fields, field, message):
    response = logged_in(marketer).post(CREATE, plan(**fields))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert list(Campaign.objects.values_list("pk", flat=True)) == [campaign.pk]


def test_markup_in_a_campaign_name_is_stored_as_text_and_shown_escaped(marketer):
    logged_in(marketer).post(CREATE, plan(name="<script>alert(1)</script>"))
    campaign = Campaign.objects.get()
    page = logged_in(marketer).get(campaign.get_absolute_url())
    assert b"<script>alert(1)</script>" not in page.content
    assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")


def test_a_marketer_edits_dates_budget_and_goals(marketer, campaign):
    response = logged_in(marketer).post(
        edit_url(campaign), plan(name="Forecasting webinar", utm_campaign=campaign.utm_campaign, budget="8000")
    )
    assert response.status_code == 303
    campaign.refresh_from_db()
    assert (campaign.budget, campaign.goal_mqls, campaign.utm_campaign) == (Decimal("8000"), 80, "forecasting-webinar")


def test_a_bad_edit_changes_nothing(marketer, campaign):
    before = Campaign.objects.values().get(pk=campaign.pk)
    response = logged_in(marketer).post(edit_url(campaign), plan(ends_on="2000-01-01", budget="99"))
    assert response.status_code == 400
    assert Campaign.objects.values().get(pk=campaign.pk) == before


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_create_or_edit_campaigns(request, persona, campaign):
    client = logged_in(request.getfixturevalue(persona))
    before = Campaign.objects.values().get(pk=campaign.pk)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, plan()).status_code == 403
    assert client.get(edit_url(campaign)).status_code == 403
    assert client.post(edit_url(campaign), plan(name="Hijacked")).status_code == 403
    assert Campaign.objects.values().get(pk=campaign.pk) == before
    assert Campaign.objects.count() == 1


def test_an_admin_may_create_campaigns(admin_user):
    assert logged_in(admin_user).post(CREATE, plan()).status_code == 303


def test_editing_a_missing_campaign_is_a_404(marketer):
    assert logged_in(marketer).get(reverse("marketing:campaign-edit", args=[987654])).status_code == 404
    assert logged_in(marketer).get(reverse("marketing:campaign-detail", args=[987654])).status_code == 404


def test_creating_needs_the_csrf_token(marketer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(CREATE, plan()).status_code == 403
    assert not Campaign.objects.exists()


# --- the campaign page ------------------------------------------------------------------


def test_the_campaign_page_shows_its_funnel_costs_and_goals(marketer, rep, campaign):
    campaign.goal_leads, campaign.goal_mqls = 10, 4
    campaign.save()
    for n in range(4):
        factories.capture(f"cold{n}@corp.example", campaign=campaign)
    factories.offered(campaign=campaign, email="offered@corp.example")  # an MQL waiting for sales
    factories.accepted_deal(rep, campaign=campaign, email="taken@corp.example")  # accepted by sales
    won = factories.offered(campaign=campaign, email="won@corp.example")
    handoff_services.accept_offer(handoff_id=won.pk, by=rep)
    services.record_outcome(
        lead_id=won.lead_id, won=True, amount=Decimal("30000"), closed_at=datetime.datetime.now(datetime.UTC)
    )
    factories.capture("elsewhere@corp.example")  # another campaign's lead does not count
    campaign_services.add_spend(campaign_id=campaign.pk, spent_on=TODAY, amount=Decimal("700"))

    response = logged_in(marketer).get(campaign.get_absolute_url())
    stats = response.context["stats"]
    assert (stats.leads, stats.mqls, stats.accepted, stats.won) == (7, 3, 2, 1)
    assert (stats.revenue, stats.spend) == (Decimal("30000"), Decimal("700"))
    assert (stats.cost_per_lead, stats.cost_per_mql) == (Decimal("100.00"), Decimal("233.33"))
    assert [step.count for step in response.context["funnel"]] == [7, 3, 2, 1]
    assert [goal.percent for goal in response.context["goals"]] == [70, 75, None]
    # The slot insights fills with sales' verdict on these leads.
    assertContains(response, f'hx-get="{reverse("insights:campaign-scorecard", args=[campaign.pk])}"')


def test_a_lead_that_sales_sent_back_still_counts_as_qualified_and_accepted(marketer, rep, campaign):
    deal_lead = factories.offered(campaign=campaign).lead
    handoff = factories.offered(campaign=campaign, email="second@corp.example")
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason="no_budget")
    services.accept_lead(lead_id=deal_lead.pk, owner_id=rep.pk)
    services.recycle_lead(lead_id=deal_lead.pk, reason="Deal lost")
    stats = logged_in(marketer).get(campaign.get_absolute_url()).context["stats"]
    assert (stats.leads, stats.mqls, stats.accepted) == (2, 2, 1)


def test_a_campaign_without_spend_or_leads_shows_dashes_not_errors(marketer, campaign):
    response = logged_in(marketer).get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert (response.context["stats"].cost_per_lead, response.context["stats"].cost_per_mql) == (None, None)
    assertContains(response, "No leads yet")


def test_new_leads_per_day_are_charted(marketer, campaign):
    for n in range(3):
        factories.capture(f"today{n}@corp.example", campaign=campaign)
    arrivals = logged_in(marketer).get(campaign.get_absolute_url()).context["arrivals"]
    assert arrivals[-1].day == TODAY
    assert (arrivals[-1].count, sum(bar.count for bar in arrivals)) == (3, 3)
    assert arrivals[-1].height == 80  # the busiest day fills the chart


def test_the_campaign_page_sends_anonymous_visitors_to_log_in(campaign):
    response = Client().get(campaign.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("active", "Q3 webinar series is active. Set up its form"),
        ("planned", "Q3 webinar series is planned. Set up its form"),
        ("paused", "Q3 webinar series is saved as paused."),
    ],
)
def test_creating_a_campaign_says_the_status_it_was_given(marketer, status, message):
    client = logged_in(marketer)
    new = pages.link(client.get(LIST), "New campaign")
    form = pages.form_with_button(client.get(new), "Create campaign")
    response = client.post(form.action or new, form.data(**plan(status=status)), follow=True)
    assert Campaign.objects.get().status == status
    shown = " ".join(str(message) for message in response.context["messages"])
    assert message in shown
    assert status == "planned" or "planned" not in shown
