"""The demo (`seed_demo`'s data, on PostgreSQL) shared by every crawl test, and one client per persona.

The demo is loaded once for the package and committed, so that a browser talking to a
server thread sees it too; the tests here only read (sessions aside), and the database is
flushed when the package is done.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from devtools.management.commands.seed_demo import load_demo
from tests.conftest import require

from .crawler import Crawl, crawl, url_name

# persona → demo username (None: not logged in). Lena is in the other team from Sam's.
PERSONAS = {
    "marketer": "maria",
    "salesperson": "sam",
    "other-team salesperson": "lena",
    "sales manager": "mike",
    "admin": "admin",
    "anonymous": None,
}


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")
        # The hasher the tests sign in with (tests/conftest.py), not the slow default.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            load_demo()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def client_for(persona: str) -> Client:
    client = Client()
    username = PERSONAS[persona]
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture(scope="package")
def crawls(demo):
    """persona → its crawl, made once (before any test's transaction) and shared by the tests.

    Crawling outside the tests' transactions matters: signing in writes the user's
    last_login, and a row a test's open transaction wrote stays locked against the server
    thread the browser tests sign in through.
    """
    done: dict[str, Crawl] = {}
    for persona in PERSONAS:  # the marketer first: the visitor starts at the forms she found
        starts = ("/",)
        if persona == "anonymous":  # the public forms, as a visitor arrives at them (from elsewhere)
            starts += tuple(url for url in done["marketer"].visits if url_name(url) == "marketing:capture-form")
        done[persona] = crawl(client_for(persona), persona, starts=starts)
    return done.__getitem__
