"""The audit log as people read it: one entry per object changed by one request or task,
newest first, with each changed field before and after, in words.

The rows are the triggers' history tables (one per audited model, leadflow/audit/models.py)
plus the entries the signal-based log wrote before them (AuditEntry), read in one UNION
query per page. Each history row is a copy of the object; what changed is the difference
from the object's copy before the request or task began. When one request writes an object
several times (sales parks every stage before renumbering them), the page shows the last
write against the state before the first: one entry, what the person did.

PostgreSQL only, like the triggers (docs/AUDIT.md).
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import tracking
from .models import BASELINE, DELETE, EVENT_MODELS, INSERT, PASSWORD, UPDATE, AuditEntry, origin_of

HIDDEN = "(hidden)"
ERASED = "(erased)"
# What an erasure leaves in a history row: "(erased)", "(erased 2)", … one per distinct value,
# so that a change still shows as a change (leadflow/audit/erasure.py).
ERASED_VALUE = re.compile(r"^\(erased(?: \d+)?\)$")
MAX_TEXT = 200
EMPTY = (None, "", [], {})
ACTIONS = {INSERT: "created", UPDATE: "changed", PASSWORD: "changed", DELETE: "deleted"}


@dataclass
class Entry:
    at: datetime
    action: str  # created, changed, deleted
    model: type[models.Model] | None
    object_id: str
    object_repr: str
    changed_fields: list[tuple[str, str, str]]  # (label, before, after)
    actor: models.Model | None
    actor_label: str  # the username, as it was
    source: str  # "POST /path (request id)", "task:<name>", "" for the system
    admin_url: str = ""
    recorded_by_signals: bool = False  # an AuditEntry of the log before the triggers
    key: str = ""  # which history row: two entries may read alike (two deals of one name)
    context: dict = dataclass_field(default_factory=dict)

    @property
    def object_type(self) -> str:
        return str(self.model._meta.verbose_name) if self.model else "object"

    @property
    def summary(self) -> str:
        """What a person understands: "Routing rule ‘EMEA’ changed" (the request line stays in the admin)."""
        kind = self.object_type[:1].upper() + self.object_type[1:]
        return f"{kind} ‘{self.object_repr}’ {self.action}"

    @property
    def who(self) -> str:
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.get_username()
        if self.actor_label:
            return self.actor_label
        return "Visitor (not signed in)" if self.source and not self.source.startswith("task") else "System"

    @property
    def origin(self) -> str:
        """Where the change was made, in words (origin_of)."""
        return origin_of(self.source)


class History:
    """The entries `actor_ids` made (None: everyone's), of one content type or all, as a
    sequence Django's Paginator can count and slice: two queries a page, plus one per kind
    of object the page's changes point at (campaigns, stages, users …)."""

    def __init__(self, *, actor_ids: list[int] | None = None, content_type_id: int | None = None) -> None:
        self.actor_ids = actor_ids
        self.content_type_id = content_type_id
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            sql, params = self._union(rows=False)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({sql}) AS history", params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Entry]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("History pages are read with a slice.")
        start, stop = index.start or 0, index.stop
        sql, params = self._union(rows=True)
        with connection.cursor() as cursor:
            cursor.execute(
                # A transaction's rows share one timestamp and row ids repeat across history
                # tables: (event_model, row_id) makes the order total, so pages never overlap.
                f"SELECT * FROM ({sql}) AS history ORDER BY at DESC, row_id DESC, event_model DESC LIMIT %s OFFSET %s",
                [*params, (stop - start) if stop is not None else None, start],
            )
            rows = cursor.fetchall()
        return _entries(rows)

    # --- the SQL ----------------------------------------------------------------------------

    def _union(self, *, rows: bool) -> tuple[str, list]:
        branches, params = [], []
        types = ContentType.objects.get_for_models(*{_shown_model(tracked) for tracked in EVENT_MODELS})
        for tracked, event in EVENT_MODELS.items():
            shown = _shown_model(tracked)
            content_type = types[shown]
            if self.content_type_id is not None and content_type.pk != self.content_type_id:
                continue
            sql, branch_params = _event_branch(event, content_type.pk, rows=rows, actor_ids=self.actor_ids)
            branches.append(sql)
            params += branch_params
        sql, branch_params = self._legacy_branch(rows=rows)
        branches.append(sql)
        params += branch_params
        return " UNION ALL ".join(f"({branch})" for branch in branches), params

    def _legacy_branch(self, *, rows: bool) -> tuple[str, list]:
        where, params = ["TRUE"], []
        if self.actor_ids is not None:
            where.append("actor_id = ANY(%s)")
            params.append(self.actor_ids)
        if self.content_type_id is not None:
            where.append("content_type_id = %s")
            params.append(self.content_type_id)
        columns = (
            "content_type_id AS content_type_id, '' AS event_model, id AS row_id, at, action AS label,"
            " object_id, jsonb_build_object('user', actor_id, 'username', actor_label, 'source', source)::text"
            " AS context, NULL::text AS data, NULL::text AS before, FALSE AS secret_changed,"
            " object_repr AS legacy_repr, changes::text AS legacy_changes"
            if rows
            else "1"
        )
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        return f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)}", params


