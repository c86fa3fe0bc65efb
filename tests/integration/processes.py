"""Real outside processes for fault tests: a private redis-server, the web app, a worker.

Each process runs in its own process group with its output in a log file, so a test can
stop, freeze or kill exactly what it started, and show the logs when an assertion fails.
The shared Redis on 6379 is never touched: every test gets its own redis-server.
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One subprocess (and its process group) with its log."""

    name = "process"

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def spawn(self, command: list[str], env: dict | None = None) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited early (code {self.process.returncode}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the whole process group: politely, then by force."""
        if not self.running():
            return
        group = self.process.pid
        for sig in (signal.SIGCONT, signal.SIGTERM):  # a frozen process cannot act on SIGTERM
            _signal_group(group, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(group, signal.SIGKILL)
            self.process.wait()
        _signal_group(group, signal.SIGKILL)  # children the leader left behind

    def kill(self) -> None:
        """Die abruptly, the whole process group at once (a crash, an OOM kill)."""
        if self.running():
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def describe(self) -> str:
        return f"--- {self.name} ({self.log_path}) ---\n{self.log_tail()}"


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(group, sig)


class RedisServer(Process):
    """A throwaway redis-server: no persistence, so a restart starts empty (like RELIABILITY #8)."""

    name = "redis-server"

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        super().__init__(directory / f"redis-{self.port}.log")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.spawn([*command, "--daemonize", "no", "--dir", str(self.directory)])
        wait_until(self._answers, timeout=10, what=f"redis-server on {self.port}:\n{self.log_tail()}")
        return self

    def _answers(self) -> bool:
        self.check_alive()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def freeze(self) -> None:
        """Hung, not dead: connections are still accepted by the kernel but never answered."""
        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def queue_length(self, queue: str) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            name = queue.encode()
            sock.sendall(b"*2\r\n$4\r\nLLEN\r\n$%d\r\n%s\r\n" % (len(name), name))
            reply = sock.recv(64)
        assert reply.startswith(b":"), reply
        return int(reply[1:].split(b"\r\n")[0])


def service_env(*, database_url: str, redis_url: str, queue: str, **extra: str) -> dict[str, str]:
    """What the web app and the worker read, pointed at the test database and our Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LEADFLOW_CELERY_QUEUE": queue,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "test-only-insecure-key",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LEADFLOW_FORM_MIN_SECONDS": "0",  # a test posts the form right after loading it
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class WebServer(Process):
    """The web app under gunicorn (one sync worker), as docker-compose runs it."""

    name = "web (gunicorn)"

    def __init__(self, directory: Path):
        self.port = free_port()
        super().__init__(directory / f"web-{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> "WebServer":
        command = [sys.executable, "-m", "gunicorn", "leadflow.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", "1", "--timeout", "60", "--access-logfile", "-", "--no-control-socket"]
        self.spawn(command, env)
        wait_until(self._answers, timeout=60, what=f"the web server to answer:\n{self.log_tail()}")
        return self

    def _answers(self) -> bool:
        self.check_alive()
        try:
            with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def post_json(self, path: str, payload: dict, *, timeout: float = 30) -> "Answer":
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return self.request("POST", path, body=json.dumps(payload).encode(), headers=headers, timeout=timeout)

    def post_form(self, path: str, fields: dict[str, str], *, timeout: float = 30) -> "Answer":
        """Post a hosted HTML form the way a browser does: fetch it, then send back its hidden
        fields (the signed anti-spam token; the public form has no CSRF cookie so that it
        works embedded on other sites). The web process needs LEADFLOW_FORM_MIN_SECONDS=0."""
        page = self.request("GET", path, timeout=timeout)
        assert page.status == 200, page
        hidden = dict(re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.body))
        body = urllib.parse.urlencode({**{k.decode(): v.decode() for k, v in hidden.items()}, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers, timeout=timeout)

    def request(self, method: str, path: str, *, body=None, headers=None, timeout: float = 30) -> "Answer":
        request = urllib.request.Request(f"{self.url}{path}", data=body, headers=headers or {}, method=method)
        started = time.monotonic()
        try:
            with _no_redirects.open(request, timeout=timeout) as response:
                status, answer_headers, answer_body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            status, answer_headers, answer_body = error.code, error.headers, error.read()
        return Answer(status=status, body=answer_body, headers=answer_headers, seconds=time.monotonic() - started)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


_no_redirects = urllib.request.build_opener(_KeepRedirects)


class Answer:
    def __init__(self, *, status: int, body: bytes, headers, seconds: float):
        self.status, self.body, self.headers, self.seconds = status, body, headers, seconds

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} in {self.seconds:.2f}s: {self.body[:300]!r}>"


class Worker(Process):
    """`celery worker` on one queue; with `beat`, the periodic sweeps run inside it."""

    name = "celery worker"

    def __init__(self, directory: Path, queue: str):
        self.queue = queue
        self.directory = directory
        super().__init__(directory / f"worker-{queue}.log")

    def start(self, env: dict[str, str], *, beat: bool = False, concurrency: int = 1) -> "Worker":
        command = [sys.executable, "-m", "celery", "-A", "leadflow", "worker", "-Q", self.queue]
        command += ["-n", f"{self.queue}@%h", "--concurrency", str(concurrency), "-l", "info"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            command += ["-B", "--schedule", str(self.directory / f"beat-{self.queue}")]
        self.spawn(command, env)
        wait_until(self._ready, timeout=60, what=f"the worker to start:\n{self.log_tail()}")
        return self

    def _ready(self) -> bool:
        self.check_alive()
        return " ready." in self.log_text()

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool's child processes (the ones that run tasks)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:  # fields: state, ppid, ...
                children.append(int(stat.parent.name))
        return children


class DatabaseProxy(Process):
    """A TCP forwarder to PostgreSQL: killing it is, for the processes behind it, a database outage."""

    name = "database proxy"

    def __init__(self, directory: Path, database_url: str):
        self.port = free_port()
        self.target = urllib.parse.urlsplit(database_url)
        super().__init__(directory / f"db-proxy-{self.port}.log")

    @property
    def database_url(self) -> str:
        """The database URL, with the proxy in place of the server."""
        credentials = self.target.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urllib.parse.urlunsplit(self.target._replace(netloc=netloc))

    def start(self) -> "DatabaseProxy":
        target = [self.target.hostname or "127.0.0.1", str(self.target.port or 5432)]
        self.spawn([sys.executable, "-m", "tests.integration.tcp_proxy", str(self.port), *target])
        wait_until(self._listening, timeout=10, what=f"the database proxy:\n{self.log_tail()}")
        return self

    def _listening(self) -> bool:
        self.check_alive()
        return f"listening on {self.port}" in self.log_text()


class MailServer(Process):
    """tests/integration/smtp_sink.py: every message it accepts is a file in `inbox`."""

    name = "smtp sink"

    def __init__(self, directory: Path, port: int):
        self.port = port
        self.inbox = directory / f"smtp-{port}"
        self.inbox.mkdir(exist_ok=True)
        super().__init__(directory / f"smtp-{port}.log")

    def start(self) -> "MailServer":
        self.spawn([sys.executable, "-m", "tests.integration.smtp_sink", str(self.port), str(self.inbox)])
        wait_until(self._listening, timeout=10, what=f"the SMTP sink:\n{self.log_tail()}")
        return self

    def _listening(self) -> bool:
        self.check_alive()
        return f"listening on {self.port}" in self.log_text()

    def messages(self) -> list[str]:
        return [path.read_text(errors="replace") for path in sorted(self.inbox.glob("*.eml"))]


class Processes:
    """Everything a test started, stopped in reverse order however the test ends."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[Process] = []

    def redis(self) -> RedisServer:
        server = self._track(RedisServer(self.directory))
        return server.start()

    def database_proxy(self, database_url: str) -> DatabaseProxy:
        proxy = self._track(DatabaseProxy(self.directory, database_url))
        return proxy.start()

    def mail_server(self, port: int) -> MailServer:
        server = self._track(MailServer(self.directory, port))
        return server.start()

    def web(self, env: dict[str, str]) -> WebServer:
        server = self._track(WebServer(self.directory))
        return server.start(env)

    def worker(self, env: dict[str, str], queue: str, **options) -> Worker:
        worker = self._track(Worker(self.directory, queue))
        return worker.start(env, **options)

    def _track(self, process: Process):
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(process.describe() for process in self.started)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()
