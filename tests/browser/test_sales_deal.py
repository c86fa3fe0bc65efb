"""A salesperson's morning on the deal page, in a real browser: log a call, mark a task done,
win one deal and lose another (the reason is required and comes from the managed list)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales import services
from sales.models import Activity, Deal
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_salesperson_logs_a_call_marks_a_task_done_and_closes_one_deal_won_and_one_lost(open_page, rep):
    initech = factories.accepted_deal(rep, stage="negotiation", company="Initech", email="peter@initech.example")
    globex = factories.accepted_deal(rep, stage="proposal", company="Globex", email="hank@globex.example")
    # Due now: on My day at any hour (two hours ahead fell on tomorrow after 22:00 and hid it).
    due = timezone.now()
    task = services.log_activity(
        deal_id=initech.pk, by=rep, kind="task", subject="Send the security questionnaire", due_at=due
    )

    page = open_page()
    log_in(page, rep)
    page.goto("/sales/my-day/")
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    screenshot(page, "sales-my-day")
    page.get_by_role("link", name="Initech").first.click()
    expect(page.get_by_role("heading", name="Initech", exact=True)).to_be_visible()

    activities = page.locator("#activities-panel")
    activities.get_by_label("Type").select_option(label="Call")
    activities.get_by_label("Subject").fill("Pricing call with Peter")
    activities.get_by_label("Notes").fill("Wants a 3-year term")
    activities.get_by_role("button", name="Log as done").click()
    expect(page.locator("#activities-panel").get_by_role("status")).to_contain_text(
        "Logged: call “Pricing call with Peter”."
    )
    call = Activity.objects.get(subject="Pricing call with Peter")
    assert (call.kind, call.details, call.done_at is not None) == ("call", "Wants a 3-year term", True)

    page.get_by_role("button", name="Mark done: Send the security questionnaire").click()
    expect(page.locator(f"#activity-{task.pk}").get_by_role("status")).to_have_text("Done")
    assert Activity.objects.get(pk=task.pk).done_by == rep
    screenshot(page, "sales-deal-page")

    page.get_by_label("Final amount").fill("64000")
    page.locator(".close-won").get_by_label("How good was the lead?").select_option("5")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_role("heading", name="Closed won")).to_be_visible()
    initech.refresh_from_db()
    assert (initech.stage.slug, str(initech.amount), initech.lead_rating) == ("won", "64000.00", 5)
    screenshot(page, "sales-deal-won")

    page.goto(f"/sales/deals/{globex.pk}/")
    reason = page.get_by_label("Why was it lost?")
    page.get_by_role("button", name="Mark lost").click()  # no reason: the browser holds the form back
    assert reason.evaluate("select => select.validationMessage")
    expect(page.get_by_role("heading", name="Globex", exact=True)).to_be_visible()
    assert Deal.objects.get(pk=globex.pk).closed_at is None
    reason.select_option(label="Chose a competitor")
    page.get_by_label("Details").fill("Went with their CRM vendor's add-on")
    page.get_by_role("button", name="Mark lost").click()
    expect(page.get_by_role("heading", name="Closed lost")).to_be_visible()
    expect(page.get_by_text("Reason: Chose a competitor — Went with their CRM vendor's add-on")).to_be_visible()
    globex.refresh_from_db()
    assert (globex.stage.slug, globex.lost_reason, globex.lost_note) == (
        "lost",
        "Chose a competitor",
        "Went with their CRM vendor's add-on",
    )
    screenshot(page, "sales-deal-lost")


def test_won_is_shown_unavailable_with_its_reason_before_negotiation_and_wins_there(open_page, rep):
    deal = factories.accepted_deal(rep, stage="proposal", company="Initech", email="peter@initech.example")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/deals/")
    page.get_by_role("link", name=deal.title).click()
    expect(page.get_by_role("heading", name=deal.title, exact=True)).to_be_visible()

    won = page.get_by_role("button", name="Mark won")
    expect(won).to_be_disabled()  # aria-disabled: still focusable, so the reason is read out
    expect(won).to_have_accessible_description("Won is possible from Negotiation: move the deal there first.")
    expect(page.get_by_label("Final amount")).to_have_count(0)
    screenshot(page, "sales-deal-won-not-yet")
    won.click(force=True)  # a click anyway posts nothing
    expect(page.get_by_role("alert")).to_have_count(0)
    assert Deal.objects.get(pk=deal.pk).stage.slug == "proposal"

    # "Move to" starts at the deal's own stage: Move without a choice moves nothing.
    expect(page.get_by_label("Move to")).to_have_value(str(deal.stage_id))
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("The deal stays in Proposal: choose another stage to move it.")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.slug == "proposal"

    page.get_by_label("Move to").select_option(label="Negotiation")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(".stepper [aria-current=step]")).to_have_text("Negotiation")
    expect(page.get_by_role("button", name="Mark won")).not_to_have_attribute("aria-disabled", "true")
    page.get_by_label("Final amount").fill("64000")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_role("heading", name="Closed won")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.slug == "won"
