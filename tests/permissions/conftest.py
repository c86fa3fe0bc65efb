import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from .expect import LOGGED_IN
from .world import World, build


@dataclass
class Cast:
    """The world, and a session (or a token) per persona, shared by every case of the module."""

    world: World
    sessions: dict[str, str]

    def client(self, persona: str) -> Client:
        if persona == "token":
            return Client(headers={"Authorization": f"Bearer {self.world.token_secret}"})
        client = Client()
        if persona in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside a transaction that is rolled back at the end; each case
    runs in a savepoint of its own (pytest-django's `db`), so its writes vanish after it."""
    overrides = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DATA_DIR=tmp_path_factory.mktemp("permissions-data"),  # uploaded CSV files
    )
    with django_db_blocker.unblock(), overrides:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build()
            users = {persona: getattr(world, persona) for persona in LOGGED_IN}
            yield Cast(world, {persona: _session(user) for persona, user in users.items()})
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate-limit and throttle counters of each case's own: 9 personas × many rows would trip them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"permissions-test-{uuid.uuid4().hex}",
        }
    }
