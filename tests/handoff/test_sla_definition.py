"""One SLA: a team's working minutes and target share, set once on the team's settings page,
are what the inbox clock, the team settings, the two-sided SLA, the SLA report and the
dashboard's target read. Only the team's manager (or an admin) changes them."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff import services
from handoff.models import Commitment, TeamSettings
from handoff.services.sla import target_percent
from insights.reports.sla import two_sided_report
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import rule, team_hours

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def link(html: str, name: str) -> str:
    """The href of the link whose text or aria-label is `name`, as the page rendered it."""
    soup = BeautifulSoup(html, "html.parser")
    found = [a for a in soup.select("a[href]") if name in (" ".join(a.text.split()), a.get("aria-label"))]
    assert found, f"no link {name!r} on the page"
    return found[0]["href"]


def settings_form(html: str, url: str) -> tuple[str, dict]:
    """The team settings form as the browser would send it: (where it posts, its values)."""
    form = BeautifulSoup(html, "html.parser").select_one("main form[method=post]")
    data: dict[str, list[str]] = {}
    for control in form.select("input[name], select[name]"):
        if control.get("type") in ("checkbox", "radio") and not control.has_attr("checked"):
            continue
        if control.name == "select":
            chosen = control.select_one("option[selected]")
            value = chosen["value"] if chosen else ""
        else:
            value = control.get("value", "")
        data.setdefault(control["name"], []).append(value)
    return form.get("action") or url, data


@pytest.fixture
def frank(other_team):
    """The manager of the other team."""
    return factories.sales_manager(other_team, username="frank")


@pytest.fixture
def edit_page(team, manager):
    """The manager's team settings page, reached from the routing page: (url, html)."""
    client = logged_in(manager)
    url = link(client.get(reverse("handoff:routing")).text, "Edit hours & SLA")
    return url, client.get(url).text


def test_one_change_on_the_team_settings_page_shows_on_every_sla_page(team, rep, manager, edit_page):
    url, html = edit_page
    action, data = settings_form(html, url)
    # Around the clock in Tokyo: the due moment is told in the team's zone, not the server's.
    data |= {"time_zone": ["Asia/Tokyo"], "working_days": [str(day) for day in range(7)]}
    data |= {"day_starts": ["00:00"], "day_ends": ["00:00"], "sla_minutes": ["75"], "sla_target_percent": ["80"]}
    assert logged_in(manager).post(action, data).status_code == 303

    handoff = factories.offered()
    assert handoff.due_at == handoff.offered_at + datetime.timedelta(minutes=75)
    inbox = text_of(logged_in(rep).get(reverse("handoff:inbox")).text)
    tokyo = handoff.due_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    assert "1h 15m of working time left" in inbox
    assert f"due {tokyo:%a %H:%M}" in inbox

    settings_page = BeautifulSoup(logged_in(manager).get(url).text, "html.parser")
    assert settings_page.select_one("[name=sla_minutes]")["value"] == "75"
    assert settings_page.select_one("[name=sla_target_percent]")["value"] == "80"
    assert "75 min working time, for 80% of offers" in text_of(str(settings_page))

    agreement = logged_in(manager).get(reverse("insights:agreement")).text
    row = BeautifulSoup(agreement, "html.parser").find("th", string=team.name).parent
    assert "75 working min" in text_of(str(row)) and "80% of offers" in text_of(str(row))
    assert "Sales commits to answer in time 80%" in text_of(agreement)

    report = text_of(logged_in(manager).get(link(agreement, "SLA & fairness by team")).text)
    assert "75 working minutes to answer, for 80% of offers" in report
    assert "target 80%" in report
    assert target_percent([team.pk]) == target_percent(None) == 80


def test_a_team_without_settings_shows_the_defaults_everywhere(settings, team, rep, manager):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 45
    factories.offered()
    inbox = text_of(logged_in(rep).get(reverse("handoff:inbox")).text)
    assert re.search(r"(45m 00s|44m 5\ds) of working time left", inbox)
    report = text_of(logged_in(manager).get(reverse("insights:sla")).text)
    assert "45 working minutes to answer, for 90% of offers (default) · around the clock" in report
    assert target_percent([team.pk]) == 90


def test_the_agreement_no_longer_keeps_its_own_copy_of_sales_sla(team, manager, marketer):
    team_hours(team, manager=manager, sla_minutes=120, target_percent=85)
    response = logged_in(marketer).post(
        reverse("insights:agreement"),
        {"month": "2026-03", "mqls_per_month": "30", "response_minutes": "5", "response_target_percent": "10"},
    )
    assert response.status_code == 303
    assert Commitment.objects.get().mqls_per_month == 30
    page = text_of(logged_in(marketer).get(reverse("insights:agreement")).text)
    assert "120 working min 85% of offers" in page
    assert "5 min" not in page and "10%" not in page
    assert TeamSettings.objects.get(team=team).sla_target_percent == 85


# --- the dashboard's target: one function ---------------------------------------------------------


@pytest.fixture
def two_teams(team, other_team, rep, manager, frank, stranger):
    """Inside Sales aims at 90 %, Field Sales at 70 %; leads from Norway go to Field Sales."""
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", target_percent=90)
    team_hours(other_team, manager=frank, days=range(7), starts="00:00", ends="00:00", target_percent=70)
    rule(other_team, manager=frank, name="Norway", countries=["Norway"])
    return team, other_team


