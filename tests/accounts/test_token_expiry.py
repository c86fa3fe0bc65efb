"""A token may expire: its lifetime is chosen when it is created (30, 90 or 365 days, or never),
and once it is over, the API answers 401 and says why."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadflow.accounts import services
from leadflow.accounts.models import ApiToken
from tests.accounts.pages import post_form
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db
PAGE = reverse("accounts:tokens")
DEALS = reverse("sales-api:deal-list")


def new_token_form(client: Client):
    return post_form(client.get(PAGE).content.decode(), "Create token")


def api(secret: str):
    return Client().get(DEALS, headers={"Authorization": f"Bearer {secret}"})


def test_the_form_offers_30_90_365_days_or_never_and_preselects_90_days(marketer):
    form = new_token_form(logged_in(marketer))
    assert [text for _, text in form.options["expires"]] == ["30 days", "90 days", "1 year", "Never"]
    assert form.chosen("expires") == "90 days"


@pytest.mark.parametrize(("choice", "days"), [("30 days", 30), ("90 days", 90), ("1 year", 365), ("Never", None)])
def test_the_chosen_lifetime_is_the_tokens_expiry(marketer, choice, days):
    client = logged_in(marketer)
    form = new_token_form(client)
    before = timezone.now()
    response = client.post(form.action, form.data(name="Zapier", expires=form.option("expires", choice)))
    assert response.status_code == 201
    token = ApiToken.objects.get()
    if days is None:
        assert token.expires_at is None
    else:
        assert before + timedelta(days=days) <= token.expires_at <= timezone.now() + timedelta(days=days)


@pytest.mark.parametrize("value", ["7", "0", "-30", "forever", "90.0", "3650"])
def test_a_lifetime_not_offered_is_a_400_and_creates_nothing(marketer, value):
    client = logged_in(marketer)
    form = new_token_form(client)
    response = client.post(form.action, form.data(name="Zapier", expires=value))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_works_until_its_expiry_then_is_a_401_that_says_it_expired(rep):
    created = timezone.now() - timedelta(days=29, hours=23)
    issued = services.create_api_token(user=rep, name="CRM sync", lifetime_days=30, now=created)
    assert api(issued.secret).status_code == 200

    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(issued.secret)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    detail = response.json()["detail"]
    assert detail.startswith("This token expired on ")
    assert "Create a new one" in detail


def test_only_the_holder_of_the_secret_learns_that_a_token_expired(rep):
    issued = services.create_api_token(
        user=rep, name="CRM sync", lifetime_days=30, now=timezone.now() - timedelta(days=31)
    )
    _, prefix, secret = issued.secret.split("_", 2)
    wrong = api(f"lf_{prefix}_{'A' * len(secret)}")
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid or revoked token."})


def test_a_revoked_token_that_also_expired_reads_as_revoked(rep):
    issued = services.create_api_token(
        user=rep, name="CRM sync", lifetime_days=30, now=timezone.now() - timedelta(days=31)
    )
    services.revoke_api_token(user=rep, token_id=issued.token.pk)
    assert api(issued.secret).json() == {"detail": "Invalid or revoked token."}


def my_tokens(html: str) -> dict[str, dict[str, str]]:
    """The "Your tokens" table: each token's name → its cells by column heading."""
    table = BeautifulSoup(html, "html.parser").find(id="tokens-title").find_parent("section").table
    headings = [" ".join(th.text.split()) for th in table.thead("th")]
    rows = {}
    for tr in table.tbody("tr"):
        cells = [" ".join(cell.text.split()) for cell in tr(["th", "td"])]
        rows[cells[0]] = dict(zip(headings, cells, strict=True))
    return rows


def test_the_page_shows_when_each_token_expires_and_which_have_expired(rep):
    expired_at = timezone.localtime(timezone.now() - timedelta(days=10))
    services.create_api_token(user=rep, name="Old sync", lifetime_days=30, now=expired_at - timedelta(days=30))
    services.create_api_token(user=rep, name="Forever script")
    rows = my_tokens(logged_in(rep).get(PAGE).content.decode())
    assert rows["Old sync"]["Expires"] == f"{expired_at:%b} {expired_at.day}, {expired_at.year}"
    assert rows["Old sync"]["Status"] == "Expired"
    assert "Revoke" not in rows["Old sync"]["Actions"]
    assert (rows["Forever script"]["Expires"], rows["Forever script"]["Status"]) == ("Never", "Active")


def test_the_service_refuses_a_lifetime_it_does_not_offer(rep):
    with pytest.raises(ValueError, match="lifetime_days"):
        services.create_api_token(user=rep, name="CRM sync", lifetime_days=7)
    assert not ApiToken.objects.exists()


def test_the_new_token_panel_says_when_it_expires(marketer):
    client = logged_in(marketer)
    form = new_token_form(client)
    response = client.post(form.action, form.data(name="Zapier", expires=form.option("expires", "30 days")))
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    hint = BeautifulSoup(response.content, "html.parser").find(id="issued-hint").text
    assert f"It expires on {expires:%b} {expires.day}, {expires.year}." in " ".join(hint.split())
