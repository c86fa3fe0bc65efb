"""Passwords are hashed with Argon2, and a hash made before that is upgraded at the next log-in.

tests/conftest.py swaps in MD5 for speed; these tests put back the list leadflow/settings.py
configures, so they test what production runs.
"""

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
CONFIGURED = importlib.import_module("leadflow.settings").PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _production_hashers(settings):
    settings.PASSWORD_HASHERS = CONFIGURED


def test_argon2_is_the_hasher_for_new_passwords():
    assert CONFIGURED[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2_when_its_user_logs_in(marketer):
    marketer.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    marketer.save(update_fields=["password"])

    client = Client()
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    marketer.refresh_from_db()
    assert marketer.password.startswith("argon2$argon2id$")
    assert marketer.check_password(PASSWORD)


def test_a_wrong_password_leaves_the_old_hash_alone(marketer):
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    marketer.password = old
    marketer.save(update_fields=["password"])

    assert Client().post("/accounts/login/", {"username": "maria", "password": "wrong"}).status_code == 200
    marketer.refresh_from_db()
    assert marketer.password == old
