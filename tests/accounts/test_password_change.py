"""Changing one's password can revoke every API token one has (the box is checked by default):
a password someone else learnt may have been used to create tokens that outlive it."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from leadflow.accounts import services
from leadflow.accounts.models import ApiToken
from tests.accounts.pages import post_form
from tests.conftest import logged_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "a quite new passphrase 42"
DEALS = reverse("sales-api:deal-list")


def password_form(client: Client):
    """The form behind the sidebar's "Password" link, from the page a user lands on."""
    home = client.get(reverse("home"), follow=True)
    link = BeautifulSoup(home.content, "html.parser").find("a", string="Password")["href"]
    return link, post_form(client.get(link).content.decode(), "Change password")


def change_password(client: Client, *, old: str = PASSWORD, new: str = NEW, **options):
    link, form = password_form(client)
    data = form.data(old_password=old, new_password1=new, new_password2=new, **options)
    return client.post(form.action or link, data, follow=True)


def api_status(secret: str) -> int:
    return Client().get(DEALS, headers={"Authorization": f"Bearer {secret}"}).status_code


def test_the_box_to_revoke_my_tokens_is_checked_by_default(rep):
    _, form = password_form(logged_in(rep))
    assert "revoke_api_tokens" in form.checkboxes
    assert "revoke_api_tokens" in form.fields


def test_changing_my_password_with_the_box_checked_revokes_every_token_of_mine(rep, teammate):
    mine = [services.create_api_token(user=rep, name=name) for name in ("CRM sync", "Zapier")]
    theirs = services.create_api_token(user=teammate, name="Sara's script")
    assert api_status(mine[0].secret) == 200

    response = change_password(logged_in(rep))

    assert response.status_code == 200
    assert "2 API tokens revoked" in response.content.decode()
    assert [api_status(issued.secret) for issued in mine] == [401, 401]
    assert ApiToken.objects.filter(user=rep, revoked_at__isnull=True).count() == 0
    assert api_status(theirs.secret) == 200  # only mine
    rep.refresh_from_db()
    assert rep.check_password(NEW)


def test_unchecking_the_box_keeps_my_tokens_working(rep):
    issued = services.create_api_token(user=rep, name="CRM sync")
    response = change_password(logged_in(rep), unchecked=("revoke_api_tokens",))
    assert response.status_code == 200
    assert "revoked" not in response.content.decode()
    assert api_status(issued.secret) == 200
    rep.refresh_from_db()
    assert rep.check_password(NEW)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [("not my password", NEW, "Your old password was entered incorrectly"), (PASSWORD, "123", "too short")],
)
def test_a_refused_change_is_a_400_and_revokes_nothing(rep, old, new, error):
    issued = services.create_api_token(user=rep, name="CRM sync")
    response = change_password(logged_in(rep), old=old, new=new)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert api_status(issued.secret) == 200
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)
