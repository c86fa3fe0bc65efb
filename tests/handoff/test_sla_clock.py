"""The inbox clock counts the team's working time: it stands still at night and at weekends and
says when it resumes, tells the due moment in the team's time zone, and the page's counters
follow each accept or reject (htmx, out of band)."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import Handoff, TeamSettings
from handoff.services.sla import countdown
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import at, team_hours

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# Friday 29 March 2030, 16:30 in Berlin (CET); that Sunday the clocks go forward to CEST.
FRIDAY_LATE = at("2030-03-29T15:30")


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture
def berlin_offer(team, rep, teammate, manager) -> Handoff:
    """An offer made on FRIDAY_LATE to a Berlin team (Mon–Fri 09–17, 120 working minutes).

    The clock is fixed through the sweep's `now`: the first offer (made today) expires at
    FRIDAY_LATE and the sweep offers the lead again at that moment.
    """
    team_hours(team, manager=manager, time_zone="Europe/Berlin", sla_minutes=120)
    handoff = factories.offered()
    assert services.sweep_offers(now=FRIDAY_LATE).expired == 1
    handoff.refresh_from_db()
    return handoff


def clock_at(handoff: Handoff, moment: str):
    return countdown(due_at=handoff.due_at, sla=TeamSettings.objects.sla_of(handoff.team_id), now=at(moment))


def test_the_clock_counts_working_time_and_stands_still_over_the_night_and_the_weekend(berlin_offer):
    # 30 working minutes on Friday, 90 on Monday; Monday is already summer time (UTC+2).
    assert (berlin_offer.offered_at, berlin_offer.due_at) == (FRIDAY_LATE, at("2030-04-01T10:30+02:00"))
    offered = clock_at(berlin_offer, "2030-03-29T15:30")  # Friday 16:30 in Berlin
    assert (offered.text, offered.due_label, offered.paused) == ("2h 00m of working time left", "Mon 10:30", False)

    for night in ("2030-03-29T20:00", "2030-03-30T23:00", "2030-03-31T10:00"):  # Friday night, Saturday, Sunday
        paused = clock_at(berlin_offer, night)
        assert paused.text == "1h 30m of working time left"
        assert (paused.paused, paused.resumes_label, paused.due_label) == (True, "Mon 09:00", "Mon 10:30")

    monday = clock_at(berlin_offer, "2030-04-01T07:45")  # Monday 09:45 in Berlin
    assert (monday.text, monday.paused, monday.overdue) == ("45m 00s of working time left", False, False)
    late = clock_at(berlin_offer, "2030-04-01T08:30")
    assert (late.text, late.overdue) == ("Overdue", True)


def test_the_live_clock_gets_the_working_windows_up_to_the_deadline(berlin_offer):
    clock = clock_at(berlin_offer, "2030-03-29T16:45")  # Friday 17:45: today's window is over
    assert json.loads(clock.windows_json) == [["2030-04-01T09:00:00+02:00", "2030-04-01T10:30:00+02:00", "Mon 09:00"]]
    assert clock.due_title == "Monday 1 April 2030, 10:30 (Europe/Berlin time)"
    friday = clock_at(berlin_offer, "2030-03-29T15:45")
    assert [label for _start, _end, label in json.loads(friday.windows_json)] == ["Fri 16:45", "Mon 09:00"]


def test_a_deadline_more_than_a_week_away_shows_its_date(team, rep, manager):
    team_hours(team, manager=manager, days=[0], sla_minutes=60 * 8 * 2)  # Mondays only, two days' work
    handoff = factories.offered()
    clock = countdown(due_at=handoff.due_at, sla=TeamSettings.objects.sla_of(team.pk), now=handoff.offered_at)
    assert clock.due_label == f"{handoff.due_at:%a %b} {handoff.due_at.day}, {handoff.due_at:%H:%M}"


def test_outside_working_hours_the_inbox_says_when_the_clock_resumes(team, rep, manager):
    # The team works only tomorrow (UTC): today the clock has not started yet.
    tomorrow = timezone.now().astimezone(datetime.UTC) + datetime.timedelta(days=1)
    team_hours(team, manager=manager, days=[tomorrow.weekday()], starts="09:00", ends="17:00", sla_minutes=60)
    handoff = factories.offered()
    assert handoff.due_at == tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)

    inbox = text_of(logged_in(rep).get(reverse("handoff:inbox")).text)
    day = f"{tomorrow:%a}"
    assert f"1h 00m of working time left due {day} 10:00 · clock paused until {day} 09:00" in inbox

    my_day = text_of(logged_in(rep).get(reverse("handoff:offers-due"), {"hours": "48"}).text)
    assert f"due {day} 10:00 · clock paused until {day} 09:00" in my_day and "1h 00m of working time left" in my_day


# --- the counters follow each decision ------------------------------------------------------------


def waiting_on(html: str) -> str:
    counter = BeautifulSoup(html, "html.parser").select_one("#inbox-waiting")
    return " ".join(counter.get_text(" ").split()), counter.get("hx-swap-oob")


def decision_form(html: str, handoff: Handoff, button: str) -> str:
    """Where the offer's card posts `button` with htmx, as the page rendered it."""
    card = BeautifulSoup(html, "html.parser").select_one(f"#offer-{handoff.pk}")
    return next(form["hx-post"] for form in card.select("form") if button in form.get_text())


def test_accepting_and_rejecting_with_htmx_update_the_waiting_counter_out_of_band(team, rep):
    first, second = factories.offered(email="a@a.example"), factories.offered(email="b@b.example")
    client = logged_in(rep)
    page = client.get(reverse("handoff:inbox")).text
    assert waiting_on(page) == ("Waiting 2", None)

    accepted = client.post(decision_form(page, first, "Accept lead"), {}, **HTMX)
    assert accepted.status_code == 200 and "Accepted." in accepted.text
    assert waiting_on(accepted.text) == ("Waiting 1", "true")

    rejected = client.post(decision_form(page, second, "Reject lead"), {"reason": "no_budget"}, **HTMX)
    assert rejected.status_code == 200 and "Rejected" in rejected.text
    assert waiting_on(rejected.text) == ("Waiting 0", "true")
    assert waiting_on(client.get(reverse("handoff:inbox")).text) == ("Waiting 0", None)


def test_a_refused_decision_leaves_the_counter_as_it_was(team, rep):
    handoff = factories.offered()
    client = logged_in(rep)
    page = client.get(reverse("handoff:inbox")).text
    refused = client.post(decision_form(page, handoff, "Reject lead"), {"reason": ""}, **HTMX)
    assert refused.status_code == 400
    assert waiting_on(refused.text) == ("Waiting 1", "true")


def test_an_offer_the_sweep_moved_on_leaves_the_counter_too(team, rep, teammate, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    handoff = factories.offered()
    first = handoff.assignee
    client = logged_in(first)
    page = client.get(reverse("handoff:inbox")).text
    assert waiting_on(page) == ("Waiting 1", None)
    services.sweep_offers(now=handoff.due_at + datetime.timedelta(minutes=1))
    gone = client.post(decision_form(page, handoff, "Accept lead"), {}, **HTMX)
    assert gone.status_code == 409
    assert waiting_on(gone.text) == ("Waiting 0", "true")
