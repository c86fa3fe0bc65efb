"""A salesperson creates an API token, uses it, revokes it; a guesser is locked out of the
login page — in a real browser."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # The live server runs in this process: its lockout counters stay out of other tests' way.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def test_a_salesperson_creates_a_token_uses_it_and_revokes_it(open_page, team):
    sam = factories.salesperson(team, username="sam")
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, sam)

    page.get_by_role("navigation", name="Your account").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    page.get_by_label("Name").focus()  # by keyboard: type the name, Enter submits
    page.keyboard.type("Warehouse sync")
    page.keyboard.press("Enter")

    secret_field = page.get_by_label("Token “Warehouse sync”")
    expect(secret_field).to_be_focused()
    secret = secret_field.input_value()
    assert re.fullmatch(r"lf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "accounts-token-created")

    deals = page.request.get("/api/v1/deals/", headers={"Authorization": f"Bearer {secret}"})
    assert deals.status == 200

    page.goto("/accounts/tokens/")
    assert secret.split("_", 2)[2] not in page.content()
    row = page.get_by_role("row", name=re.compile("Warehouse sync"))
    expect(row).to_contain_text(secret[:11] + "_…")
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Revoke “Warehouse sync”").click()
    expect(page.get_by_text("Revoked “Warehouse sync”")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Warehouse sync"))).to_contain_text("Revoked")
    screenshot(page, "accounts-tokens")

    refused = page.request.get("/api/v1/deals/", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401


def test_a_guesser_is_locked_out_of_the_login_page_even_with_the_right_password(open_page):
    maria = factories.marketer(username="maria")
    page = open_page()
    page.goto("/accounts/login/")
    for _ in range(4):
        page.get_by_label("Username").fill("maria")
        page.get_by_label("Password").fill("a wrong guess")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    page.get_by_label("Password").fill("a wrong guess")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed log-in attempts")

    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        log_in(page, maria)  # the right password now
    assert answer.value.status == 429
    assert answer.value.headers["retry-after"]
    expect(page.get_by_role("alert")).to_contain_text("try again in 15 minutes")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    screenshot(page, "accounts-login-locked")
