"""A sales manager, new to LeadFlow, sets up two teams with working hours and a routing rule,
then watches leads route, breach, get re-offered and be recycled — in a real browser."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from handoff import services
from handoff.models import Handoff, Offer, TeamSettings
from marketing import services as marketing_services
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def arrive(email: str, country: str) -> Handoff:
    """A lead fills a form and is handed to sales; the routing task's work, done in place."""
    lead = marketing_services.capture_lead(
        capture=marketing_services.Capture(
            email=email, first_name=email.split("@")[0].title(), country=country, company="Acme " + country
        )  # fmt: skip
    ).lead
    marketing_services.qualify_lead(lead_id=lead.pk)
    return services.route_lead(lead_id=lead.pk, cycle=0)


def set_hours(page, team: str, *, zone: str, sla: str, cap: str) -> None:
    page.get_by_role("row", name=re.compile(team)).get_by_role("link", name="Edit hours & SLA").click()
    expect(page.get_by_role("heading", name=f"{team}: hours & SLA")).to_be_visible()
    page.get_by_label("Time zone").select_option(zone)
    for day in ("Sat", "Sun"):
        expect(page.get_by_label(day)).not_to_be_checked()
    page.get_by_label("Day starts").fill("08:00")
    page.get_by_label("Day ends").fill("18:00")
    page.get_by_label("Time to answer (working minutes)").fill(sla)
    page.get_by_label("Open offers per rep at most").fill(cap)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text(f"{team}: new offers follow these hours and SLA.")).to_be_visible()


def test_a_manager_sets_up_two_teams_and_watches_leads_route_breach_and_recycle(open_page, team, other_team):
    manager = factories.sales_manager(team, username="mike")
    other_team.manager = manager
    other_team.save(update_fields=["manager"])
    sam, sara = factories.salesperson(team, username="sam"), factories.salesperson(team, username="sara")
    fiona = factories.salesperson(other_team, username="fiona")

    page = open_page()
    log_in(page, manager)
    page.get_by_role("link", name="Routing & SLA").click()
    expect(page.get_by_role("heading", name="Routing & SLA")).to_be_visible()
    expect(page.get_by_text("No routing rules yet")).to_be_visible()
    set_hours(page, "Inside Sales", zone="America/New_York", sla="60", cap="5")
    set_hours(page, "Field Sales", zone="Europe/Berlin", sla="600", cap="5")
    assert TeamSettings.objects.get(team=other_team).time_zone == "Europe/Berlin"

    page.get_by_role("link", name="New rule").first.click()
    page.get_by_label("Name").fill("German-speaking countries")
    page.get_by_label("Team").select_option(label="Field Sales")
    page.get_by_label("Countries").fill("Germany, Austria, Switzerland")
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("Rule added at the end of the list.")).to_be_visible()
    expect(page.locator(".hf-rule")).to_contain_text("Germany, Austria, Switzerland")
    screenshot(page, "handoff-routing")

    german, american = arrive("anna@acme.example", "Germany"), arrive("bob@bolt.example", "United States")
    assert (german.team, german.assignee) == (other_team, fiona)
    assert american.team == team and american.assignee in (sam, sara)

    page.get_by_role("link", name="New leads").click()
    card = page.locator(f"#offer-{german.pk}")
    expect(card).to_contain_text("Rule “German-speaking countries”")
    clock = card.locator("[data-due]")
    expect(clock).to_have_text(re.compile(r"^\d+h \d\dm of working time left$"))
    # Due in 90 seconds of working time (as if the clock had run): it counts down each second, no reload.
    clock.evaluate(
        """el => {
          const due = new Date(Date.now() + 90000).toISOString();
          el.dataset.due = due;
          el.dataset.windows = JSON.stringify([[new Date().toISOString(), due, "now"]]);
          el.leadflowWindows = undefined;
        }"""
    )
    expect(clock).to_have_text(re.compile(r"1m \d\ds of working time left"))
    before = clock.inner_text()
    page.wait_for_timeout(1200)
    assert clock.inner_text() != before, "the SLA countdown ticks without a reload"
    screenshot(page, "handoff-inbox-manager")

    # The clock moves past the American lead's deadline: one breach, one re-offer.
    late = Handoff.objects.get(pk=american.pk).due_at + datetime.timedelta(minutes=1)
    assert services.sweep_offers(now=late).expired == 1
    american.refresh_from_db()
    assert [offer.state for offer in american.offers.order_by("id")] == [Offer.State.EXPIRED, Offer.State.OPEN]
    page.get_by_role("link", name="SLA & fairness").click()
    inside = page.get_by_role("region", name="Inside Sales")
    expect(inside.locator(".stat").filter(has_text="Breaches")).to_contain_text("1")
    screenshot(page, "handoff-sla")

    rep_page = open_page()
    log_in(rep_page, american.assignee)
    offer = rep_page.locator(f"#offer-{american.pk}")
    offer.get_by_label("Reason").select_option(label="No budget")
    offer.get_by_role("button", name="Reject lead").click()
    expect(offer.get_by_role("status")).to_contain_text("back with marketing for nurture")
    screenshot(rep_page, "handoff-offer-recycled")
    lead = Lead.objects.get(pk=american.lead_id)
    assert (lead.stage, lead.recycle_count, lead.nurture_until is not None) == (LeadStage.RECYCLED, 1, True)
