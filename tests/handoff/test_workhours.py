"""Working time: an SLA counted inside a team's hours, in its own time zone."""

from datetime import time

import pytest

from handoff.workhours import WorkingHours
from tests.handoff.factories import at

BERLIN_OFFICE = WorkingHours.of(time_zone="Europe/Berlin", days={0, 1, 2, 3, 4}, starts=time(9), ends=time(17))


def test_minutes_inside_one_working_day_are_plain_minutes():
    # Tuesday 2026-03-10, 10:00 Berlin = 09:00 UTC.
    assert BERLIN_OFFICE.add(at("2026-03-10T09:00"), 120) == at("2026-03-10T11:00")


def test_time_runs_over_into_the_next_working_morning():
    # 16:00 Berlin with 120 minutes: 60 today, 60 from 09:00 tomorrow (08:00 UTC).
    assert BERLIN_OFFICE.add(at("2026-03-10T15:00"), 120) == at("2026-03-11T09:00")


def test_an_offer_made_on_friday_evening_is_due_on_monday():
    # Friday 2026-03-13 20:00 Berlin: nothing counts until Monday 09:00 (08:00 UTC).
    assert BERLIN_OFFICE.add(at("2026-03-13T19:00"), 240) == at("2026-03-16T12:00")


def test_the_time_zone_decides_when_the_day_starts():
    tokyo = WorkingHours.of(time_zone="Asia/Tokyo", days={0, 1, 2, 3, 4}, starts=time(9), ends=time(18))
    # Monday 2026-03-09 00:00 UTC is 09:00 in Tokyo: the day has just started there.
    assert tokyo.add(at("2026-03-09T00:00"), 60) == at("2026-03-09T01:00")


def test_a_dst_change_overnight_moves_the_utc_time_of_the_morning():
    # Berlin goes to summer time on Sunday 2026-03-29: Monday 09:00 is 07:00 UTC, not 08:00.
    assert BERLIN_OFFICE.add(at("2026-03-27T15:30"), 60) == at("2026-03-30T07:30")


def test_minutes_between_counts_only_working_time():
    start, end = at("2026-03-13T15:00"), at("2026-03-16T09:00")  # Fri 16:00 → Mon 10:00 Berlin
    assert BERLIN_OFFICE.minutes_between(start, end) == 120
    assert BERLIN_OFFICE.minutes_between(end, start) == 0


def test_midnight_as_the_end_means_the_whole_evening():
    late = WorkingHours.of(time_zone="UTC", days={0}, starts=time(20), ends=time(0))
    assert late.add(at("2026-03-09T23:00"), 90) == at("2026-03-16T20:30")


def test_around_the_clock_is_wall_clock_time():
    always = WorkingHours.around_the_clock()
    assert always.add(at("2026-03-14T03:00"), 240) == at("2026-03-14T07:00")
    assert always.minutes_between(at("2026-03-14T03:00"), at("2026-03-14T04:30")) == 90


@pytest.mark.parametrize("minutes", [1, 59, 480, 481, 2400, 9999])
def test_adding_then_measuring_gives_back_the_minutes(minutes):
    start = at("2026-03-11T06:17")
    assert round(BERLIN_OFFICE.minutes_between(start, BERLIN_OFFICE.add(start, minutes))) == minutes


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        WorkingHours.of(time_zone="UTC", days=set(), starts=time(9), ends=time(17)).add(at("2026-03-11T06:17"), 5)
