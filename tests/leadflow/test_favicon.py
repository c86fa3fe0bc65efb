"""Every page names its icon, and /favicon.ico answers: no browser logs a 404 for it."""

import re

import pytest
from django.test import Client

from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def icon_of(page) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.content.decode())
    assert match, "the page names no icon"
    return match.group(1)


def assert_is_the_icon(client: Client, href: str) -> None:
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])


def test_signed_in_public_and_login_pages_name_an_icon_that_answers(marketer):
    campaign = factories.CampaignFactory()
    pages = [
        (logged_in(marketer), "/marketing/leads/"),
        (Client(), "/accounts/login/"),
        (Client(), f"/marketing/forms/{campaign.utm_campaign}/"),  # the hosted form (public_base.html)
    ]
    for client, path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert_is_the_icon(client, icon_of(page))


def test_favicon_ico_sends_the_browser_to_the_icon():
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == icon_of(client.get("/accounts/login/"))
    assert_is_the_icon(client, response["Location"])
