from django.contrib import admin

from guards.admin import RecordAdmin

from .models import RollupState


@admin.register(RollupState)
class RollupStateAdmin(RecordAdmin):
    """How far the dashboard's rollups have got: the refresh alone writes it. The fact and cell
    tables themselves are caches of the raw rows (rebuilt nightly), so they are not in the admin."""

    list_display = ["version", "refreshed_at", "rebuilt_at"]
