"""Insights in the Django admin: read-only. The rollup is rebuilt from the raw rows, the marks
are the refresh's queue, a digest row is the claim that stops a second send."""

from django.contrib import admin

from guards.admin import RecordAdmin

from .models import DigestSent, ScorecardDirty, ScorecardRow


@admin.register(ScorecardRow)
class ScorecardRowAdmin(RecordAdmin):
    """A rollup, rebuilt from the raw rows (insights.tasks.rebuild_scorecards)."""

    list_display = ["dimension", "label", "leads", "offered", "accepted", "won", "revenue", "refreshed_at"]
    list_filter = ["dimension"]
    search_fields = ["label"]


@admin.register(ScorecardDirty)
class ScorecardDirtyAdmin(RecordAdmin):
    """Groups an event marked stale, waiting for the next refresh."""

    list_display = ["dimension", "key", "marked_at"]


@admin.register(DigestSent)
class DigestSentAdmin(RecordAdmin):
    """One weekly digest claimed for one marketer: removing it would send that week's again."""

    list_display = ["user", "week_starts", "sent_at"]
