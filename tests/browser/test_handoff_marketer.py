"""A marketer opens the scorecard on five months of demo history and can say which source
sends the best leads and how long they take to close; then reads the campaign page's verdict,
edits the playbook and checks the two-sided SLA (one test: the demo takes seconds to load)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from devtools.demo import data
from devtools.demo.play import play
from insights.models import Dimension, ScorecardRow
from marketing.models import Campaign
from sales.models import Stage
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_demo(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(data.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def demo(db):
    play()
    return get_user_model().objects.get(username="maria")


def test_a_marketer_finds_the_best_source_and_its_lead_time_then_edits_the_playbook(open_page, demo):
    best = max(
        (row for row in ScorecardRow.objects.filter(dimension=Dimension.SOURCE) if row.offered_won_pct is not None),
        key=lambda row: (row.offered_won_pct, -(row.lead_time_days or 0)),
    )
    page = open_page()
    log_in_demo(page, "maria")
    page.get_by_role("link", name="Scorecards").click()
    expect(page.get_by_role("heading", name="Lead quality scorecards")).to_be_visible()
    expect(page.locator(".hf-best-card")).to_have_count(3)
    first_source = page.locator(".hf-source-row").first
    expect(first_source).to_contain_text(best.label)
    expect(first_source).to_contain_text(f"{best.offered_won_pct}% won")
    expect(first_source).to_contain_text(f"{best.lead_time_days:.0f} days")
    screenshot(page, "handoff-scorecards")

    page.get_by_role("link", name="Lead time").click()  # sort by lead time, slowest first
    expect(page.get_by_role("columnheader", name=re.compile("Lead time"))).to_have_attribute("aria-sort", "descending")
    page.get_by_role("link", name="Campaign", exact=True).click()
    campaign_rows = page.locator("table.hf-scorecard tbody tr")
    expect(campaign_rows).to_have_count(Campaign.objects.count() + 1)  # and the leads with no campaign
    expect(campaign_rows.filter(has_text="No campaign")).to_have_count(1)
    screenshot(page, "handoff-scorecards-by-campaign")

    webinar = Campaign.objects.get(utm_campaign="handoff-webinar")
    page.goto(f"/marketing/campaigns/{webinar.pk}/")
    verdict = page.locator("#campaign-lead-quality")
    expect(verdict).to_contain_text("How sales judged its leads")  # loaded by htmx on page load
    expect(verdict).to_contain_text("MQL → won, median")
    screenshot(page, "handoff-campaign-verdict")

    # Then the playbook sales sees on its deals, and how both sides kept the SLA.
    page.get_by_role("link", name="Sales playbook").click()
    expect(page.get_by_role("heading", name="Sales playbook")).to_be_visible()
    page.get_by_role("link", name="Edit the Proposal playbook").click()
    page.get_by_label("What the buyer needs to know").fill("Pricing for their seat count and the rollout plan.")
    page.locator("#id_assets-1-title").fill("Pricing one-pager")
    page.locator("#id_assets-1-url").fill("https://leadflow.example/pricing.pdf")
    page.get_by_role("button", name="Save playbook").click()
    expect(page.get_by_text("Proposal: sales sees the new playbook on its deals now.")).to_be_visible()
    proposal = Stage.objects.get(slug="proposal", pipeline__is_default=True)
    assert proposal.buyer_guidance == "Pricing for their seat count and the rollout plan."
    assert "Pricing one-pager" in list(proposal.assets.values_list("title", flat=True))
    screenshot(page, "handoff-playbook")

    page.get_by_role("link", name="Two-sided SLA").click()
    expect(page.get_by_role("heading", name="Two-sided SLA")).to_be_visible()
    expect(page.get_by_role("region", name="Last six months").locator("table tbody tr")).to_have_count(6)
    # Sales' side is each team's own SLA, read-only for marketing (its managers set it).
    sales_side = page.get_by_role("region", name="Sales' side: each team's SLA").locator("tbody tr")
    expect(sales_side).to_have_count(len(data.TEAMS))
    for name, (_zone, _days, _starts, _ends, minutes, _cap) in data.TEAMS.items():
        expect(sales_side.filter(has_text=name)).to_contain_text(f"{minutes} working min")
    expect(sales_side.get_by_role("link")).to_have_count(0)
    screenshot(page, "handoff-two-sided-sla")
