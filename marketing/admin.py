"""Marketing in the Django admin: every write goes through marketing.services, or is not offered.

A lead's profile is corrected through update_lead_profile (refused once the lead is with
sales); its stage, score, identity, consent and touches are read-only here, moved only by
the services that keep their history (the lead page offers those moves). Campaigns, spend and
forms are saved by their services; scoring rules, imports and every history are read-only.
"""

from django.contrib import admin

from guards.admin import ReadOnlyInline, RecordAdmin, ServiceAdmin

from . import services
from .admin_forms import LeadFormAdminForm
from .errors import LeadNotEditable
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
from .services.campaigns import CAMPAIGN_FIELDS, add_spend, create_campaign, delete_spend, update_campaign
from .services.lead_forms import SETTINGS_FIELDS, save_form_settings


@admin.register(Campaign)
class CampaignAdmin(ServiceAdmin):
    """Through create_campaign / update_campaign. A campaign ends by its status, never by deleting
    it: its leads' first touch, its spend and every report point at it."""

    list_display = ["name", "channel", "status", "starts_on", "ends_on", "budget", "owner"]
    list_filter = ["status", "channel"]
    search_fields = ["name", "utm_campaign"]
    prepopulated_fields = {"utm_campaign": ["name"]}
    fields = list(CAMPAIGN_FIELDS)

    def get_changeform_initial_data(self, request) -> dict:
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}  # as the campaign page

    def save_through_services(self, request, campaign, form, change):
        if not change:
            return create_campaign(by=request.user, **{name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS})
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in CAMPAIGN_FIELDS}
        return update_campaign(campaign_id=campaign.pk, by=request.user, **changed)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TouchpointInline(ReadOnlyInline):
    model = Touchpoint
    fields = ["kind", "campaign", "channel", "occurred_at"]
    readonly_fields = fields


class StageChangeInline(ReadOnlyInline):
    model = LeadStageChange
    fields = ["stage", "entered_at", "exited_at", "reason", "changed_by"]
    readonly_fields = fields


@admin.register(Lead)
class LeadAdmin(ServiceAdmin):
    """The profile through update_lead_profile (while marketing has the lead); all else read-only."""

    refusals = (*ServiceAdmin.refusals, LeadNotEditable)
    list_display = ["email", "first_name", "last_name", "company", "stage", "score", "source", "created_at"]
    list_filter = ["stage", "source"]
    search_fields = ["email_normalized", "first_name", "last_name", "company"]
    list_select_related = ["first_touch_campaign"]
    # Whom the lead is, where it came from, its stage and score: written by capture, merges,
    # the stage moves (each with its history), scoring, sales' answers and erasure.
    readonly_fields = [
        "email",
        "email_normalized",
        "stage",
        "stage_changed_at",
        "owner",
        "score",
        "score_reasons",
        "scored_at",
        "source",
        "first_touch_campaign",
        *services.UTM_FIELDS,
        "first_referrer",
        "first_landing_page",
        "last_touch_at",
        "last_touch_campaign",
        "last_touch_channel",
        "last_utm_source",
        "last_utm_medium",
        "last_utm_campaign",
        "consent_given_at",
        "consent_source",
        "consent_text",
        "attributes",
        "recycle_count",
        "nurture_until",
        "qualified_at",
        "accepted_at",
        "outcome",
        "outcome_amount",
        "outcome_at",
        "merged_into",
        "review_reason",
        "erased_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", *services.PROFILE_FIELDS],
                "description": "The profile can be corrected while marketing has the lead; once it is with "
                               "sales it is read-only."}),
        ("Stage and score", {"fields": ["stage", "stage_changed_at", "owner", "score", "score_reasons", "scored_at",
                                        "recycle_count", "nurture_until", "qualified_at", "accepted_at"],
                             "description": "A lead changes stage on its own page (hand to sales, disqualify, "
                                            "back to nurture), where each move is kept in its history."}),
        ("Source", {"fields": ["source", "first_touch_campaign", *services.UTM_FIELDS, "first_referrer",
                               "first_landing_page", "last_touch_at", "last_touch_campaign", "last_touch_channel",
                               "last_utm_source", "last_utm_medium", "last_utm_campaign"], "classes": ["collapse"]}),
        ("Consent", {"fields": ["consent_given_at", "consent_source", "consent_text"]}),
        ("Record", {"fields": ["email_normalized", "attributes", "outcome", "outcome_amount", "outcome_at",
                               "merged_into", "review_reason", "erased_at", "created_at", "updated_at"],
                    "classes": ["collapse"]}),
    ]  # fmt: skip
    inlines = [StageChangeInline, TouchpointInline]

    def save_through_services(self, request, lead, form, change):
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in services.PROFILE_FIELDS}
        return services.update_lead_profile(lead_id=lead.pk, by=request.user, **changed)

    def has_add_permission(self, request) -> bool:
        return False  # leads come in through capture: one per address, scored and routed

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # erase the person from the lead page instead: counts and revenue stay true


