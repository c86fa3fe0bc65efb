"""A real `celery worker` process for the tests, on the test database and its own queue."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from django.db import connection

from leadflow.celery import app as celery_app
from tests.waiting import wait_until


def current_database_url() -> str:
    """The URL of the test database pytest-django created, for processes we start."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def purge(queue: str) -> None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    except Exception:  # the queue may not exist yet
        pass


def queue_length(queue: str) -> int:
    try:
        with celery_app.connection_for_write() as conn:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:  # no such queue: nothing waiting
        return 0


class WorkerProcess:
    def __init__(self, queue: str, log_path: Path):
        self.queue = queue
        self.node = f"{queue}@{socket.gethostname()}"
        self.log_path = log_path
        env = {
            **os.environ,
            "DATABASE_URL": current_database_url(),
            "LEADFLOW_CELERY_QUEUE": queue,
            "LEADFLOW_RECONCILE_GRACE_SECONDS": "0",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "test-only-insecure-key"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        command = [
            *(sys.executable, "-m", "celery", "-A", "leadflow", "worker", "-Q", queue, "-n", self.node),
            *("--concurrency", "2", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(self.ready, timeout=60, what=f"the Celery worker to start:\n{self.log_tail()}")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the Celery worker exited early:\n{self.log_tail()}")
        return b" ready." in self.log_path.read_bytes()

    def idle(self) -> bool:
        if queue_length(self.queue):
            return False
        inspector = celery_app.control.inspect(destination=[self.node], timeout=1.0)
        busy = [inspector.active(), inspector.reserved()]
        return all(reply is not None and not any(reply.values()) for reply in busy)

    def wait_until_idle(self, timeout: float = 60) -> None:
        wait_until(self.idle, timeout=timeout, interval=0.2, what=f"the worker to finish:\n{self.log_tail()}")

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
