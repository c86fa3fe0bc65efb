"""Sales' dates outside 1 January 2000 … today + 10 years (guards/dates.py): refused on their field
with a message that gives the range, from the page and from the API, and nothing changes."""

import json

import pytest
from django.urls import reverse

from guards.dates import bounds_message
from sales.models import Activity, Deal
from tests.marketing import pages
from tests.sales.helpers import deal_at, logged_in, open_deal_for
from tests.sales.pages import post_forms
from tests.sales.test_deal_actions import deal_page

pytestmark = pytest.mark.django_db

FAR_AWAY = ["9999-12-31", "0001-01-01", "1999-12-31"]


def row(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return deal.version, deal.expected_close, deal.closed_at, deal.stage_id


@pytest.fixture
def deal(rep):
    return open_deal_for(rep, contact_name="Ada Lovelace")


@pytest.mark.parametrize("day", FAR_AWAY)
def test_an_expected_close_outside_the_range_is_refused_on_the_deal_page_and_the_deal_is_unchanged(rep, deal, day):
    client = logged_in(rep)
    before = row(deal)
    edit = post_forms(deal_page(client, deal).text)["Save changes"]
    response = client.post(edit.action, edit.data(expected_close=day))
    assert response.status_code == 400
    assert bounds_message() in response.text
    assert row(deal) == before


@pytest.mark.parametrize("day", FAR_AWAY)
def test_an_expected_close_outside_the_range_is_a_400_on_the_field_in_the_api(rep, deal, day):
    before = row(deal)
    response = logged_in(rep).patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        data=json.dumps({"expected_close": day}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert (response.status_code, response.json()) == (400, {"expected_close": [bounds_message()]})
    assert row(deal) == before


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T09:00"])
def test_an_activity_due_outside_the_range_is_refused_and_not_logged(rep, deal, moment):
    client = logged_in(rep)
    log = post_forms(deal_page(client, deal).text)["Log as done"]
    response = client.post(log.action, log.data(kind="task", subject="Call back", due_at=moment, action="schedule"))
    assert response.status_code == 400
    assert bounds_message() in response.text
    assert not Activity.objects.exists()


@pytest.mark.parametrize("day", FAR_AWAY)
def test_a_won_date_outside_the_range_is_refused_and_the_deal_stays_open(rep, day):
    deal = deal_at(rep, "negotiation")
    client = logged_in(rep)
    before = row(deal)
    won = post_forms(deal_page(client, deal).text)["Mark won"]
    response = client.post(won.action, won.data(amount="1000", closed_on=day))
    assert response.status_code == 400
    assert row(deal) == before


@pytest.mark.parametrize("day", ["9999-12-31", "2200-01-01"])
def test_away_until_year_9999_is_refused_and_availability_is_unchanged(rep, day):
    client = logged_in(rep)
    own = post_forms(client.get(reverse("sales:availability")).text)["Save"]
    response = client.post(own.action, own.data(status="away", away_until=day))
    assert response.status_code == 400
    assert bounds_message() in response.text
    rep.sales_rep.refresh_from_db()
    assert (rep.sales_rep.status, rep.sales_rep.away_until) == ("active", None)


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_board_month_outside_the_range_is_a_400_naming_the_filter(rep, deal, month):
    client = logged_in(rep)
    board = reverse("sales:board")
    filters = pages.form_with_button(client.get(board), "Apply")
    response = client.get(filters.action, filters.data(month=month))
    assert response.status_code == 400
    assert f"Expected close: {bounds_message()}" in response.text