@admin.register(Touchpoint)
class TouchpointAdmin(RecordAdmin):
    """Written by capture and services.add_touchpoint (which moves the last touch and re-scores)."""

    list_display = ["lead", "kind", "campaign", "channel", "occurred_at"]
    list_filter = ["kind", "channel"]


@admin.register(LeadStageChange)
class LeadStageChangeAdmin(RecordAdmin):
    """Each stay of a lead in a stage, written by the stage services' one move."""

    list_display = ["lead", "stage", "entered_at", "exited_at", "reason"]
    list_filter = ["stage"]


@admin.register(CampaignSpend)
class CampaignSpendAdmin(ServiceAdmin):
    """Logged through add_spend and removed through delete_spend, as on the campaign page; an
    entry is not edited (remove it and log the right amount)."""

    list_display = ["campaign", "spent_on", "amount", "note", "created_by"]
    list_filter = ["campaign"]
    date_hierarchy = "spent_on"
    fields = ["campaign", "spent_on", "amount", "note"]

    def save_through_services(self, request, spend, form, change):
        data = form.cleaned_data
        return add_spend(
            campaign_id=data["campaign"].pk, spent_on=data["spent_on"], amount=data["amount"], note=data["note"],
            by=request.user,
        )  # fmt: skip

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, spend) -> None:
        delete_spend(campaign_id=spend.campaign_id, spend_id=spend.pk)

    def delete_queryset(self, request, queryset) -> None:
        for spend in queryset:
            self.delete_model(request, spend)


class FormQuestionInline(ReadOnlyInline):
    """Added and removed on the form's page (keys made from labels, at most 20 questions)."""

    model = FormQuestion
    fields = ["position", "label", "key", "kind", "required"]
    readonly_fields = fields


@admin.register(LeadForm)
class LeadFormAdmin(ServiceAdmin):
    """Through save_form_settings, which gives new consent wording a new version number (each
    lead's consent names the wording it saw)."""

    form = LeadFormAdminForm
    list_display = ["campaign", "headline", "is_open", "consent_version", "updated_at"]
    list_filter = ["is_open"]
    readonly_fields = ["consent_version", "updated_at"]
    inlines = [FormQuestionInline]

    def get_fields(self, request, obj=None):
        return ["campaign", "fields", "required_fields", *SETTINGS_FIELDS, "consent_version", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(["campaign"] if obj else [])]

    def save_through_services(self, request, lead_form, form, change):
        data = form.cleaned_data
        return save_form_settings(
            campaign_id=lead_form.campaign_id,
            fields=data["fields"],
            required_fields=data["required_fields"],
            **{name: data[name] for name in SETTINGS_FIELDS},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a new form would number its consent wording from 1 again


class ImportRowErrorInline(ReadOnlyInline):
    model = ImportRowError
    fields = ["row_number", "reason"]
    readonly_fields = fields


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
    """A merged duplicate's address, pointing at the lead it was merged into (services.merge_leads)."""

    list_display = ["email_normalized", "lead", "created_at"]
    search_fields = ["email_normalized"]


@admin.register(LeadMerge)
class LeadMergeAdmin(RecordAdmin):
    list_display = ["kept", "duplicate_email", "merged_by", "merged_at"]
    search_fields = ["duplicate_email"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(RecordAdmin):
    list_display = ["lead", "old_score", "new_score", "cause", "changed_at"]


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
