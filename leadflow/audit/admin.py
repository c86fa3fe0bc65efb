from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import EVENT_MODELS, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit log nobody can edit, not even an admin (the database can)."""

    list_display = ["at", "actor_label", "action", "content_type", "object_repr", "source"]
    list_filter = ["action", "content_type", "actor"]
    search_fields = ["object_repr", "actor_label"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    fields = [
        "at",
        "actor",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes_table",
        "source",
    ]
    readonly_fields = fields

    @admin.display(description="Changes")
    def changes_table(self, entry: AuditEntry) -> str:
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", entry.changed_fields)
        return format_html("<table><tr><th>Field</th><th>Before</th><th>After</th></tr>{}</table>", rows)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventAdmin(admin.ModelAdmin):
    """A history table, read-only: each row a copy of the object after (or, deleted, before)
    one write, with who and where in its context (docs/AUDIT.md)."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "who", "source"]
    list_filter = ["pgh_label"]
    date_hierarchy = "pgh_created_at"
    ordering = ["-pgh_created_at", "-pgh_id"]
    # A history row's keys point at rows that may be gone: never follow them in a list.
    list_select_related = False

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.concrete_fields]

    @admin.display(description="Who")
    def who(self, event) -> str:
        context = event.pgh_context or {}
        if context.get("task"):
            return f"System (task {context['task']})"
        return context.get("username") or ("Visitor" if context.get("source") else "System")

    @admin.display(description="Where")
    def source(self, event) -> str:
        return (event.pgh_context or {}).get("source", "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _event in EVENT_MODELS.values():
    admin.site.register(_event, EventAdmin)
