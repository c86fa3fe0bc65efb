"""My day: overdue and due-today activities, deals closing this month, and the offers slot."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.views.my_day import LIST_LIMIT
from tests.sales.helpers import logged_in, open_deal_for, walk_to

pytestmark = pytest.mark.django_db

URL = reverse("sales:my-day")


def at_today(hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour)))


def schedule(deal, by, subject: str, due: datetime.datetime):
    return services.log_activity(deal_id=deal.pk, by=by, kind="call", subject=subject, due_at=due)


def test_my_day_lists_overdue_and_due_today_activities_and_leaves_out_done_and_later_ones(rep):
    deal = open_deal_for(rep)
    schedule(deal, rep, "Chase the signature", at_today(9) - datetime.timedelta(days=2))
    schedule(deal, rep, "Demo call", at_today(15))
    schedule(deal, rep, "Quarterly review", at_today(10) + datetime.timedelta(days=3))
    done = schedule(deal, rep, "Already done", at_today(8))
    services.complete_activity(activity_id=done.pk, by=rep)

    response = logged_in(rep).get(URL)
    assert response.status_code == 200
    assert [a.subject for a in response.context["overdue"]] == ["Chase the signature"]
    assert [a.subject for a in response.context["due_today"]] == ["Demo call"]
    assert response.context["counts"] == {"overdue": 1, "today": 1, "week": 1}
    assert "Quarterly review" not in response.text and "Already done" not in response.text


def test_my_day_lists_my_open_deals_expected_to_close_this_month(rep):
    today = timezone.localdate()
    this_month = open_deal_for(rep, title="This month")
    services.update_deal(
        deal_id=this_month.pk, by=rep, expected_version=1, expected_close=today, amount=Decimal("1000")
    )
    later = open_deal_for(rep, title="Next quarter")
    services.update_deal(
        deal_id=later.pk, by=rep, expected_version=1, expected_close=today + datetime.timedelta(days=95)
    )
    response = logged_in(rep).get(URL)
    assert [deal.title for deal in response.context["closing"]] == ["This month"]
    assert response.context["closing_money"][0]["weighted"] == Decimal("100")  # 1,000 at discovery's 10 %


def test_my_day_shows_only_my_own_work(rep, teammate):
    deal = open_deal_for(teammate, title="Sara's deal")
    schedule(deal, teammate, "Sara's call", at_today(11))
    response = logged_in(rep).get(URL)
    assert list(response.context["due_today"]) == []
    assert "Sara's call" not in response.text


def test_my_day_has_the_slot_the_handoff_area_fills_with_offers_about_to_breach(rep):
    assert '<section id="my-day-offers"' in logged_in(rep).get(URL).text


def test_my_day_is_for_sales_only(client, marketer):
    assert logged_in(marketer).get(URL).status_code == 403
    assert client.get(URL).status_code == 302


def test_an_empty_day_says_so(rep):
    text = logged_in(rep).get(URL).text
    assert "Nothing overdue" in text and "No deals dated this month" in text


def test_marking_an_activity_done_from_my_day_returns_to_my_day(rep):
    activity = schedule(open_deal_for(rep), rep, "Call back", at_today(9))
    response = logged_in(rep).post(reverse("sales:activity-done", args=[activity.pk]), {"next": URL})
    assert (response.status_code, response["Location"]) == (303, URL)
    activity.refresh_from_db()
    assert activity.done_at is not None


def test_my_day_costs_the_same_queries_for_many_activities_and_deals(rep):
    client = logged_in(rep)
    deal = open_deal_for(rep)
    schedule(deal, rep, "One", at_today(9))
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(15):
        other = open_deal_for(rep, title=f"Deal {i}")
        services.update_deal(deal_id=other.pk, by=rep, expected_version=1, expected_close=timezone.localdate())
        schedule(other, rep, f"Call {i}", at_today(9) - datetime.timedelta(days=i % 3))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def stat(text: str, label: str) -> str:
    """A stat card's number and the line under it, as the page shows them."""
    card = next(
        card
        for card in BeautifulSoup(text, "html.parser").select(".stat")
        if card.select_one(".stat-label").text == label
    )
    return f"{card.select_one('.stat-value').text} · {card.select_one('.stat-sub').text}"


def test_a_month_with_deals_closing_but_none_won_says_nothing_won_yet(rep):
    deal = open_deal_for(rep, title="This month")
    services.update_deal(
        deal_id=deal.pk, by=rep, expected_version=1, expected_close=timezone.localdate(), amount=Decimal("1000")
    )
    text = logged_in(rep).get(URL).text
    assert stat(text, "Closing this month") == "1 · USD 100 weighted"
    assert stat(text, "Won this month") == "0 · nothing yet — go get one"


def test_a_month_with_a_win_but_nothing_closing_says_no_deals_dated(rep):
    deal = walk_to(open_deal_for(rep, title="Won"), "negotiation", rep)
    services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("5000"), by=rep, expected_version=deal.version)
    text = logged_in(rep).get(URL).text
    assert stat(text, "Closing this month") == "0 · no deals dated this month"
    assert stat(text, "Won this month") == "1 · USD 5,000"


def test_closing_this_month_counts_every_deal_when_the_list_shows_only_the_first(rep):
    today = timezone.localdate()
    for i in range(LIST_LIMIT + 1):
        deal = open_deal_for(rep, title=f"Deal {i}")
        services.update_deal(deal_id=deal.pk, by=rep, expected_version=1, expected_close=today)
    text = logged_in(rep).get(URL).text
    assert stat(text, "Closing this month").startswith(f"{LIST_LIMIT + 1} · ")
    assert f"Showing the {LIST_LIMIT} soonest of {LIST_LIMIT + 1}." in text
