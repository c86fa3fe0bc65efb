from django.contrib import admin

from .models import Feedback, Handoff, Offer, RoutingSlot


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
