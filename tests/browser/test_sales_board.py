"""The pipeline board in a real browser: drag a card, move one with the keyboard, and an illegal drop."""

import pytest
from playwright.sync_api import expect

from sales.models import Deal
from tests.browser.conftest import log_in, screenshot
from tests.sales.helpers import deal_at, open_deal_for, stage

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


def posts_of(page) -> list[str]:
    """The POSTs the page sends from now on (a move the board makes is one)."""
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    return sent


def test_arrow_keys_only_choose_a_stage_and_enter_moves_the_card_keeping_the_focus_on_it(open_page, rep):
    deal = deal_at(rep, "qualification", title="Initech")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/board/")
    sent = posts_of(page)
    select = page.get_by_label("Move Initech to")
    select.focus()
    page.keyboard.press("ArrowDown")  # ← Discovery
    page.keyboard.press("ArrowDown")  # → Proposal
    expect(select).to_have_value(str(stage("proposal").pk))
    page.wait_for_timeout(500)  # a change-triggered move would have been sent by now
    assert sent == []
    assert Deal.objects.get(pk=deal.pk).stage.slug == "qualification"

    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Moved Initech to Proposal.")
    expect(column(page, "Proposal").get_by_label("Move Initech to")).to_be_focused()
    assert Deal.objects.get(pk=deal.pk).stage.slug == "proposal"
    assert len(sent) == 1


def test_enter_without_a_chosen_stage_sends_nothing(open_page, rep):
    deal = open_deal_for(rep, title="Initech")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/board/")
    sent = posts_of(page)
    page.get_by_label("Move Initech to").press("Enter")
    page.wait_for_timeout(500)
    assert sent == []
    assert Deal.objects.get(pk=deal.pk).stage.slug == "discovery"


def test_choosing_with_the_mouse_waits_for_the_move_button(open_page, rep):
    deal = open_deal_for(rep, title="Initech")
    page = open_page()
    log_in(page, rep)
    page.goto("/sales/board/")
    sent = posts_of(page)
    page.get_by_label("Move Initech to").select_option(label="→ Qualification")
    page.wait_for_timeout(500)
    assert sent == []
    assert Deal.objects.get(pk=deal.pk).stage.slug == "discovery"

    page.get_by_role("button", name="Move Initech").click()
    expect(page.get_by_role("status")).to_have_text("Moved Initech to Qualification.")
    expect(column(page, "Qualification").locator(f"#card-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.slug == "qualification"
    screenshot(page, "sales-board-moved-by-button")
