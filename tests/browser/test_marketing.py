"""A marketer's day in a real browser: plan a campaign, publish its form, watch a visitor
become a lead, import a spreadsheet, tune scoring. The worker does the background work."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from marketing.models import Campaign, Lead
from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_plans_a_campaign_and_a_visitor_becomes_its_lead(open_page, marketer, settings):
    settings.LEADFLOW_FORM_MIN_SECONDS = 0  # the robot types faster than the spam guard lets people
    page = open_page()
    log_in(page, marketer)
    page.get_by_role("link", name="Campaigns").click()
    screenshot(page, "marketing-campaigns-empty")
    page.get_by_role("link", name="New campaign").first.click()
    start = datetime.date.today().replace(day=1)
    page.get_by_label("Name").fill("Q3 forecasting webinar")
    page.get_by_label("Channel").select_option(label="Webinar")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_label("Starts on").fill(start.isoformat())
    page.get_by_label("Ends on").fill((start + datetime.timedelta(days=60)).isoformat())
    page.get_by_label("Budget").fill("12000")
    page.get_by_label("Target leads").fill("400")
    page.get_by_label("Target MQLs").fill("80")
    screenshot(page, "marketing-campaign-new")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name=re.compile("Q3 forecasting webinar"))).to_be_visible()
    campaign = Campaign.objects.get(name="Q3 forecasting webinar")
    assert (campaign.utm_campaign, campaign.goal_leads) == ("q3-forecasting-webinar", 400)

    page.get_by_role("link", name="Set up the form and embed it").click()
    page.get_by_role("textbox", name="Question").fill("How many sales reps do you have?")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("stored as how-many-sales-reps-do-you-have")).to_be_visible()
    expect(page.get_by_label("Embed on your website")).to_have_value(re.compile(r"<iframe src=\"http.*embed=1\""))
    screenshot(page, "marketing-form-settings")

    visitor = open_page()
    visitor.goto(f"/marketing/forms/{campaign.utm_campaign}/?utm_source=linkedin&utm_medium=paid_social")
    visitor.get_by_role("textbox", name="Email").fill("katherine@nasa.example")
    visitor.get_by_label("First name").fill("Katherine")
    visitor.get_by_label("Last name").fill("Johnson")
    visitor.get_by_label("Company").fill("NASA")
    visitor.get_by_label("How many sales reps do you have?").fill("12")
    screenshot(visitor, "marketing-public-form")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()

    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("searchbox", name="Search leads").fill("nasa")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Katherine Johnson").click()
    expect(page.get_by_text("utm_source=linkedin · utm_medium=paid_social")).to_be_visible()
    source = page.locator("#lead-source")
    expect(source.locator(".is-used")).to_contain_text("Campaign's channel")
    expect(source).to_contain_text("reads as Paid social")
    expect(page.get_by_text("How many sales reps do you have?")).to_be_visible()
    screenshot(page, "marketing-lead-page")
    lead = Lead.objects.get(email_normalized="katherine@nasa.example")
    assert (lead.first_touch_campaign, lead.utm_medium, lead.attributes) == (
        campaign,
        "paid_social",
        {"how-many-sales-reps-do-you-have": "12"},
    )

    page.goto(campaign.get_absolute_url())
    expect(page.locator(".stat").filter(has_text="Leads").locator(".stat-value")).to_have_text("1")
    screenshot(page, "marketing-campaign-page")
    page.goto(f"/marketing/campaigns/calendar/?year={start.year}")
    expect(page.get_by_role("link", name=re.compile("Q3 forecasting webinar")).first).to_be_visible()
    screenshot(page, "marketing-calendar")


@pytest.mark.worker
def test_a_marketer_imports_a_csv_with_a_bad_row_and_reads_the_report(open_page, celery_worker, marketer, tmp_path):
    csv_file = tmp_path / "trade-show-leads.csv"
    csv_file.write_text(
        "Email,Name,Company,Job Title,Booth notes\n"
        "ada@analytical.example,Ada Lovelace,Analytical Engines,CTO,Wants a demo\n"
        "not-an-email,Bad Row,Nowhere,Intern,\n"
        "grace@navy.example,Grace Hopper,US Navy,Rear Admiral,Select\n"
    )
    page = open_page()
    log_in(page, marketer)
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("What “Name” becomes")).to_have_value("full_name")
    screenshot(page, "marketing-import-mapping")
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator(".stat").filter(has_text="Would refuse").locator(".stat-value")).to_have_text("1")
    expect(page.get_by_text("Row 3")).to_be_visible()
    page.reload()  # the dry run is a GET page: reloading shows it again, with no "resubmit?" prompt
    expect(page.locator(".stat").filter(has_text="Would refuse").locator(".stat-value")).to_have_text("1")
    screenshot(page, "marketing-import-preview")
    page.get_by_role("button", name="Import all 3 rows").click()
    expect(page.get_by_role("heading", name="Refused rows")).to_be_visible(timeout=60_000)  # polled, then redirected
    expect(page.locator(".stat").filter(has_text="Created").locator(".stat-value")).to_have_text("2")
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    screenshot(page, "marketing-import-report")
    ada = Lead.objects.get(email_normalized="ada@analytical.example")
    assert (ada.first_name, ada.attributes, ada.score) == ("Ada", {"Booth notes": "Wants a demo"}, 40)
    assert Lead.objects.get(email_normalized="grace@navy.example").attributes == {}  # "Select" means empty


@pytest.mark.worker
def test_editing_a_scoring_rule_rescores_every_lead_with_visible_progress(open_page, celery_worker, marketer, settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000  # keep these leads with marketing
    leads = [factories.capture(f"caller{n}@corp.example", phone=f"+1 555 010{n}") for n in range(3)]
    from marketing import services

    for lead in leads:
        services.score_lead(lead_id=lead.pk)
    assert Lead.objects.get(pk=leads[0].pk).score == 25  # business domain 10 + phone 5 + form 10
    page = open_page()
    log_in(page, marketer)
    page.get_by_role("link", name="Scoring").click()
    screenshot(page, "marketing-scoring")
    page.get_by_role("link", name="Edit Phone given").click()
    page.get_by_label("Points").fill("25")
    page.get_by_role("button", name="Save and re-score").click()
    expect(page.locator("#rescore-progress")).to_contain_text("All 3 leads re-scored", timeout=60_000)
    screenshot(page, "marketing-scoring-rescored")
    wait_until(lambda: Lead.objects.get(pk=leads[0].pk).score == 45, what="the worker to re-score the leads")
    page.goto(leads[0].get_absolute_url())
    expect(page.locator(".score-big")).to_have_text("45")
    expect(page.get_by_text("Score 25 → 45")).to_be_visible()


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_with_debug_on_a_refused_filter_shows_in_place_and_breaks_no_csp_rule(open_page, marketer, settings):
    settings.DEBUG = True  # as `make run` serves the demo
    page = open_page()
    page.add_init_script(CSP_LISTENER)
    log_in(page, marketer)
    page.get_by_role("link", name="Revenue & ROI").click()
    page.get_by_label("Period").select_option(label="Custom dates")
    page.get_by_label("From").fill("2030-01-01")
    page.get_by_label("From").dispatch_event("change")  # htmx asks again: the end is now before the start
    expect(page.get_by_role("heading", name="Those filters don't work")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # swapped in place, not the whole page
    assert page.evaluate("window.__cspViolations") == []
    screenshot(page, "marketing-dashboard-refused-filter")