def _shown_model(tracked: type[models.Model]) -> type[models.Model]:
    """Group membership rows are shown as changes of the user."""
    return get_user_model() if tracked._meta.auto_created else tracked


def _event_branch(event, content_type_id: int, *, rows: bool, actor_ids) -> tuple[str, list]:
    table = connection.ops.quote_name(event._meta.db_table)
    tracked = event.pgh_tracked_model
    # Hidden: the baseline copies (not changes), and a write followed by another of the same
    # object in the same request or task (the entry shows the last against the first).
    where = [
        f"e.pgh_label <> '{BASELINE}'",
        f"NOT (e.pgh_context_id IS NOT NULL AND EXISTS (SELECT 1 FROM {table} n WHERE n.pgh_obj_id = e.pgh_obj_id"
        " AND n.pgh_id > e.pgh_id AND n.pgh_context_id = e.pgh_context_id))",
    ]
    # A request that wrote an object back as it found it (parked, then put back) changed nothing.
    where.append(
        f"NOT (e.pgh_label = '{UPDATE}' AND e.pgh_context_id IS NOT NULL"
        f" AND ({_before(table, 'to_jsonb(p)')}) - {_BOOKKEEPING} = to_jsonb(e) - {_BOOKKEEPING})"
    )
    params: list = []
    if actor_ids is not None:
        where.append("(e.pgh_context ->> 'user')::bigint = ANY(%s)")
        params.append(actor_ids)
    if not rows:
        return f"SELECT 1 FROM {table} e WHERE {' AND '.join(where)}", params
    same_request = "e.pgh_context_id IS NOT NULL AND x.pgh_context_id = e.pgh_context_id"
    label = (
        f"CASE WHEN e.pgh_label <> '{DELETE}' AND EXISTS (SELECT 1 FROM {table} x WHERE x.pgh_obj_id = e.pgh_obj_id"
        f" AND x.pgh_label = '{INSERT}' AND ({same_request})) THEN '{INSERT}' ELSE e.pgh_label END"
    )
    secret = "FALSE"
    if any(tracker.label == PASSWORD for tracker in event.pgh_trackers):
        secret = (
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.pgh_obj_id = e.pgh_obj_id AND x.pgh_label = '{PASSWORD}'"
            f" AND (x.pgh_id = e.pgh_id OR ({same_request})))"
        )
    before = f"({_before(table, 'to_jsonb(p)::text')})"
    object_id = "e.pgh_obj_id::text"
    if tracked._meta.auto_created:  # group membership: the user's
        object_id = f"e.{connection.ops.quote_name(_user_column(tracked))}::text"
    columns = (
        f"{content_type_id} AS content_type_id, '{event._meta.label}' AS event_model, e.pgh_id AS row_id,"
        f" e.pgh_created_at AS at, {label} AS label, {object_id} AS object_id, e.pgh_context::text AS context,"
        f" to_jsonb(e)::text AS data, {before} AS before, {secret} AS secret_changed,"
        " NULL::text AS legacy_repr, NULL::text AS legacy_changes"
    )
    return f"SELECT {columns} FROM {table} e WHERE {' AND '.join(where)}", params


