"""The history: one pghistory event model per audited model, written by PostgreSQL
triggers; and AuditEntry, what the signal-based log recorded before them (docs/AUDIT.md).
"""

import pghistory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from . import tracking, triggers


class AuditEntry(models.Model):
    """One create, change or delete of an audited object, and who made it: recorded by the
    signal-based log until the history moved to database triggers. Kept, read-only, beside
    the events (the page shows both); nothing writes new ones."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    at = models.DateTimeField(default=timezone.now)
    # Empty for a delete made with nobody signed in (a task, a command).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The username, copied: the entry still says who it was once the user is deleted.
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    # PROTECT: cleaning up stale content types must not delete history.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    # {field name: [old, new]} as text: "" for none, long text shortened, secrets hidden.
    changes = models.JSONField(default=dict, blank=True)
    # "POST /path (request id)" for a request, "task:<name>" for a Celery task.
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_history"),
            models.Index(fields=["actor", "-at"], name="audit_actor_history"),
            # The admin's and the /audit/ page's newest-first listing of everything.
            models.Index(fields=["-at"], name="audit_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.object_repr}"

    @property
    def object_type(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model

    @property
    def summary(self) -> str:
        """What a person understands: "Routing rule ‘EMEA’ changed" (the request line stays in the admin)."""
        kind = self.object_type[:1].upper() + self.object_type[1:]
        return f"{kind} ‘{self.object_repr}’ {self.get_action_display().lower()}"

    @property
    def origin(self) -> str:
        """Where the change was made, in words (origin_of)."""
        return origin_of(self.source)

    @property
    def changed_fields(self) -> list[tuple[str, str, str]]:
        """(label, old, new) per field, labelled as the model names them (no query)."""
        model = self.content_type.model_class()
        return [(_label(model, name), old, new) for name, (old, new) in self.changes.items()]


def _label(model: type[models.Model] | None, name: str) -> str:
    if model is None:  # a model since removed
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed; a group's "users"
        return name


# --- the history written by the database ----------------------------------------------------

# The trigger labels (pghistory trackers) and what the page calls them.
INSERT, UPDATE, DELETE, PASSWORD, BASELINE = "insert", "update", "delete", "password", "baseline"


def _copy_of_key(field: models.ForeignKey) -> models.ForeignKey:
    """A foreign key in a history row: no constraint (history outlives its targets), no
    reverse accessor on the target, and no index (each one is paid by every tracked write)."""
    target = field.remote_field.model  # a class or a label: the registry is still loading
    return models.ForeignKey(
        target if isinstance(target, str) else target._meta.label,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        related_query_name="+",
    )


def _copy_of_column(field: models.Field) -> models.Field:
    """A column of a history row: the tracked column's type, but empty allowed (a row written
    while the tracked table has another shape, triggers.py), never unique, no index."""
    if isinstance(field, models.ForeignKey):
        return _copy_of_key(field)
    _name, _path, args, kwargs = field.deconstruct()
    for option in ("primary_key", "unique", "db_index", "default", "db_default", "validators"):
        kwargs.pop(option, None)
    return type(field)(*args, **{**kwargs, "null": True, "blank": True})


def _event_model(model: type[models.Model], *extra_trackers, name: str | None = None, fields=None):
    name = name or tracking.event_model_name(model)
    fields = fields if fields is not None else tracking.tracked_fields(model)
    kept = [field.name for field in fields]
    short = name.lower().removesuffix("event").removeprefix(model._meta.app_label)[:16]
    return pghistory.create_event_model(
        model,
        triggers.Inserted(INSERT),
        triggers.Updated(UPDATE, condition=triggers.changed(model, kept)),
        triggers.Deleted(DELETE),
        *extra_trackers,
        fields=kept,
        # Who and where, copied into each row from the transaction's settings: no context
        # table to upsert on the capture path (docs/AUDIT.md).
        context_field=pghistory.ContextJSONField(),
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+", db_index=False),
        attrs={field.name: _copy_of_column(field) for field in fields},
        app_label="audit",
        model_name=name,
        abstract=False,
        meta={
            "verbose_name": f"{model._meta.verbose_name} event",
            "indexes": [
                # The page: newest first across every table; an object's previous row.
                models.Index(fields=["pgh_created_at", "pgh_id"], name=f"audit_{short}_at"),
                models.Index(fields=["pgh_obj", "pgh_id"], name=f"audit_{short}_obj"),
            ],
        },
    )


def _build() -> dict[type[models.Model], type[models.Model]]:
    events = {}
    for model in tracking.audited_models():
        extra = []
        if any(field.name == "password" for field in model._meta.concrete_fields):
            # A new password is recorded as a fact, never with its value (nor its hash).
            extra.append(triggers.Updated(PASSWORD, condition=triggers.changed_column("password")))
        events[model] = _event_model(model, *extra)
        groups = getattr(model, "groups", None)
        if groups is not None and hasattr(groups, "through"):
            # Group membership (roles, handoff/roles.py) lives in the user's through table.
            through = groups.through
            events[through] = _event_model(
                through,
                name=f"{tracking.event_model_name(model).removesuffix('Event')}GroupsEvent",
                fields=[field for field in through._meta.concrete_fields if not field.primary_key],
            )
    return events


EVENT_MODELS = _build()


def origin_of(source: str) -> str:
    """Where a change was made, in words: the app, the API, the admin, or a background job."""
    if source.startswith("task"):
        return "by a background job"
    if not source or source == "system":
        return "by the system"
    path = source.partition(" ")[2]
    if path.startswith("/api/"):
        return "through the API"
    if path.startswith("/admin/"):
        return "in the admin"
    return "in LeadFlow"
