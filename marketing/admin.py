from django.contrib import admin

from .models import (
    Campaign,
    CampaignSpend,
    EngagementRule,
    FitRule,
    FormQuestion,
    ImportRowError,
    Lead,
    LeadEmailAlias,
    LeadForm,
    LeadImport,
    LeadMerge,
    LeadStageChange,
    RescoreRun,
    ScoreChange,
    ScoringSettings,
    Touchpoint,
)


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


class RecordAdmin(admin.ModelAdmin):
    """History and bookkeeping the services write: readable here, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CampaignSpend)
class CampaignSpendAdmin(admin.ModelAdmin):
    list_display = ["campaign", "spent_on", "amount", "note", "created_by"]
    list_filter = ["campaign"]
    date_hierarchy = "spent_on"
    raw_id_fields = ["created_by"]


class FormQuestionInline(admin.TabularInline):
    model = FormQuestion
    extra = 0


@admin.register(LeadForm)
class LeadFormAdmin(admin.ModelAdmin):
    list_display = ["campaign", "headline", "is_open", "consent_version", "updated_at"]
    list_filter = ["is_open"]
    inlines = [FormQuestionInline]


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    extra = 0
    fields = ["row_number", "reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(LeadImport)
class LeadImportAdmin(RecordAdmin):
    list_display = [
        "original_name",
        "status",
        "total_rows",
        "created_count",
        "merged_count",
        "rejected_count",
        "created_at",
    ]
    list_filter = ["status", "source"]
    search_fields = ["original_name"]
    exclude = ["sample"]  # people's data: the refused rows below are what an admin needs
    inlines = [ImportRowErrorInline]


@admin.register(LeadEmailAlias)
class LeadEmailAliasAdmin(RecordAdmin):
    list_display = ["email_normalized", "lead", "created_at"]
    search_fields = ["email_normalized"]
    raw_id_fields = ["lead"]


@admin.register(LeadMerge)
class LeadMergeAdmin(RecordAdmin):
    list_display = ["kept", "duplicate_email", "merged_by", "merged_at"]
    search_fields = ["duplicate_email"]
    raw_id_fields = ["kept", "duplicate", "merged_by"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(RecordAdmin):
    list_display = ["lead", "old_score", "new_score", "cause", "changed_at"]
    raw_id_fields = ["lead"]


# Scoring rules change through the Scoring page, which re-scores every lead; an edit here
# would change the rules without it, so they are read-only in the admin.
@admin.register(FitRule)
class FitRuleAdmin(RecordAdmin):
    list_display = ["label", "field", "operator", "value", "points", "is_active"]


@admin.register(EngagementRule)
class EngagementRuleAdmin(RecordAdmin):
    list_display = ["kind", "points", "max_count", "half_life_days", "is_active"]


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(RecordAdmin):
    list_display = ["mql_threshold", "source_from", "version", "updated_by", "updated_at"]


@admin.register(RescoreRun)
class RescoreRunAdmin(RecordAdmin):
    list_display = ["version", "cause", "status", "done", "total", "changed", "qualified", "started_at", "finished_at"]
    list_filter = ["status"]
