import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from leadflow.middleware import DatabaseUnavailableMiddleware
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("marketer", "/marketing/leads/"),
        ("rep", "/handoff/offers/"),
        ("manager", "/dashboard/"),
        ("admin_user", "/dashboard/"),
    ],
)
def test_each_role_lands_on_its_own_page(request, persona, landing):
    response = logged_in(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 302
    assert response["Location"] == landing


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_role_sees_only_its_own_navigation(marketer, rep):
    marketing_page = logged_in(marketer).get("/marketing/leads/").content.decode()
    sales_page = logged_in(rep).get("/handoff/offers/").content.decode()
    assert "/marketing/leads/" in marketing_page and "/handoff/offers/" not in marketing_page
    assert "/handoff/offers/" in sales_page
    # Sales reads the leads it owns, but none of marketing's tools.
    assert '<a href="/marketing/leads/">My leads</a>' in sales_page
    for marketing_only in ("/marketing/scoring/", "/marketing/imports/", "/marketing/leads/recycled/"):
        assert marketing_only in marketing_page and marketing_only not in sales_page


def test_an_unknown_api_url_answers_json_404():
    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_answers_an_html_404():
    response = Client().get("/nothing-here/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.parametrize(("path", "content_type"), [("/api/v1/capture/", "application/json"), ("/", "text/html")])
def test_a_database_outage_is_a_503_with_retry_after_not_a_500(path, content_type):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get(path), OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith(content_type)
    if content_type == "application/json":
        assert "unavailable" in json.loads(response.content)["detail"]
