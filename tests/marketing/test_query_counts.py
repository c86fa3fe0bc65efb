"""Pages keep a constant number of SQL queries as data grows (docs/RELIABILITY.md)."""

from urllib.parse import urlencode, urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff import services as handoff_services
from marketing import services
from marketing.models import Lead, Touchpoint
from tests import factories
from tests.conftest import logged_in
from tests.marketing.pages import form_with_button, link

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def assert_same_count(small: list[str], large: list[str]) -> None:
    assert len(large) == len(small), "\n".join(["small:", *small, "", "large:", *large])


def capture_many(count: int, campaigns: list, start: int = 0) -> None:
    for n in range(start, start + count):
        factories.capture(f"lead{n}@corp{n}.example", campaign=campaigns[n % len(campaigns)], title="VP")


def test_the_lead_list_costs_the_same_for_3_or_30_leads(marketer, rep):
    campaigns = factories.CampaignFactory.create_batch(5)
    client = logged_in(marketer)
    capture_many(3, campaigns)
    client.get(reverse("marketing:lead-list"))  # warm per-process caches (content types)
    small = queries_for(client, reverse("marketing:lead-list"))
    capture_many(27, campaigns, start=3)
    factories.offered(email="owned@corp.example")  # one lead further along, with an owner
    large = queries_for(client, reverse("marketing:lead-list"))
    assert Lead.objects.count() == 31
    assert_same_count(small, large)


def test_the_lead_page_costs_the_same_for_1_or_20_touchpoints(marketer, rep):
    client = logged_in(marketer)
    quiet = factories.capture("quiet@corp.example", campaign=factories.CampaignFactory())
    client.get(quiet.get_absolute_url())
    small = queries_for(client, quiet.get_absolute_url())

    busy = factories.capture("busy@corp.example")
    for campaign in factories.CampaignFactory.create_batch(19):
        factories.capture("busy@corp.example", campaign=campaign)
    services.score_lead(lead_id=busy.pk)
    handoff = factories.offered(lead=Lead.objects.get(pk=busy.pk))
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)  # an owner and more stage history
    assert Touchpoint.objects.filter(lead=busy).count() == 20
    large = queries_for(client, busy.get_absolute_url())
    assert_same_count(small, large)


def test_the_campaign_list_costs_the_same_for_2_or_20_campaigns(marketer):
    client = logged_in(marketer)
    for _ in range(2):
        factories.CampaignFactory(owner=factories.marketer())
    client.get(reverse("marketing:campaign-list"))
    small = queries_for(client, reverse("marketing:campaign-list"))
    for _ in range(18):
        factories.CampaignFactory(owner=factories.marketer())
    large = queries_for(client, reverse("marketing:campaign-list"))
    assert_same_count(small, large)


def test_the_campaign_page_costs_the_same_for_1_or_30_leads_and_spend_entries(marketer, rep):
    from datetime import date
    from decimal import Decimal

    from marketing.services import campaigns as campaign_services

    campaign = factories.CampaignFactory(owner=marketer)
    client = logged_in(marketer)
    factories.capture("first@corp.example", campaign=campaign)
    campaign_services.add_spend(campaign_id=campaign.pk, spent_on=date(2026, 1, 1), amount=Decimal(1), by=marketer)
    client.get(campaign.get_absolute_url())
    small = queries_for(client, campaign.get_absolute_url())
    capture_many(29, [campaign], start=1)
    factories.offered(email="owned@corp.example", campaign=campaign)
    for day in range(2, 30):
        campaign_services.add_spend(campaign_id=campaign.pk, spent_on=date(2026, 1, day), amount=Decimal(day), by=rep)
    large = queries_for(client, campaign.get_absolute_url())
    assert_same_count(small, large)


def test_the_campaign_calendar_costs_the_same_for_2_or_20_campaigns(marketer):
    client = logged_in(marketer)
    for _ in range(2):
        factories.CampaignFactory(owner=factories.marketer())
    client.get(reverse("marketing:campaign-calendar"))
    small = queries_for(client, reverse("marketing:campaign-calendar"))
    for _ in range(18):
        factories.CampaignFactory(owner=factories.marketer())
    large = queries_for(client, reverse("marketing:campaign-calendar"))
    assert_same_count(small, large)


def test_the_filtered_and_sorted_lead_list_costs_the_same_for_3_or_30_leads(marketer):
    campaigns = factories.CampaignFactory.create_batch(3)
    client = logged_in(marketer)
    capture_many(3, campaigns)
    # The filter form as the page renders it, filled in and sent as a browser would.
    form = form_with_button(client.get(reverse("marketing:lead-list")), "Apply")
    chosen = form.data(q="corp", stage="lead", campaign=str(campaigns[0].pk), sort="score")
    url = urljoin(reverse("marketing:lead-list"), form.action) + "?" + urlencode(chosen)
    assert client.get(url).context["page"].rows, "the filters should keep some leads"
    client.get(url)
    small = queries_for(client, url)
    capture_many(27, campaigns, start=3)
    large = queries_for(client, url)
    assert_same_count(small, large)


def test_a_later_page_of_the_lead_list_costs_the_same_as_the_first(marketer):
    client = logged_in(marketer)
    capture_many(120, [factories.CampaignFactory()])
    first = client.get(reverse("marketing:lead-list"))
    page_two = urljoin(reverse("marketing:lead-list"), link(first, "Next →"))  # as rendered
    assert_same_count(queries_for(client, reverse("marketing:lead-list")), queries_for(client, page_two))


def test_the_lead_page_costs_the_same_with_score_history_and_merges(marketer, settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    client = logged_in(marketer)
    quiet = factories.capture("quiet@corp.example")
    client.get(quiet.get_absolute_url())
    small = queries_for(client, quiet.get_absolute_url())
    busy = factories.capture("busy@corp.example", phone="+1 555 0100")
    for n in range(10):
        services.add_touchpoint(lead_id=busy.pk, kind=Touchpoint.Kind.PAGE_VIEW)
        services.score_lead(lead_id=busy.pk)
        duplicate = factories.capture(f"busy{n}@other.example")
        services.merge_leads(keep_id=busy.pk, duplicate_id=duplicate.pk)
    large = queries_for(client, busy.get_absolute_url())
    assert_same_count(small, large)


def test_the_recycled_view_costs_the_same_for_1_or_10_leads(marketer, rep):
    client = logged_in(marketer)

    def recycle(n):
        lead = factories.capture(f"back{n}@corp.example")
        services.qualify_lead(lead_id=lead.pk)
        services.recycle_lead(lead_id=lead.pk, reason=f"Rejected by sales — No budget: note {n}")

    recycle(0)
    client.get(reverse("marketing:recycled-list"))
    small = queries_for(client, reverse("marketing:recycled-list"))
    for n in range(1, 10):
        recycle(n)
    assert_same_count(small, queries_for(client, reverse("marketing:recycled-list")))
