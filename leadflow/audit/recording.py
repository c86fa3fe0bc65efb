"""Who made a change: the context PostgreSQL's triggers copy into each history row.

The triggers (django-pghistory) record every insert, change and delete of an audited model,
however it was written: save(), QuerySet.update(), bulk_update(), bulk_create(), raw SQL.
What they cannot see is who asked. `pghistory.context` tells them: while it is open, every
write statement is preceded by `set_config('pghistory.context_metadata', …)`, and the
triggers copy that JSON into the row's `pgh_context`:

- a request: {"user": id or null, "username": …, "source": "POST /path (request id)"}.
  The user is read when a row is written, not when the request comes in: DRF authenticates
  an API token inside the view and sets the user it found on the Django request. A visitor
  who is not signed in is recorded with "user": null (a public form, the capture API).
- a Celery task: {"task": "handoff.tasks.reconcile"}: the system, naming the job.
- anything else (a command, a migration, the shell): no context; the page says "System".

Nothing of this runs on SQLite, which has no triggers (docs/AUDIT.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pghistory
from celery.signals import task_postrun, task_prerun
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest
from pghistory import runtime

from .tracking import records

MAX_SOURCE = 200

# Open task contexts by task id: Celery's prerun and postrun signals bracket the task.
_task_contexts: dict[str, pghistory.context] = {}


class _Actor:
    """The request's user, looked up when the context is written into a statement."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.used = False

    def user(self):
        self.used = True
        # The middleware's lazy user: for a visitor without a session cookie, no query.
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


class _UserId:
    def __init__(self, actor: _Actor) -> None:
        self.actor = actor

    def resolve(self):
        user = self.actor.user()
        return user.pk if user is not None else None


class _Username(_UserId):
    def resolve(self):
        user = self.actor.user()
        return user.get_username() if user is not None else ""


class ContextEncoder(DjangoJSONEncoder):
    """pghistory's JSON encoder for the context (settings.PGHISTORY_JSON_ENCODER)."""

    def default(self, o):
        if isinstance(o, _UserId):
            return o.resolve()
        return super().default(o)


@contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    """Writes made while serving `request` are its signed-in user's (or an anonymous visitor's)."""
    if not records() or in_context():
        yield
        return
    actor = _Actor(request)
    _stop_forgetting()
    try:
        with pghistory.context(user=_UserId(actor), username=_Username(actor), source=_source(request)):
            yield
    finally:
        if actor.used:
            _forget()


def in_context() -> bool:
    return hasattr(runtime._tracker, "value")


def _forget() -> None:
    """The context lives in transaction-local settings: inside a transaction that goes on
    (a test's, a caller's atomic block), later writes must not be taken for this request's.
    The settings are cleared in front of the next write statement: no statement of its own."""
    if connection.in_atomic_block and _clear_before_next_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_clear_before_next_write)


def _stop_forgetting() -> None:
    # A new context sets its own settings in front of each write; clearing them after it would undo them.
    if _clear_before_next_write in connection.execute_wrappers:
        connection.execute_wrappers.remove(_clear_before_next_write)


def _clear_before_next_write(execute, sql, params, many, context):
    statement = sql.decode() if isinstance(sql, bytes) else sql
    if many or not statement.lstrip()[:6].upper().startswith(_WRITES):
        return execute(sql, params, many, context)
    _stop_forgetting()
    statement = _CLEAR + statement
    return execute(statement.encode() if isinstance(sql, bytes) else statement, params, many, context)


_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH", "MERGE")
_CLEAR = "SELECT set_config('pghistory.context_id', '', true), set_config('pghistory.context_metadata', '', true); "


def _source(request: HttpRequest) -> str:
    source = f"{request.method} {request.path}"
    if request_id := request.headers.get("X-Request-ID", ""):
        source += f" (request {request_id[:64]})"
    return source if len(source) <= MAX_SOURCE else source[: MAX_SOURCE - 1] + "…"


def connect() -> None:
    task_prerun.connect(_task_started, dispatch_uid="audit")
    task_postrun.connect(_task_finished, dispatch_uid="audit")


def _task_started(task_id: str | None = None, task=None, **kwargs) -> None:
    # A task run inside a request (eagerly) keeps the request's user.
    if task_id is None or not records() or in_context():
        return
    _stop_forgetting()
    context = pghistory.context(task=task.name if task is not None else "task")
    context.__enter__()
    _task_contexts[task_id] = context


def _task_finished(task_id: str | None = None, **kwargs) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
        _forget()
