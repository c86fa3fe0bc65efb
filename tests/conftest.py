"""Shared fixtures: the cast (one persona per role), real services, and the outside parts.

Tests that need PostgreSQL, Redis, Chromium or a worker *skip* on a newcomer's laptop where
those are not configured, and *fail* in CI (LEADFLOW_REQUIRE_SERVICES=1), so a missing
service can never turn CI green by skipping.
"""

import os
import shutil
import signal
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client

from leadflow.celery import app as celery_app
from tests import factories
from tests.waiting import wait_until

REQUIRE_SERVICES = os.environ.get("LEADFLOW_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("LEADFLOW_CHROMIUM", "/usr/bin/chromium")

# Tasks published by the tests go to a queue of their own, so a developer's running
# worker (same broker) never picks them up, and the test worker never sees theirs.
TEST_QUEUE = f"leadflow-test-{os.getpid()}"
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


def _purge(queue: str) -> None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    except Exception:  # the queue may not exist yet
        pass


@pytest.fixture(scope="session", autouse=True)
def _purge_test_queue():
    yield
    _purge(TEST_QUEUE)


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


def _test_database_url() -> str:
    """The URL of the test database pytest-django created, for processes we start."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory):
    """A real `celery worker` process on the test database and the test queue.

    Tests using it need committed data (`transactional_db` or `live_server`) and should
    wait for outcomes in the database with tests.waiting.wait_until.
    """
    _purge(TEST_QUEUE)  # messages earlier tests published with no worker running
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "LEADFLOW_CELERY_QUEUE": TEST_QUEUE,
        "LEADFLOW_RECONCILE_GRACE_SECONDS": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-only-insecure-key"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "leadflow",
        "worker",
        "-Q",
        TEST_QUEUE,
        "-n",
        f"{TEST_QUEUE}@%h",
        "--concurrency",
        "2",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    worker = WorkerProcess(process, log_path)
    try:
        wait_until(lambda: worker.ready(), timeout=60, what=f"the Celery worker to start:\n{worker.log_tail()}")
        yield worker
    finally:
        worker.stop()


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path):
        self.process = process
        self.log_path = log_path

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the Celery worker exited early:\n{self.log_tail()}")
        return b" ready." in self.log_path.read_bytes()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
