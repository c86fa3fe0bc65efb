"""The campaign calendar: a year or a quarter of campaigns as bars, for planning."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from marketing import calendar
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

URL = reverse("marketing:campaign-calendar")


def day(month: int, dom: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


def bars_of(response) -> dict[str, calendar.Bar]:
    return {bar.campaign.name: bar for bar in response.context["timeline"].bars}


@pytest.fixture
def quarter_plan(db):
    factories.CampaignFactory(name="Spring webinar", starts_on=day(4, 1), ends_on=day(4, 30))
    factories.CampaignFactory(name="Summer summit", starts_on=day(7, 1), ends_on=day(7, 3), budget=20000)
    factories.CampaignFactory(name="Always-on newsletter", starts_on=day(1, 1, 2025), ends_on=None, budget=600)
    factories.CampaignFactory(name="Last year's launch", starts_on=day(3, 1, 2025), ends_on=day(3, 31, 2025))


def test_the_year_shows_every_campaign_running_in_it_and_budgets_by_quarter(marketer, quarter_plan):
    response = logged_in(marketer).get(URL, {"year": 2026})
    bars = bars_of(response)
    assert set(bars) == {"Spring webinar", "Summer summit", "Always-on newsletter"}
    spring = bars["Spring webinar"]
    assert (spring.open_start, spring.open_end) == (False, False)
    assert spring.x == pytest.approx(calendar.LABEL_WIDTH + calendar.CHART_WIDTH * 90 / 365, abs=0.01)
    assert spring.width == pytest.approx(calendar.CHART_WIDTH * 30 / 365, abs=0.02)
    newsletter = bars["Always-on newsletter"]
    assert (newsletter.open_start, newsletter.open_end, newsletter.x) == (True, True, calendar.LABEL_WIDTH)
    quarters = {q.label: (q.running, q.starting, q.budget) for q in response.context["timeline"].quarters}
    assert quarters["Q2 2026"] == (2, 1, 5000)
    assert quarters["Q3 2026"] == (2, 1, 20000)


def test_a_quarter_zooms_in_with_week_ticks(marketer, quarter_plan):
    response = logged_in(marketer).get(URL, {"year": 2026, "quarter": 3})
    assert set(bars_of(response)) == {"Summer summit", "Always-on newsletter"}
    ticks = response.context["timeline"].ticks
    assert [tick.label for tick in ticks if tick.major] == ["July", "August", "September"]
    assert any(not tick.major for tick in ticks)
    assertContains(response, "Q3 2026")


def test_an_empty_period_says_so(marketer, quarter_plan):
    response = logged_in(marketer).get(URL, {"year": 2024, "quarter": 1})
    assertContains(response, "Nothing planned for Q1 2024")


def test_the_calendar_links_each_bar_to_its_campaign_and_escapes_names(marketer):
    campaign = factories.CampaignFactory(name="<b>Bold</b> launch", starts_on=datetime.date.today())
    response = logged_in(marketer).get(URL)
    assertContains(response, f'href="{campaign.get_absolute_url()}"')
    assertNotContains(response, "<b>Bold</b>")


@pytest.mark.parametrize(
    "query", [{"year": "abc"}, {"year": "1999"}, {"year": "2026", "quarter": "5"}, {"quarter": "0"}, {"quarter": "x"}]
)
def test_an_impossible_period_is_a_400_that_says_why(marketer, query):
    response = logged_in(marketer).get(URL, query)
    assert response.status_code == 400
    assert response.context["period_error"]


@pytest.mark.parametrize("persona", ["rep", "manager", "admin_user"])
def test_everyone_who_reads_campaigns_sees_the_calendar(request, persona, quarter_plan):
    assert logged_in(request.getfixturevalue(persona)).get(URL, {"year": 2026}).status_code == 200


def test_quarters_step_across_years():
    q1 = calendar.Period.of(2026, 1)
    assert (q1.previous().label, q1.next().label) == ("Q4 2025", "Q2 2026")
    assert calendar.Period.of(2026, 4).next().label == "Q1 2027"
    assert calendar.Period.of(2026, None).previous().label == "2025"
