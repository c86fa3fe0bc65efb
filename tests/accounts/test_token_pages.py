"""Everyone manages their own API tokens: the secret is shown once, only its hash is kept."""

import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadflow.accounts import services
from leadflow.accounts.models import ApiToken
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db
PAGE = reverse("accounts:tokens")
CREATE = reverse("accounts:token-create")


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:token-revoke", args=[token.pk])


def secret_in(response) -> str:
    return re.search(r'value="(lf_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"', response.content.decode()).group(1)


@pytest.mark.parametrize("persona", ["marketer", "rep", "manager", "admin_user"])
def test_every_role_can_create_a_token_of_its_own(request, persona):
    user = request.getfixturevalue(persona)
    client = logged_in(user)
    assert client.get(PAGE).status_code == 200
    response = client.post(CREATE, {"name": "Zapier"})
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (user, "Zapier")


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(marketer):
    client = logged_in(marketer)
    response = client.post(CREATE, {"name": "Warehouse sync"})
    secret = secret_in(response)
    token = ApiToken.objects.get()
    tag, prefix, key = secret.split("_", 2)
    assert (tag, prefix) == ("lf", token.prefix)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(key in value for value in stored)
    assert "no-store" in response["Cache-Control"]
    later = client.get(PAGE).content.decode()
    assert key not in later
    assert f"lf_{token.prefix}_…" in later


def test_the_list_shows_only_my_tokens_with_when_they_were_used(marketer, rep):
    mine = services.create_api_token(user=marketer, name="Mine").token
    services.create_api_token(user=rep, name="Sam's script")
    services.revoke_api_token(user=marketer, token_id=services.create_api_token(user=marketer, name="Old").token.pk)
    page = logged_in(marketer).get(PAGE).content.decode()
    assert "Mine" in page and "Old" in page and "Revoked" in page
    assert "Sam&#x27;s script" not in page and "Sam's script" not in page
    assert f"lf_{mine.prefix}_…" in page
    assert "Never" in page


@pytest.mark.parametrize(
    ("name", "error"),
    [("", "This field is required."), ("   ", "This field is required."), ("x" * 101, "at most 100 characters")],
)
def test_an_empty_or_overlong_name_is_a_400_and_creates_nothing(marketer, name, error):
    response = logged_in(marketer).post(CREATE, {"name": name})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_name_is_stored_as_text_and_shown_escaped(marketer):
    logged_in(marketer).post(CREATE, {"name": "<script>alert(1)</script>"})
    assert ApiToken.objects.get().name == "<script>alert(1)</script>"
    page = logged_in(marketer).get(PAGE).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_revoking_my_token_stops_it_at_once(marketer):
    issued = services.create_api_token(user=marketer, name="Zapier")
    response = logged_in(marketer).post(revoke_url(issued.token))
    assert response.status_code == 303
    assert response["Location"] == PAGE
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert services.authenticate_api_token(raw=issued.secret) is None


def test_someone_elses_token_is_a_404_and_stays_live(marketer, rep, admin_user):
    issued = services.create_api_token(user=rep, name="Sam's script")
    for stranger in (marketer, admin_user):  # the page is for one's own: even an admin (who has the admin site)
        assert logged_in(stranger).post(revoke_url(issued.token)).status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_revoking_needs_the_csrf_token(marketer):
    issued = services.create_api_token(user=marketer, name="Zapier")
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(revoke_url(issued.token)).status_code == 403
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_revoking_is_a_post(marketer):
    issued = services.create_api_token(user=marketer, name="Zapier")
    assert logged_in(marketer).get(revoke_url(issued.token)).status_code == 405
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


@pytest.mark.parametrize(("method", "path"), [("get", PAGE), ("post", CREATE), ("post", "/accounts/tokens/1/revoke/")])
def test_anonymous_visitors_are_sent_to_log_in(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not ApiToken.objects.exists()


def test_the_sidebar_links_to_the_token_page(rep):
    page = logged_in(rep).get(PAGE).content.decode()
    assert f'<a href="{PAGE}" aria-current="page">API tokens</a>' in page


def test_superusers_see_every_token_in_the_admin_but_never_a_hash(admin_user, rep):
    issued = services.create_api_token(user=rep, name="Sam's script")
    client = logged_in(admin_user)
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[issued.token.pk])).content.decode()
    assert "Sam&#x27;s script" in listing
    for page in (listing, detail):
        assert issued.token.key_hash not in page
        assert issued.secret not in page
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_superusers_revoke_any_token_from_the_admin(admin_user, rep):
    issued = services.create_api_token(user=rep, name="Sam's script")
    response = logged_in(admin_user).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_staff_who_are_not_superusers_cannot_see_tokens(manager, rep):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    services.create_api_token(user=rep, name="Sam's script")
    assert logged_in(manager).get(reverse("admin:accounts_apitoken_changelist")).status_code == 403


# --- a manager reads the team's tokens (RELIABILITY: "API tokens of others — read team") ------


def test_a_manager_reads_the_teams_tokens_but_not_another_teams(manager, rep, teammate, stranger):
    services.create_api_token(user=rep, name="Zapier sync")
    services.create_api_token(user=teammate, name="Dialer")
    services.create_api_token(user=stranger, name="Other team's bot")

    response = logged_in(manager).get(PAGE)

    page = response.content.decode()
    assert "Your team" in page
    assert "Zapier sync" in page and "Dialer" in page
    assert "Other team" not in page
    # Read-only: the only revoke forms are for the manager's own tokens (none here).
    assert "/revoke/" not in page


def test_a_salesperson_sees_no_one_elses_tokens(rep, teammate):
    services.create_api_token(user=teammate, name="Dialer")
    page = logged_in(rep).get(PAGE).content.decode()
    assert "Dialer" not in page and "Your team" not in page


def test_a_manager_cannot_revoke_a_reps_token(manager, rep):
    token = services.create_api_token(user=rep, name="Zapier sync").token
    assert logged_in(manager).post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked


def test_the_team_list_runs_the_same_queries_as_tokens_grow(manager, rep, teammate):
    client = logged_in(manager)
    services.create_api_token(user=rep, name="one")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for n in range(5):
        services.create_api_token(user=teammate, name=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(PAGE)
    assert len(many) == len(few)
