"""A salesperson works through the inbox in a real browser: the clock counts working time and
says when it is paused, and the "Waiting" counter follows every accept and reject (htmx)."""

import re

import pytest
from playwright.sync_api import expect

from handoff.models import Handoff
from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.handoff.factories import team_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_waiting_counter_follows_each_accept_and_reject(open_page, team, rep, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=90)
    first = factories.offered(email="ada@analytical.example", first_name="Ada")
    second = factories.offered(email="grace@navy.example", first_name="Grace")
    page = open_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, rep)
    page.get_by_role("link", name="New leads").click()
    waiting = page.locator("#inbox-waiting .stat-value")
    expect(waiting).to_have_text("2")

    clock = page.locator(f"#offer-{first.pk} [data-due]")
    expect(clock).to_have_text(re.compile(r"^1h 30m of working time left$"))
    expect(page.locator(f"#offer-{first.pk} .hf-offer-clock time")).to_have_text(re.compile(r"^due \w{3} \d\d:\d\d$"))

    page.locator(f"#offer-{first.pk}").get_by_role("button", name="Accept lead").click()
    expect(page.locator(f"#offer-{first.pk}").get_by_role("status")).to_contain_text("Accepted.")
    expect(waiting).to_have_text("1")

    card = page.locator(f"#offer-{second.pk}")
    card.get_by_label("Reason").select_option(label="No budget")
    card.get_by_role("button", name="Reject lead").click()
    expect(card.get_by_role("status")).to_contain_text("back with marketing")
    expect(waiting).to_have_text("0")
    screenshot(page, "handoff-inbox-counters")
    assert Handoff.objects.filter(state=Handoff.State.OFFERED).count() == 0
    assert [error for error in errors if "favicon" not in error and "404" not in error] == []


def test_the_clock_stops_outside_working_hours_and_runs_inside_them(open_page, team, rep, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    handoff = factories.offered()
    page = open_page()
    log_in(page, rep)
    page.get_by_role("link", name="New leads").click()
    clock = page.locator(f"#offer-{handoff.pk} [data-due]")
    note = page.locator(f"#sla-note-{handoff.pk}")
    # The working windows the server sends, replaced as if the team's day began in 3 minutes
    # and ended 1 minute later: the clock stands still and says when it resumes.
    clock.evaluate(
        """el => {
          const at = (ms) => new Date(Date.now() + ms).toISOString();
          el.dataset.due = at(240000);
          el.dataset.windows = JSON.stringify([[at(180000), at(240000), "Mon 09:00"]]);
          el.leadflowWindows = undefined;
        }"""
    )
    expect(clock).to_have_text("1m 00s of working time left")
    expect(note).to_have_text(re.compile(r"^\W*clock paused until Mon 09:00$"))
    expect(clock).to_have_class(re.compile(r"\bhf-sla-paused\b"))
    page.wait_for_timeout(1200)
    expect(clock).to_have_text("1m 00s of working time left")  # paused: it does not tick
    screenshot(page, "handoff-inbox-clock-paused")

    # Inside a working window it ticks each second, and the note goes away.
    clock.evaluate(
        """el => {
          const at = (ms) => new Date(Date.now() + ms).toISOString();
          el.dataset.due = at(90000);
          el.dataset.windows = JSON.stringify([[at(-60000), at(90000), "Mon 08:00"]]);
          el.leadflowWindows = undefined;
        }"""
    )
    expect(clock).to_have_text(re.compile(r"^1m \d\ds of working time left$"))
    expect(note).to_have_text("")
    before = clock.inner_text()
    page.wait_for_timeout(1200)
    assert clock.inner_text() != before, "the clock ticks inside working hours"
    expect(clock).to_have_class(re.compile(r"\bhf-sla-soon\b"))  # under a quarter of the 60 minutes left
