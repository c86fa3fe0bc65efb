"""With DEBUG off (as `make test` and production run), a browser gets JSON from the API, never
the browsable API's HTML forms."""

import pytest
from django.urls import reverse

from tests.conftest import logged_in

pytestmark = pytest.mark.django_db
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_asking_for_html_gets_json(rep):
    response = logged_in(rep).get(reverse("sales-api:deal-list"), headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b"<form" not in response.content
    assert "results" in response.json()


def test_asking_for_html_only_is_refused_with_406(rep):
    response = logged_in(rep).get(reverse("sales-api:deal-list"), headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
