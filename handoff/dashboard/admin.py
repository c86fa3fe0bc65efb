from django.contrib import admin

from .models import RollupState


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    """How far the dashboard's rollups have got. The fact and cell tables themselves are
    caches of the raw rows (rebuilt nightly), so they are not in the admin."""

    list_display = ["version", "refreshed_at", "rebuilt_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
