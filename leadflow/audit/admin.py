from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import AuditEntry


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
