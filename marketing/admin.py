from django.contrib import admin

from .models import Campaign, Lead, LeadStageChange, Touchpoint


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "status", "starts_on", "ends_on", "budget", "owner"]
    list_filter = ["status", "channel"]
    search_fields = ["name", "utm_campaign"]
    prepopulated_fields = {"utm_campaign": ["name"]}


class TouchpointInline(admin.TabularInline):
    model = Touchpoint
    extra = 0
    fields = ["kind", "campaign", "channel", "occurred_at"]
    readonly_fields = fields
    can_delete = False


class StageChangeInline(admin.TabularInline):
    model = LeadStageChange
    extra = 0
    fields = ["stage", "entered_at", "exited_at", "reason", "changed_by"]
    readonly_fields = fields
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company", "stage", "score", "source", "created_at"]
    list_filter = ["stage", "source"]
    search_fields = ["email_normalized", "first_name", "last_name", "company"]
    list_select_related = ["first_touch_campaign"]
    raw_id_fields = ["owner", "first_touch_campaign"]
    # Stage, score and ownership change only through the services (they keep history).
    readonly_fields = [
        "email_normalized",
        "stage",
        "stage_changed_at",
        "score",
        "score_reasons",
        "scored_at",
        "recycle_count",
        "owner",
        "outcome",
        "outcome_amount",
        "outcome_at",
        "created_at",
        "updated_at",
    ]
    inlines = [StageChangeInline, TouchpointInline]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["lead", "kind", "campaign", "channel", "occurred_at"]
    list_filter = ["kind", "channel"]
    raw_id_fields = ["lead", "campaign"]


@admin.register(LeadStageChange)
class LeadStageChangeAdmin(admin.ModelAdmin):
    list_display = ["lead", "stage", "entered_at", "exited_at", "reason"]
    list_filter = ["stage"]
    raw_id_fields = ["lead", "changed_by"]