# The columns of a history row that are about the row, not the object.
_BOOKKEEPING = "ARRAY['pgh_id', 'pgh_created_at', 'pgh_label', 'pgh_context', 'pgh_context_id']"


def _before(table: str, what: str) -> str:
    """The object's copy before the request or task of row `e` began."""
    return (
        f"SELECT {what} FROM {table} p WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id"
        " AND (e.pgh_context_id IS NULL OR p.pgh_context_id IS DISTINCT FROM e.pgh_context_id)"
        " ORDER BY p.pgh_id DESC LIMIT 1"
    )


def _user_column(through: type[models.Model]) -> str:
    user = get_user_model()
    return next(f.column for f in through._meta.concrete_fields if f.is_relation and f.related_model is user)


# --- rows to entries ------------------------------------------------------------------------------


def _entries(rows: list[tuple]) -> list[Entry]:
    events = {event._meta.label: event for event in EVENT_MODELS.values()}
    types = ContentType.objects.get_for_id
    parsed = []
    wanted: dict[type[models.Model], set] = defaultdict(set)  # related rows to name, by model
    User = get_user_model()
    for ct_id, event_label, row_id, at, label, object_id, context, data, before, secret, legacy_repr, legacy in rows:
        context = json.loads(context) if context else {}
        event = events.get(event_label)
        data = _loads(data)
        before = _loads(before)
        if isinstance(context.get("user"), int):
            wanted[User].add(context["user"])
        if event is not None:
            for values in (data, before):
                for name, pk in _keys(event, values):
                    wanted[event.pgh_tracked_model._meta.get_field(name).related_model].add(pk)
        parsed.append(
            (types(ct_id), event, row_id, at, label, object_id, context, data, before, secret, legacy_repr, legacy)
        )
    related = {model: _in_bulk(model, ids) for model, ids in wanted.items()}
    return [_entry(*row, related=related) for row in parsed]


def _loads(text: str | None) -> dict | None:
    return json.loads(text, parse_float=Decimal) if text else None


def _keys(event, values: dict | None):
    """(field name, pk) of each foreign key a history row holds."""
    if not values:
        return
    for field in _fields(event.pgh_tracked_model, event):
        if field.is_relation and values.get(field.column) is not None:
            yield field.name, values[field.column]


def _in_bulk(model: type[models.Model], ids: set) -> dict:
    # The keys each name needs (a stage's pipeline, a rep's user), so str() queries nothing.
    needed = [f.name for f in model._meta.concrete_fields if f.is_relation and not f.null]
    rows = model._base_manager.select_related(*needed) if needed else model._base_manager.all()
    return rows.in_bulk(ids)


def _fields(tracked: type[models.Model], event) -> list[models.Field]:
    columns = {f.name for f in event._meta.concrete_fields}
    return [field for field in tracked._meta.concrete_fields if field.name in columns and not field.primary_key]


def _entry(content_type, event, row_id, at, label, object_id, context, data, before, secret, legacy_repr, legacy, *,
           related) -> Entry:  # fmt: skip
    User = get_user_model()
    user_id = context.get("user")
    actor = related.get(User, {}).get(user_id) if isinstance(user_id, int) else None
    source = context.get("source") or (f"task:{context['task']}" if context.get("task") else "")
    common = {
        "at": at,
        "object_id": object_id,
        "actor": actor,
        "actor_label": context.get("username") or "",
        "source": source,
        "context": context,
        "key": f"{event._meta.label if event else 'log'}:{row_id}",
    }
    model = content_type.model_class()
    if event is None:  # recorded by the signal-based log
        changes = json.loads(legacy) if legacy else {}
        return Entry(
            **common,
            action=AuditEntry.Action(label).label.lower(),
            model=model,
            object_repr=legacy_repr,
            changed_fields=[(_label(model, name), old, new) for name, (old, new) in changes.items()],
            admin_url=reverse("admin:audit_auditentry_change", args=[row_id]),
            recorded_by_signals=True,
        )
    admin_url = reverse(f"admin:audit_{event._meta.model_name}_change", args=[row_id])
    tracked = event.pgh_tracked_model
    if tracked._meta.auto_created:
        return _membership(common, event, label, data, related, admin_url)
    now, then = (None, data) if label == DELETE else (data, before if label != INSERT else None)
    fields = _fields(tracked, event)
    # An update with no copy before it (the object was written while no trigger was installed):
    # what it changed is unknown, so the entry lists nothing rather than guess.
    unknown = label in (UPDATE, PASSWORD) and then is None
    changed = [] if unknown else _changes(fields, then or {}, now or {}, related)
    if secret:
        changed.append((_label(tracked, "password"), HIDDEN, HIDDEN))
    return Entry(
        **common,
        action=ACTIONS.get(label, label),
        model=model,
        object_repr=_repr(tracked, fields, data, object_id, related),
        changed_fields=changed,
        admin_url=admin_url,
    )


