"""Handoff in the Django admin: read-only. Handoffs, offers and feedback are the seam's state
machine (handoff.services moves them with the lead and the deal); routing state is written by
routing; the settings (team hours and SLA, routing rules, recycling rules, the two-sided
commitment) are edited on handoff's own pages, whose services check them (time zones, rule
order, a cool-down only for nurture, a commitment per month).
"""

from django.contrib import admin

from guards.admin import ReadOnlyInline, RecordAdmin

from .models import (
    Commitment,
    Erasure,
    Feedback,
    Handoff,
    Offer,
    RejectionRule,
    RoutingRule,
    RoutingSlot,
    TeamSettings,
)


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["assignee", "state", "offered_at", "due_at", "decided_at"]
    readonly_fields = fields


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = ["author", "moment", "rating", "comment", "created_at"]
    readonly_fields = fields


@admin.register(Handoff)
class HandoffAdmin(RecordAdmin):
    """State changes go through handoff.services, which also move the lead and the deal."""

    list_display = ["id", "lead", "cycle", "team", "state", "assignee", "due_at", "decided_at"]
    list_filter = ["state", "team", "rejection_reason"]
    list_select_related = ["lead", "team", "assignee"]
    inlines = [OfferInline, FeedbackInline]


@admin.register(Offer)
class OfferAdmin(RecordAdmin):
    list_display = ["handoff", "assignee", "state", "offered_at", "due_at", "decided_at"]
    list_filter = ["state"]


@admin.register(Feedback)
class FeedbackAdmin(RecordAdmin):
    list_display = ["handoff", "author", "moment", "rating", "created_at"]
    list_filter = ["moment", "rating"]


@admin.register(RoutingSlot)
class RoutingSlotAdmin(RecordAdmin):
    """Round-robin state, moved by each routing pick."""

    list_display = ["team", "user", "current"]
    list_filter = ["team"]


@admin.register(TeamSettings)
class TeamSettingsAdmin(RecordAdmin):
    """Set on the team's "hours & SLA" page (services.save_team_settings)."""

    list_display = [
        "team", "time_zone", "working_days", "day_starts", "day_ends", "sla_minutes", "sla_target_percent",
        "max_open_offers",
    ]  # fmt: skip


@admin.register(RoutingRule)
class RoutingRuleAdmin(RecordAdmin):
    """Added, ordered and removed on the Routing page (services.save_routing_rule and friends)."""

    list_display = ["position", "name", "team", "is_active"]
    list_display_links = ["name"]
    list_filter = ["team", "is_active"]


@admin.register(RejectionRule)
class RejectionRuleAdmin(RecordAdmin):
    """Set on the Recycling page (services.save_rejection_rule)."""

    list_display = ["reason", "action", "cooldown_days"]


@admin.register(Commitment)
class CommitmentAdmin(RecordAdmin):
    """Set on the SLA agreement page (services.save_commitment: one per month, from its first day)."""

    list_display = ["starts_on", "mqls_per_month", "updated_by"]


@admin.register(Erasure)
class ErasureAdmin(RecordAdmin):
    """Who erased which lead, and when: accountability without the person's data."""

    list_display = ["lead_id", "erased_by_username", "erased_at"]
    search_fields = ["erased_by_username"]
