"""A Bearer token authenticates the API as its user; anything else about it is a 401, never a 500."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadflow.accounts import services
from leadflow.accounts.models import ApiToken
from tests.sales.helpers import open_deal_for

pytestmark = pytest.mark.django_db
DEALS = reverse("sales-api:deal-list")


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def issued(rep):
    return services.create_api_token(user=rep, name="CRM sync")


def test_a_token_reads_the_deals_api_as_its_user(rep, teammate, issued):
    open_deal_for(rep, title="Sam's deal")
    open_deal_for(teammate, title="Sara's deal")
    response = Client().get(DEALS, headers=bearer(issued.secret))
    assert response.status_code == 200
    assert [deal["title"] for deal in response.json()["results"]] == ["Sam's deal"]


def test_a_token_writes_without_a_csrf_token(rep, issued):
    deal = open_deal_for(rep, title="Sam's deal")
    response = Client(enforce_csrf_checks=True).patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        data={"title": "Renamed by the integration"},
        content_type="application/json",
        headers={**bearer(issued.secret), "If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed by the integration"


def test_a_session_write_still_needs_its_csrf_token(rep):
    deal = open_deal_for(rep)
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    response = client.patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        data={"title": "Forged"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 403


def test_a_token_has_only_its_users_permissions(marketer):
    issued = services.create_api_token(user=marketer, name="Reporting")
    assert Client().get(DEALS, headers=bearer(issued.secret)).status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        "Bearer lf_00000000_" + "A" * 43,  # well-formed, unknown
        "Bearer lf_nothing",
        "Bearer not-a-token",
        "Bearer ",
        "Bearer",
        "Bearer two parts",
        "bearer lf_" + "x" * 10_000,
        "Bearer lf_abcdefgh_☃",
        "Bearer lf_abcdefgh_\x00",
    ],
)
def test_a_malformed_or_unknown_token_is_a_401_json(issued, header):
    response = Client().get(DEALS, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert set(response.json()) == {"detail"}


def test_the_right_secret_with_another_prefix_is_refused(issued):
    _, prefix, secret = issued.secret.split("_", 2)
    other = "0" * 8 if prefix != "0" * 8 else "1" * 8
    assert Client().get(DEALS, headers=bearer(f"lf_{other}_{secret}")).status_code == 401


def test_a_revoked_token_is_a_401(rep, issued):
    services.revoke_api_token(user=rep, token_id=issued.token.pk)
    response = Client().get(DEALS, headers=bearer(issued.secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_the_token_of_a_deactivated_user_is_a_401(rep, issued):
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert Client().get(DEALS, headers=bearer(issued.secret)).status_code == 401


def test_no_credentials_at_all_is_a_401_challenge():
    response = Client().get(DEALS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_browser_session_still_works(rep):
    client = Client()
    client.force_login(rep)
    assert client.get(DEALS).status_code == 200


def writes_to_tokens(queries) -> int:
    # "in", not startswith: the audit log's context may precede a write (leadflow/audit/recording.py).
    return sum(1 for query in queries if 'UPDATE "accounts_apitoken"' in query["sql"])


def test_last_used_is_written_at_most_once_a_minute(issued):
    client = Client()
    with CaptureQueriesContext(connection) as first:
        client.get(DEALS, headers=bearer(issued.secret))
    with CaptureQueriesContext(connection) as second:
        client.get(DEALS, headers=bearer(issued.secret))
    assert (writes_to_tokens(first), writes_to_tokens(second)) == (1, 0)
    assert len(second) == len(first) - 1
    used = ApiToken.objects.get().last_used_at
    assert used is not None

    # A minute later (the clock the row holds, moved back) it is written again.
    ApiToken.objects.update(last_used_at=used - datetime.timedelta(seconds=61))
    with CaptureQueriesContext(connection) as later:
        client.get(DEALS, headers=bearer(issued.secret))
    assert writes_to_tokens(later) == 1
    assert ApiToken.objects.get().last_used_at > used