def _membership(common: dict, event, label: str, data: dict, related: dict, admin_url: str) -> Entry:
    User = get_user_model()
    values = dict(_keys(event, data))
    user = related.get(User, {}).get(values.get("user"))
    group_field = next(f for f in _fields(event.pgh_tracked_model, event) if f.name != "user")
    group = related.get(group_field.related_model, {}).get(values.get(group_field.name))
    name = str(group) if group is not None else f"#{values.get(group_field.name)}"
    change = ("", name) if label == INSERT else (name, "")
    return Entry(
        **common,
        action="changed",
        model=User,
        object_repr=user.get_username() if user is not None else f"#{common['object_id']}",
        changed_fields=[("Groups", *change)],
        admin_url=admin_url,
    )


def _changes(fields: list[models.Field], old: dict, new: dict, related: dict) -> list[tuple[str, str, str]]:
    changed = []
    for field in fields:
        before, after = old.get(field.column), new.get(field.column)
        if not _same(field, before, after):
            changed.append((str(field.verbose_name), _text(field, before, related), _text(field, after, related)))
    return changed


def _same(field: models.Field, before, after) -> bool:
    if before in EMPTY and after in EMPTY:
        return True
    try:
        return _python(field, before) == _python(field, after)
    except (ValidationError, TypeError, ValueError):
        return before == after


def _python(field: models.Field, value):
    if isinstance(value, str) and ERASED_VALUE.match(value):
        return value
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return parse_datetime(value)
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _text(field: models.Field, value, related: dict) -> str:
    if value in EMPTY:
        return ""
    if isinstance(value, str) and ERASED_VALUE.match(value):
        return ERASED
    if field.is_relation:
        target = related.get(field.related_model, {}).get(value)
        text = str(target) if target is not None else f"#{value}"
    elif field.choices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(field, models.JSONField):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    else:
        text = _plain(field, _python(field, value))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _plain(field: models.Field, value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(field, models.DecimalField) and value is not None:
        return f"{Decimal(value):.{field.decimal_places}f}"
    return str(value)


def _repr(tracked, fields, data: dict, object_id: str, related: dict) -> str:
    """The object's name as its copy gives it, e.g. a deleted rule's name; an erased
    person's objects are named by their number."""
    verbose = str(tracked._meta.verbose_name).capitalize()
    if any(isinstance(value, str) and ERASED_VALUE.match(value) for value in data.values()):
        return f"{verbose} #{object_id} (erased)"
    instance = tracked(pk=int(object_id) if object_id.isdigit() else object_id)
    try:
        for field in fields:
            value = data.get(field.column)
            if field.is_relation:
                setattr(instance, field.attname, value)
                field.set_cached_value(instance, related.get(field.related_model, {}).get(value))
            else:
                setattr(instance, field.attname, _python(field, value) if value is not None else None)
        text = str(instance)
    except Exception:  # a name that needs what the copy does not hold
        text = f"{verbose} #{object_id}"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _label(model: type[models.Model] | None, name: str) -> str:
    if model is None:  # a model since removed
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed; a group's "users"
        return name


def records() -> bool:
    return tracking.records()
