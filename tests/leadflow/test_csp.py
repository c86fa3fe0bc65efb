"""Pages load no script the CSP would refuse: with DEBUG on (make run) as with it off."""

import re

import pytest

from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def scripts_of(page) -> list[str]:
    return re.findall(r"<script[^>]*>", page.content.decode())


@pytest.mark.parametrize("debug", [True, False])
def test_pages_load_htmx_alone_with_the_responses_nonce(settings, marketer, debug):
    settings.DEBUG = debug
    page = logged_in(marketer).get("/marketing/campaigns/")
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    # Not django-htmx's DEBUG error handler: it eval()s scripts and injects inline styles.
    assert scripts_of(page) == [f'<script src="/static/django_htmx/htmx-2.min.js" defer nonce="{nonce}">']
