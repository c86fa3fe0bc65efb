"""Accessibility: axe-core finds no serious or critical violation on the pages each role reaches.

Each role logs in and opens every page its sidebar offers, then one page of each kind those
pages list (the first row's link: a lead, a deal, a campaign, an import...), following the
links the pages rendered. A small realistic data set fills the lists; the empty states are
checked too, by the salesperson of the other team. The crawler of issue 10 runs the same
check on every page it reaches.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests import factories
from tests.browser.axe import axe_violations, format_pages, require_axe
from tests.browser.conftest import log_in, screenshot
from tests.handoff import factories as handoff_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEBAR = "nav[aria-label='Main'] a[href], nav[aria-label='Your account'] a[href]"
FIRST_ROW_LINK = "main table tbody tr a[href]"


@pytest.fixture(autouse=True)
def _axe():
    require_axe()  # before the data set is built: skip (or fail in CI) at once


@pytest.fixture
def pipeline_with_history(campaign, rep, manager, stranger, marketer, admin_user):
    """Leads at each step: new (from the campaign), offered, rejected (recycled), in a deal, won, lost."""
    for email, first, last, company in [
        ("grace@navy.example", "Grace", "Hopper", "US Navy"),
        ("alan@bletchley.example", "Alan", "Turing", "Bletchley Park"),
    ]:
        factories.capture(email=email, first_name=first, last_name=last, company=company, campaign=campaign)
    factories.offered(email="ada@analytical.example", company="Analytical Engines", campaign=campaign)
    handoff_factories.rejected(rep, email="edsger@dijkstra.example", company="Mathematisch Centrum")
    factories.accepted_deal(rep, stage="proposal", email="barbara@liskov.example", company="Venus Systems")
    handoff_factories.decided_deal(rep, won=True, amount=42000, rating=5, email="ken@unix.example", company="Bell")
    handoff_factories.decided_deal(rep, won=False, rating=2, email="dennis@c.example", company="Multics")


def checked_pages(page, start: str, *, name: str) -> dict[str, list[dict]]:
    """axe's serious and critical violations on `start`, each sidebar page and the first row each lists."""
    found: dict[str, list[dict]] = {}

    def check(href: str) -> bool:
        if href in found:
            return False
        try:
            response = page.goto(href)
        except PlaywrightError as error:  # an export link: a file, not a page
            if "Download is starting" in str(error):
                return False
            raise
        assert response is not None and response.ok, f"{href} answered {response and response.status}"
        page.wait_for_load_state("networkidle")  # htmx fills its slots (verdicts, scorecards) on load
        found[page.url] = axe_violations(page)
        return True

    check(start)
    screenshot(page, f"a11y-{name}")
    for href in page.locator(SIDEBAR).evaluate_all("links => links.map(a => a.href)"):
        if "/admin/" in href:  # Django's own admin pages, styled by Django
            continue
        if check(href) and page.locator(FIRST_ROW_LINK).count():
            check(page.locator(FIRST_ROW_LINK).first.evaluate("a => a.href"))
    return found


def assert_accessible(found: dict[str, list[dict]]) -> None:
    if any(found.values()):
        pytest.fail(format_pages(found), pytrace=False)  # the readable list, not pytest's repr of it


@pytest.mark.parametrize("role", ["marketer", "rep", "stranger", "manager", "admin_user"])
def test_every_page_a_role_reaches_has_no_serious_or_critical_accessibility_violation(
    open_page, pipeline_with_history, role, request
):
    page = open_page()
    log_in(page, request.getfixturevalue(role))
    found = checked_pages(page, page.url, name=role)
    assert len(found) >= 6, f"only {sorted(found)}: the sidebar links were not followed"
    assert_accessible(found)


def test_the_login_page_and_a_public_capture_form_have_no_serious_or_critical_accessibility_violation(
    open_page, campaign
):
    page = open_page()
    found = {}
    for href in ("/accounts/login/", f"/marketing/forms/{campaign.utm_campaign}/"):
        page.goto(href)
        found[page.url] = axe_violations(page)
    screenshot(page, "a11y-capture-form")
    assert_accessible(found)


def test_the_message_confirming_a_save_has_no_serious_or_critical_accessibility_violation(open_page, rep):
    page = open_page()
    log_in(page, rep)
    page.locator("nav[aria-label='Main']").get_by_role("link", name="Availability").click()
    page.locator("main form").first.get_by_role("button", name="Save").click()
    expect(page.locator(".message")).to_be_visible()
    assert_accessible({page.url: axe_violations(page)})
