from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One create, change or delete of an audited object, and who made it."""

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
        """Where the change was made, in words: the app, the API, the admin, or a background job."""
        if self.source.startswith("task"):
            return "by a background job"
        if not self.source or self.source == "system":
            return "by the system"
        path = self.source.partition(" ")[2]
        if path.startswith("/api/"):
            return "through the API"
        if path.startswith("/admin/"):
            return "in the admin"
        return "in LeadFlow"

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
