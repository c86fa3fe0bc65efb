from django.contrib import admin

from .models import (
    Commitment,
    DigestSent,
    Erasure,
    Feedback,
    Handoff,
    Offer,
    RejectionRule,
    RoutingRule,
    RoutingSlot,
    ScorecardDirty,
    ScorecardRow,
    TeamSettings,
)


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["assignee", "state", "offered_at", "due_at", "decided_at"]
    readonly_fields = fields
    can_delete = False


class FeedbackInline(admin.TabularInline):
    model = Feedback
    extra = 0
    fields = ["author", "moment", "rating", "comment", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ["id", "lead", "cycle", "team", "state", "assignee", "due_at", "decided_at"]
    list_filter = ["state", "team", "rejection_reason"]
    list_select_related = ["lead", "team", "assignee"]
    # State changes go through handoff.services, which also moves the lead and the deal.
    readonly_fields = [
        "lead",
        "cycle",
        "state",
        "assignee",
        "offered_at",
        "due_at",
        "decided_at",
        "rejection_reason",
        "rejection_note",
        "recycle_action",
        "duplicate_of",
        "route_reason",
        "preferred_assignee",
        "domain",
        "deal",
        "outcome_closed_at",
        "created_at",
    ]
    inlines = [OfferInline, FeedbackInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["handoff", "assignee", "state", "offered_at", "due_at", "decided_at"]
    list_filter = ["state"]
    raw_id_fields = ["handoff", "assignee"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["handoff", "author", "moment", "rating", "created_at"]
    list_filter = ["moment", "rating"]
    raw_id_fields = ["handoff", "author"]


@admin.register(RoutingSlot)
class RoutingSlotAdmin(admin.ModelAdmin):
    list_display = ["team", "user", "current"]
    list_filter = ["team"]


# Settings are edited on handoff's own pages (which check the manager's teams); the admin
# shows them to admins, who may fix anything.
@admin.register(TeamSettings)
class TeamSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "team", "time_zone", "working_days", "day_starts", "day_ends", "sla_minutes", "sla_target_percent",
        "max_open_offers",
    ]  # fmt: skip


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "team", "is_active"]
    list_display_links = ["name"]
    list_filter = ["team", "is_active"]
    raw_id_fields = ["campaign", "created_by"]


@admin.register(RejectionRule)
class RejectionRuleAdmin(admin.ModelAdmin):
    list_display = ["reason", "action", "cooldown_days"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["starts_on", "mqls_per_month", "updated_by"]


class RecordAdmin(admin.ModelAdmin):
    """Rows the services and sweeps write: readable here, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScorecardRow)
class ScorecardRowAdmin(RecordAdmin):
    """A rollup, rebuilt from the raw rows (handoff.tasks.rebuild_scorecards)."""

    list_display = ["dimension", "label", "leads", "offered", "accepted", "won", "revenue", "refreshed_at"]
    list_filter = ["dimension"]
    search_fields = ["label"]


@admin.register(ScorecardDirty)
class ScorecardDirtyAdmin(RecordAdmin):
    """Groups an event marked stale, waiting for the next refresh."""

    list_display = ["dimension", "key", "marked_at"]


@admin.register(DigestSent)
class DigestSentAdmin(RecordAdmin):
    list_display = ["user", "week_starts", "sent_at"]


@admin.register(Erasure)
class ErasureAdmin(RecordAdmin):
    """Who erased which lead, and when: accountability without the person's data."""

    list_display = ["lead_id", "erased_by_username", "erased_at"]
    search_fields = ["erased_by_username"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
