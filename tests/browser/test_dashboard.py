"""The revenue dashboard in a real browser, on generated data: the three questions a manager
comes with, the filters and attribution switch (htmx), a drill-down, and each role's view."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sales.models import Team
from tests.browser.conftest import log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def generated(db):
    call_command("generate_data", leads=2500, deals=500, touchpoints=9000, campaigns=24, reps=8, seed=3,
                 password=PASSWORD, stdout=StringIO())  # fmt: skip


def test_a_manager_answers_roi_leak_and_sla_then_drills_into_the_funnel(open_page, generated, admin_user):
    page = open_page()
    log_in(page, admin_user)
    page.goto("/dashboard/?period=last_quarter")
    expect(page.get_by_role("heading", name="Revenue dashboard")).to_be_visible()
    for question in ("Best return on spend", "Where the funnel leaks", "Does sales meet its SLA?"):
        expect(page.get_by_role("heading", name=question)).to_be_visible()
    expect(page.locator("#answer-roi ~ .dash-answer-a")).to_contain_text("×")
    screenshot(page, "dashboard-manager")

    # The attribution switch and a filter change swap the page in place (htmx), URL kept.
    page.get_by_role("link", name="Time decay").click()
    expect(page.locator(".dash-model-tab.dash-is-current")).to_have_text("Time decay")
    page.get_by_label("Period").select_option("last_12")
    expect(page).to_have_url(re.compile(r"period=last_12"))
    expect(page.get_by_role("heading", name="Revenue won by month")).to_be_visible()
    screenshot(page, "dashboard-last-12-months")

    page.locator("#funnel .dash-funnel-row", has_text="Accepted by sales").click()
    expect(page.get_by_role("heading", name="reached Accepted by sales")).to_be_visible()
    expect(page.locator("tbody tr").first).to_be_visible()
    screenshot(page, "dashboard-drill-down")


def test_marketers_and_salespeople_get_their_own_views(open_page, generated, marketer):
    page = open_page()
    log_in(page, marketer)
    page.goto("/dashboard/?period=last_12")
    expect(page.get_by_text("Marketing view")).to_be_visible()
    expect(page.get_by_role("heading", name="Salespeople")).to_have_count(0)
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    screenshot(page, "dashboard-marketing")

    rep = Team.objects.exclude(reps=None).first().reps.first().user
    seller = open_page()
    log_in(seller, rep)
    seller.get_by_role("link", name="My numbers").click()
    expect(seller.get_by_text("Your numbers")).to_be_visible()
    expect(seller.get_by_role("heading", name="Open pipeline")).to_be_visible()
    screenshot(seller, "dashboard-salesperson")
