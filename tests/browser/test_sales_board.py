"""The pipeline board in a real browser: drag a card, move one with the keyboard, and an illegal drop."""

import pytest
from playwright.sync_api import expect

from sales.models import Deal
from tests.browser.conftest import log_in, screenshot
from tests.sales.helpers import deal_at, open_deal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column(page, name: str):
    return page.locator("[data-stage-column]").filter(has=page.get_by_role("heading", name=name, exact=True))


def test_a_salesperson_drags_a_deal_to_the_next_stage_and_an_illegal_drop_snaps_back(open_page, rep):
    initech = open_deal_for(rep, title="Initech", contact_name="Peter Gibbons")
    deal_at(rep, "proposal", title="Globex", contact_name="Hank Scorpio")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/board/")
    expect(page.get_by_role("heading", name="Pipeline", exact=True)).to_be_visible()

    card = page.locator(f"#card-{initech.pk}")
    card.drag_to(column(page, "Qualification").locator(".kanban-cards"))
    expect(column(page, "Qualification").locator(f"#card-{initech.pk}")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Moved Initech to Qualification.")
    assert Deal.objects.get(pk=initech.pk).stage.slug == "qualification"
    screenshot(page, "sales-board")

    # Qualification → Negotiation skips Proposal: the server refuses, the card goes back.
    page.locator(f"#card-{initech.pk}").drag_to(column(page, "Negotiation").locator(".kanban-cards"))
    expect(page.get_by_role("alert").filter(has_text="cannot move from Qualification to Negotiation")).to_be_visible()
    expect(column(page, "Qualification").locator(f"#card-{initech.pk}")).to_be_visible()
    expect(column(page, "Negotiation").locator(f"#card-{initech.pk}")).to_have_count(0)
    assert Deal.objects.get(pk=initech.pk).stage.slug == "qualification"
    screenshot(page, "sales-board-refused")


def test_the_keyboard_moves_a_card_and_keeps_the_focus_on_it(open_page, rep):
    deal = open_deal_for(rep, title="Initech")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/board/")
    select = page.get_by_label("Move Initech to")
    select.focus()
    page.keyboard.press("ArrowDown")  # the first allowed move: Qualification
    expect(page.get_by_role("status")).to_have_text("Moved Initech to Qualification.")
    expect(column(page, "Qualification").get_by_label("Move Initech to")).to_be_focused()
    assert Deal.objects.get(pk=deal.pk).stage.slug == "qualification"