def ended(n: int, *, country: str = "", prefix: str) -> None:
    for i in range(n):
        handoff = factories.offered(email=f"{prefix}{i}@{prefix}{i}.example", country=country)
        services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)


def test_the_company_target_weights_each_teams_target_by_its_ended_offers(two_teams):
    inside, field = two_teams
    ended(3, prefix="in")
    ended(1, country="Norway", prefix="no")
    factories.offered(email="open@open.example", country="Norway")  # still open: not counted
    assert target_percent(None) == round((3 * 90 + 1 * 70) / 4)  # 85
    assert target_percent([inside.pk, field.pk]) == 85
    assert target_percent([field.pk]) == 70
    this_month = two_sided_report(months=1)[-1]
    assert this_month.target_percent == 85  # the agreement's months combine the same way


def test_without_ended_offers_the_company_target_is_the_strictest(two_teams):
    ended(1, country="Norway", prefix="no")  # Field Sales (70 %), but today: outside the window below
    assert target_percent(None) == 70
    day = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    assert target_percent(None, since=day, until=day + datetime.timedelta(days=1)) == 90


# --- who may change it, and bad input ---------------------------------------------------------------


def test_a_salesperson_cannot_change_the_sla(team, manager, rep, edit_page):
    team_hours(team, manager=manager, sla_minutes=120, target_percent=85)
    url, html = edit_page
    action, data = settings_form(html, url)
    data |= {"sla_minutes": ["5"], "sla_target_percent": ["10"]}
    assert logged_in(rep).get(url).status_code == 403
    assert logged_in(rep).post(action, data).status_code == 403
    config = TeamSettings.objects.get(team=team)
    assert (config.sla_minutes, config.sla_target_percent) == (120, 85)


def test_another_teams_manager_gets_a_404_and_changes_nothing(team, manager, frank, edit_page):
    team_hours(team, manager=manager, sla_minutes=120, target_percent=85)
    url, html = edit_page
    action, data = settings_form(html, url)
    assert logged_in(frank).get(url).status_code == 404
    assert logged_in(frank).post(action, data | {"sla_target_percent": ["10"]}).status_code == 404
    assert TeamSettings.objects.get(team=team).sla_target_percent == 85


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sla_minutes", "-30", "greater than or equal to 1"),
        ("sla_minutes", "0", "greater than or equal to 1"),
        ("sla_target_percent", "0", "greater than or equal to 1"),
        ("sla_target_percent", "101", "less than or equal to 100"),
        ("sla_target_percent", "", "This field is required"),
        ("sla_target_percent", "ninety", "Enter a whole number"),
    ],
)
def test_bad_sla_input_is_refused_on_its_field_and_changes_nothing(team, manager, edit_page, field, value, message):
    team_hours(team, manager=manager, sla_minutes=120, target_percent=85)
    url, html = edit_page
    action, data = settings_form(html, url)
    response = logged_in(manager).post(action, data | {field: [value]})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one(f"[name={field}]")["aria-invalid"] == "true"
    config = TeamSettings.objects.get(team=team)
    assert (config.sla_minutes, config.sla_target_percent) == (120, 85)


@pytest.mark.parametrize("target", [0, 101])
def test_the_service_and_the_database_refuse_a_target_outside_1_to_100(team, manager, target):
    team_hours(team, manager=manager, target_percent=85)
    with pytest.raises(ValidationError, match="from 1 to 100 percent"):
        team_hours(team, manager=manager, target_percent=target)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamSettings.objects.filter(team=team).update(sla_target_percent=target)
    assert TeamSettings.objects.get(team=team).sla_target_percent == 85


def test_leaving_out_the_target_keeps_the_teams_current_one(team, manager):
    team_hours(team, manager=manager, target_percent=75)
    team_hours(team, manager=manager, sla_minutes=60)  # e.g. the benchmark and older callers
    config = TeamSettings.objects.get(team=team)
    assert (config.sla_minutes, config.sla_target_percent) == (60, 75)


def test_the_sla_report_names_the_target_and_whether_it_was_met(team, rep, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", target_percent=50)
    ended(1, prefix="a")
    report = logged_in(manager).get(reverse("insights:sla"))
    stat = next(
        card for card in BeautifulSoup(report.text, "html.parser").select(".stat") if "Answered within SLA" in card.text
    )
    assert re.sub(r"\s+", " ", stat.get_text(" ")).strip() == (
        "Answered within SLA 100.0% Met 1 of 1 offers · target 50%"
    )


# --- pages read the definition in one query, however many teams ----------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_agreement_costs_the_same_queries_for_one_team_or_five(team, rep, manager, marketer):
    team_hours(team, manager=manager, target_percent=85)
    ended(1, prefix="a")
    client = logged_in(marketer)
    one = count_queries(client, reverse("insights:agreement"))
    for n in range(4):
        other = factories.TeamFactory(name=f"Team {n}")
        team_hours(other, manager=factories.sales_manager(other, username=f"boss{n}"), target_percent=70 + n)
    assert count_queries(client, reverse("insights:agreement")) == one


def test_the_inbox_reads_every_teams_clock_in_one_query(two_teams, admin_user):
    client = logged_in(admin_user)
    factories.offered(email="first@a.example")
    one = count_queries(client, reverse("handoff:inbox"))
    for n in range(3):
        factories.offered(email=f"in{n}@in{n}.example")
        factories.offered(email=f"no{n}@no{n}.example", country="Norway")
    assert count_queries(client, reverse("handoff:inbox")) == one
