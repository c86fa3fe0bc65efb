"""Saves and deletes of the audited models become AuditEntry rows (what is and is not
recorded: see the package docstring).

The actor is the signed-in user of the request being served (AuditMiddleware), read at the
moment of the save rather than when the request came in: DRF authenticates inside the view
(an API token) and writes the user it found back onto the Django request.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache

from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from .models import AuditEntry

# Fields that move along with a change rather than being one: the entry itself says who and
# when, `version` counts writes, and scores are the scoring engine's (a system write).
# auto_now timestamps and derived keys are left out too: they are not editable.
BOOKKEEPING_FIELDS = frozenset(
    {
        "version",
        "created_by",
        "updated_by",
        "last_login",
        "last_activity_at",
        "stage_changed_at",
        "score",
        "score_reasons",
        "scored_at",
    }
)
# A change of these is recorded as a change, never with its values.
SECRET_WORDS = ("password", "secret", "token", "hash")
HIDDEN = "(hidden)"
MAX_TEXT = 200
EMPTY = (None, "", [], {})

# Where a pre_* signal leaves the "before" for its post_* signal, on the instance itself.
_OLD_ROW = "_audit_old_row"
_OLD_MEMBERS = "_audit_old_members"

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_task: ContextVar[str] = ContextVar("audit_task", default="")


@contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    """Saves made while serving `request` are its signed-in user's."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


def current_actor():
    """The signed-in user making the current write, or None for a system write."""
    request = _request.get()
    if request is None:
        return None
    # The middleware's lazy user: for a visitor without a session cookie, no query.
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def connect() -> None:
    for model in audited_models():
        uid = f"audit:{model._meta.label}"
        pre_save.connect(remember_row, sender=model, dispatch_uid=uid)
        post_save.connect(record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(record_delete, sender=model, dispatch_uid=uid)
        if issubclass(model, PermissionsMixin):
            m2m_changed.connect(record_membership, sender=model.groups.through, dispatch_uid=uid)
    task_prerun.connect(_task_started, dispatch_uid="audit")
    task_postrun.connect(_task_finished, dispatch_uid="audit")


def audited_models() -> list[type[models.Model]]:
    try:
        return [apps.get_model(label) for label in settings.LEADFLOW_AUDITED_MODELS]
    except (LookupError, ValueError) as error:
        raise ImproperlyConfigured(f"LEADFLOW_AUDITED_MODELS: {error}") from None


# --- signal receivers -----------------------------------------------------------------------


def remember_row(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    # Nobody signed in (a task, scoring, an anonymous capture): stop before any query.
    if raw or instance.pk is None or current_actor() is None:
        return
    fields = _written(sender, update_fields)
    if fields:
        columns = [field.attname for field in fields]
        instance.__dict__[_OLD_ROW] = sender._base_manager.filter(pk=instance.pk).values(*columns).first()


def record_save(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    old_row = instance.__dict__.pop(_OLD_ROW, None)
    actor = current_actor()
    if raw or actor is None or not (created or old_row):
        return
    fields = _written(sender, update_fields)
    changes = _changes(fields, old_row or {}, _values(instance, fields))
    if created or changes:
        action = AuditEntry.Action.CREATED if created else AuditEntry.Action.CHANGED
        _write(action, instance, changes, actor)


def record_delete(sender, instance, **kwargs) -> None:
    # Recorded with or without an actor: a delete loses data, and deletes are rare.
    actor = current_actor()
    label = actor.get_username() if actor is not None else ""
    if actor is not None and actor._meta.concrete_model is instance._meta.concrete_model and actor.pk == instance.pk:
        actor = None  # deleting oneself: the key would point at the row being deleted
    fields = audited_fields(sender)
    changes = _changes(fields, _values(instance, fields), {})
    _write(AuditEntry.Action.DELETED, instance, changes, actor, actor_label=label)


def record_membership(sender, instance, action: str, reverse: bool, model, **kwargs) -> None:
    """Group membership: user.groups.add(…) on the user, group.user_set.add(…) on the group."""
    if not action.startswith(("pre_", "post_")) or (actor := current_actor()) is None:
        return
    if reverse:
        members, name = getattr(instance, model.groups.rel.get_accessor_name()), "users"
    else:
        members, name = instance.groups, "groups"
    if action.startswith("pre_"):
        instance.__dict__[_OLD_MEMBERS] = _names(members.all())
        return
    before, after = instance.__dict__.pop(_OLD_MEMBERS, None), _names(members.all())
    if before is not None and before != after:
        _write(AuditEntry.Action.CHANGED, instance, {name: [before, after]}, actor)


def _task_started(task=None, **kwargs) -> None:
    _task.set(f"task:{task.name}" if task is not None else "task")


def _task_finished(**kwargs) -> None:
    _task.set("")


# --- what changed ---------------------------------------------------------------------------


@cache
def audited_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in BOOKKEEPING_FIELDS
    )


def _written(model: type[models.Model], update_fields) -> tuple[models.Field, ...]:
    fields = audited_fields(model)
    if update_fields is None:
        return fields
    return tuple(field for field in fields if field.name in update_fields or field.attname in update_fields)


def _values(instance: models.Model, fields: Iterable[models.Field]) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in fields}


def _changes(fields: Iterable[models.Field], old: dict, new: dict) -> dict[str, list[str]]:
    changed = {}
    for field in fields:
        before, after = old.get(field.attname), new.get(field.attname)
        # An expression (F("version") + 1): only the database knows the new value.
        if hasattr(after, "resolve_expression") or _same(field, before, after):
            continue
        changed[field] = (before, after)
    labels = _related_labels(changed)
    return {field.name: [_text(field, value, labels) for value in pair] for field, pair in changed.items()}


def _same(field: models.Field, before, after) -> bool:
    if before in EMPTY and after in EMPTY:
        return True
    try:
        # A form's "2026-07-01" or Decimal("100") is the database's date or Decimal("100.00").
        return field.to_python(before) == field.to_python(after)
    except ValidationError:
        return before == after


def _related_labels(changed: dict) -> dict:
    """What a foreign key points at, by name: one query per changed key, human edits only."""
    labels = {}
    for field, pair in changed.items():
        if field.is_relation and not _is_secret(field):
            rows = field.related_model._base_manager.in_bulk([pk for pk in pair if pk is not None])
            labels.update({(field, pk): str(row) for pk, row in rows.items()})
    return labels


def _text(field: models.Field, value, labels: dict) -> str:
    if value in EMPTY:
        return ""
    if _is_secret(field):
        return HIDDEN
    if field.is_relation:
        text = labels.get((field, value), f"#{value}")
    elif field.choices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    elif isinstance(field, models.DecimalField):
        text = f"{Decimal(value):.{field.decimal_places}f}"
    else:
        text = str(value)
    return _short(text)


def _is_secret(field: models.Field) -> bool:
    return any(word in field.name for word in SECRET_WORDS)


def _names(objects: Iterable[models.Model]) -> str:
    return _short(", ".join(sorted(str(obj) for obj in objects)))


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# --- the entry ------------------------------------------------------------------------------


def _write(action: str, instance: models.Model, changes: dict, actor, *, actor_label: str | None = None) -> None:
    AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor_label is None else actor_label,
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=_short(str(instance)),
        changes=changes,
        source=_source(),
    )


def _source() -> str:
    request = _request.get()
    if request is None:
        return _task.get() or "system"
    source = f"{request.method} {request.path}"
    if request_id := request.headers.get("X-Request-ID", ""):
        source += f" (request {request_id[:64]})"
    return _short(source)
