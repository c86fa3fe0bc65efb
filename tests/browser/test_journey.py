"""The lead journey in a real browser, each role on its own pages, the worker doing the rest."""

import pytest
from playwright.sync_api import expect

from handoff.models import Handoff
from marketing.models import Lead
from tests.browser.conftest import log_in, screenshot
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_visitor_becomes_a_customer_across_marketing_and_sales(
    open_page, celery_worker, campaign, marketer, rep, manager, settings
):
    settings.LEADFLOW_FORM_MIN_SECONDS = 0  # a robot's typing speed is not what this tests
    visitor = open_page()
    visitor.goto(f"/marketing/forms/{campaign.utm_campaign}/?utm_source=linkedin&utm_medium=paid")
    expect(visitor.get_by_role("heading", name=campaign.name)).to_be_visible()
    screenshot(visitor, "capture-form")
    visitor.get_by_role("textbox", name="Email").fill("katherine@nasa.example")
    visitor.get_by_label("First name").fill("Katherine")
    visitor.get_by_label("Last name").fill("Johnson")
    visitor.get_by_label("Company").fill("NASA")
    visitor.get_by_label("Job title").fill("Head of Flight Research")
    visitor.get_by_label("Yes, send me news").check()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()

    lead = Lead.objects.get(email_normalized="katherine@nasa.example")
    assert (lead.utm_source, lead.utm_medium, lead.consent_given_at is not None) == ("linkedin", "paid", True)
    handoff = wait_until(
        lambda: Handoff.objects.filter(lead=lead, state="offered").first(),
        what=f"the worker to score, qualify and offer the lead\n{celery_worker.log_tail()}",
    )

    sales = open_page()
    log_in(sales, rep)
    expect(sales.get_by_role("heading", name="New leads")).to_be_visible()
    offer = sales.locator(f"#offer-{handoff.pk}")
    expect(offer).to_contain_text("Katherine Johnson")
    expect(offer).to_contain_text("Senior title")
    screenshot(sales, "offer-inbox")
    offer.get_by_role("button", name="Accept lead").click()
    expect(offer.get_by_role("status")).to_contain_text("Accepted")  # swapped in place by htmx
    offer.get_by_role("link", name="Open the deal").click()

    expect(sales.get_by_role("heading", name="NASA")).to_be_visible()
    for stage in ("Qualification", "Proposal", "Negotiation"):
        sales.get_by_label("Move to").select_option(label=stage)
        sales.get_by_role("button", name="Move", exact=True).click()
        expect(sales.locator("[aria-current=step]")).to_have_text(stage)
    screenshot(sales, "deal-page")
    sales.get_by_label("Final amount").fill("64000")
    sales.get_by_role("button", name="Mark won").click()
    expect(sales.get_by_role("heading", name="Closed won")).to_be_visible()

    wait_until(lambda: Lead.objects.filter(pk=lead.pk, outcome="won").exists(), what="the outcome to reach marketing")
    marketing = open_page()
    log_in(marketing, marketer)
    marketing.get_by_role("link", name="Katherine Johnson").click()
    expect(marketing.locator(".page-head .badge")).to_have_text("Customer")
    expect(marketing.get_by_text("Deal won").first).to_be_visible()
    screenshot(marketing, "lead-page")

    boss = open_page()
    log_in(boss, manager)
    expect(boss.get_by_role("heading", name="Dashboard")).to_be_visible()
    screenshot(boss, "dashboard")


def test_a_refused_rejection_explains_itself_in_place_and_a_valid_one_recycles(open_page, rep):
    from tests import factories

    handoff = factories.offered(company="Initech", email="peter@initech.example")
    page = open_page()
    log_in(page, rep)
    card = page.locator(f"#offer-{handoff.pk}")
    card.get_by_label("Reason").select_option(label="Other")
    card.get_by_role("button", name="Reject lead").click()
    expect(card.get_by_text("Say why, when the reason is Other.")).to_be_visible()
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.OFFERED

    card.get_by_label("Note").fill("Student project, no company")
    card.get_by_role("button", name="Reject lead").click()
    expect(card.get_by_role("status")).to_contain_text("back with marketing")
    screenshot(page, "offer-rejected")
    handoff.refresh_from_db()
    assert (handoff.state, handoff.rejection_note) == (Handoff.State.REJECTED, "Student project, no company")
    assert Lead.objects.get(pk=handoff.lead_id).stage == "recycled"
