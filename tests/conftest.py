"""Shared fixtures: the cast (one persona per role), real services, and the outside parts.

Tests that need PostgreSQL, Redis, Chromium or a worker *skip* on a newcomer's laptop where
those are not configured, and *fail* in CI (LEADFLOW_REQUIRE_SERVICES=1), so a missing
service can never turn CI green by skipping.
"""

import os
import shutil

import pytest
from django.db import connection
from django.test import Client

from leadflow.celery import app as celery_app
from tests import factories
from tests.worker import WorkerProcess, purge

REQUIRE_SERVICES = os.environ.get("LEADFLOW_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("LEADFLOW_CHROMIUM", "/usr/bin/chromium")
# Chromium's background services try to reach Google; this machine has no internet.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Tasks published by the tests go to a queue nobody reads (purged at the end), so a
# developer's running worker (same broker) never picks them up; a test that wants a real
# worker asks for `celery_worker`, which switches publishing to the worker's own queue.
TEST_QUEUE = f"leadflow-test-{os.getpid()}"
WORKER_QUEUE = f"leadflow-worker-{os.getpid()}"
celery_app.conf.task_default_queue = TEST_QUEUE


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (required: LEADFLOW_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _outside_parts(request):
    """Honour the markers that say which real parts a test needs."""
    if request.node.get_closest_marker("postgres"):
        require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")
    if request.node.get_closest_marker("redis"):
        require(shutil.which("redis-server") is not None, "needs the redis-server binary")
    if request.node.get_closest_marker("browser"):
        require(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Real hashing costs ~0.3 s a user; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Cache keys (throttle counters) of their own, so that concurrent test runs and a
    # developer's server sharing one Redis never count each other's requests.
    settings.CACHES = {alias: {**config, "KEY_PREFIX": TEST_QUEUE} for alias, config in settings.CACHES.items()}


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run: Playwright's sync API allows one instance per thread."""
    require(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def team(db):
    # Until routing rules exist, leads go to the first-created team that has reps: ask
    # for `rep` before `stranger` when a test routes leads.
    return factories.TeamFactory(name="Inside Sales")


@pytest.fixture
def other_team(db):
    return factories.TeamFactory(name="Field Sales")


@pytest.fixture
def marketer(db):
    return factories.marketer(username="maria")


@pytest.fixture
def rep(team):
    return factories.salesperson(team, username="sam")


@pytest.fixture
def teammate(team):
    return factories.salesperson(team, username="sara")


@pytest.fixture
def manager(team):
    return factories.sales_manager(team, username="mike")


@pytest.fixture
def stranger(other_team):
    """A salesperson of another team: must not see our team's offers or deals."""
    return factories.salesperson(other_team, username="stan")


@pytest.fixture
def admin_user(db):
    return factories.admin(username="root")


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory(name="Forecasting webinar", utm_campaign="forecasting-webinar")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(scope="session", autouse=True)
def _purge_test_queue():
    yield
    purge(TEST_QUEUE)
    purge(WORKER_QUEUE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with commits that skip the fsync (2.4x faster set-up here).

    Only a crash of the PostgreSQL server could lose such a commit; tests don't survive
    that anyway. Applies to every later session, the worker processes' too.
    """
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" SET synchronous_commit = off')
            cursor.execute("SET synchronous_commit = off")


@pytest.fixture(scope="session")
def worker_process(django_db_setup, tmp_path_factory):
    purge(WORKER_QUEUE)
    worker = WorkerProcess(WORKER_QUEUE, tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def celery_worker(worker_process):
    """A real Celery worker process for this test, on the test database.

    Tasks the test publishes go to it (other tests' tasks go to a queue nobody reads). It
    needs committed data (`django_db(transaction=True)` or `live_server`); wait for
    outcomes in the database with tests.waiting.wait_until. Before the database is
    flushed the worker must be idle: a task still running then deadlocks with TRUNCATE.
    """
    purge(WORKER_QUEUE)
    celery_app.conf.task_default_queue = WORKER_QUEUE
    try:
        yield worker_process
    finally:
        celery_app.conf.task_default_queue = TEST_QUEUE
        worker_process.wait_until_idle()
