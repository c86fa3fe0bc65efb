"""The forecast (weighted pipeline by close month against won) and reps' availability."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import SalesRep
from sales.views.forecast import add_months
from tests import factories
from tests.sales.helpers import deal_at, logged_in, open_deal_for

pytestmark = pytest.mark.django_db

FORECAST = reverse("sales:forecast")
AVAILABILITY = reverse("sales:availability")


def dated(deal, by, amount: str, months_ahead: int = 0, currency: str = "USD"):
    close_on = add_months(timezone.localdate().replace(day=1), months_ahead) + datetime.timedelta(days=9)
    return services.update_deal(
        deal_id=deal.pk,
        by=by,
        expected_version=deal.version,
        amount=Decimal(amount),
        expected_close=close_on,
        currency=currency,
    )


def won(deal, by, amount: str):
    deal = deal_at(by, "negotiation") if deal is None else deal
    return services.close_deal(deal_id=deal.pk, won=True, amount=Decimal(amount), by=by, expected_version=deal.version)


def test_the_forecast_weights_open_deals_by_close_month_and_sets_them_against_won(rep, teammate, manager):
    this_month = timezone.localdate().replace(day=1)
    dated(open_deal_for(rep), rep, "10000")  # discovery, 10 %
    dated(deal_at(rep, "proposal"), rep, "8000", months_ahead=2)  # 50 %
    dated(deal_at(teammate, "negotiation"), teammate, "4000", months_ahead=1)  # 75 %
    won(deal_at(rep, "negotiation"), rep, "2500")
    response = logged_in(manager).get(FORECAST)
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals[this_month]["weighted"] == Decimal("1000")
    assert totals[this_month]["won"] == Decimal("2500")
    assert totals[add_months(this_month, 1)]["weighted"] == Decimal("3000")
    assert totals[add_months(this_month, 2)]["weighted"] == Decimal("4000")
    reps = {
        row["user"].username: row["cells"]["total"] for group in response.context["groups"] for row in group["reps"]
    }
    assert reps["sam"]["weighted"] == Decimal("5000") and reps["sam"]["won"] == Decimal("2500")
    assert reps["sara"]["weighted"] == Decimal("3000")
    assert "<svg" in response.text and "style=" not in response.text


def test_deals_dated_before_this_month_count_as_slipped(rep):
    dated(open_deal_for(rep), rep, "1000", months_ahead=-2)
    totals = logged_in(rep).get(FORECAST).context["totals"]
    assert (totals["slipped"]["open"], totals["slipped"]["weighted"]) == (1, Decimal("100"))


def test_the_forecast_never_adds_up_currencies(rep):
    dated(open_deal_for(rep), rep, "1000")
    dated(open_deal_for(rep), rep, "5000", currency="EUR")
    client = logged_in(rep)
    this_month = timezone.localdate().replace(day=1)
    assert client.get(FORECAST).context["totals"][this_month]["weighted"] == Decimal("100")
    assert client.get(FORECAST, {"currency": "EUR"}).context["totals"][this_month]["weighted"] == Decimal("500")


def test_a_salesperson_sees_only_their_own_forecast(rep, teammate):
    dated(open_deal_for(teammate), teammate, "9000")
    response = logged_in(rep).get(FORECAST)
    assert response.context["groups"] == []
    assert "Nothing to forecast yet" in response.text


def test_a_manager_filters_the_forecast_by_team_but_not_to_another_managers_team(rep, manager, other_team):
    dated(open_deal_for(rep), rep, "1000")
    client = logged_in(manager)
    assert client.get(FORECAST, {"team": rep.sales_rep.team_id}).status_code == 200
    response = client.get(FORECAST, {"team": other_team.pk})
    assert response.context["filters"].errors["team"]


def test_the_forecast_costs_the_same_queries_for_more_reps_and_deals(rep, teammate, manager):
    client = logged_in(manager)
    dated(open_deal_for(rep), rep, "1")
    client.get(FORECAST)
    with CaptureQueriesContext(connection) as few:
        client.get(FORECAST)
    for i in range(6):
        owner = rep if i % 2 else teammate
        dated(open_deal_for(owner), owner, "100", months_ahead=i % 4)
        won(None, owner, "50")
    with CaptureQueriesContext(connection) as many:
        client.get(FORECAST)
    assert len(many) == len(few)


def test_marketers_do_not_see_the_forecast(marketer):
    assert logged_in(marketer).get(FORECAST).status_code == 403


# --- availability ---------------------------------------------------------------------------


def test_a_salesperson_marks_themselves_away_and_gets_no_offers_until_the_day_after(rep, teammate):
    back = timezone.localdate() + datetime.timedelta(days=5)
    response = logged_in(rep).post(
        reverse("sales:availability-own"), {"status": "away", "away_until": back.isoformat()}
    )
    assert response.status_code == 303
    rep.sales_rep.refresh_from_db()
    assert (rep.sales_rep.status, rep.sales_rep.away_until) == ("away", back)
    assert not SalesRep.objects.available().filter(user=rep).exists()
    assert SalesRep.objects.available(on=back + datetime.timedelta(days=1)).filter(user=rep).exists()
    handoff = factories.offered(email="new@lead.example")
    assert handoff.assignee == teammate


def test_coming_back_clears_the_date(rep):
    services.set_availability(user_id=rep.pk, status="away", away_until=timezone.localdate())
    logged_in(rep).post(reverse("sales:availability-own"), {"status": "active"})
    rep.sales_rep.refresh_from_db()
    assert (rep.sales_rep.status, rep.sales_rep.away_until) == ("active", None)


@pytest.mark.parametrize(
    "data",
    [{"status": "beach"}, {"status": "away", "away_until": "2020-01-01"}, {"status": "away", "away_until": "soon"}],
)
def test_bad_availability_is_a_bad_request_and_changes_nothing(rep, data):
    response = logged_in(rep).post(reverse("sales:availability-own"), data)
    assert response.status_code == 400
    rep.sales_rep.refresh_from_db()
    assert (rep.sales_rep.status, rep.sales_rep.away_until) == ("active", None)


def test_a_manager_sets_a_team_members_availability(rep, manager):
    pk = rep.sales_rep.pk
    page = logged_in(manager).get(AVAILABILITY)
    assert [item["rep"].user for item in page.context["team"]] == [rep]
    response = logged_in(manager).post(reverse("sales:availability-rep", args=[pk]), {f"rep-{pk}-status": "away"})
    assert response.status_code == 303
    assert SalesRep.objects.get(pk=pk).status == "away"


def test_a_salesperson_cannot_set_a_teammates_availability(rep, teammate):
    pk = teammate.sales_rep.pk
    response = logged_in(rep).post(reverse("sales:availability-rep", args=[pk]), {f"rep-{pk}-status": "away"})
    assert response.status_code == 404
    assert SalesRep.objects.get(pk=pk).status == "active"


def test_another_teams_manager_cannot_set_our_reps_availability(rep, other_team):
    olga = factories.sales_manager(other_team, username="olga")
    pk = rep.sales_rep.pk
    assert (
        logged_in(olga).post(reverse("sales:availability-rep", args=[pk]), {f"rep-{pk}-status": "away"}).status_code
        == 404
    )
    assert SalesRep.objects.get(pk=pk).status == "active"


def test_my_day_says_when_i_am_away(rep):
    services.set_availability(user_id=rep.pk, status="away")
    assert "you get no new leads meanwhile" in logged_in(rep).get(reverse("sales:my-day")).text
