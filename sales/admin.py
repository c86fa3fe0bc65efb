from django.contrib import admin

from .models import (
    Activity,
    AssetSend,
    Deal,
    DealStageChange,
    LostReason,
    Note,
    Pipeline,
    SalesRep,
    Stage,
    StageAsset,
    StageTransition,
    Team,
)


class SalesRepInline(admin.TabularInline):
    model = SalesRep
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager"]
    inlines = [SalesRepInline]


@admin.register(SalesRep)
class SalesRepAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "status", "away_until", "routing_weight"]
    list_filter = ["team", "status"]
    raw_id_fields = ["user"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [StageInline]


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    list_display = ["from_stage", "to_stage"]
    list_filter = ["from_stage__pipeline"]


class DealStageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    fields = ["from_stage", "to_stage", "changed_at", "changed_by"]
    readonly_fields = fields
    can_delete = False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "stage", "amount", "currency", "expected_close", "closed_at"]
    list_filter = ["pipeline", "stage", "team"]
    search_fields = ["title", "company", "contact_email"]
    list_select_related = ["owner", "stage"]
    raw_id_fields = ["owner"]
    # Stage moves and closes go through the services (history, version, signals).
    readonly_fields = ["stage", "closed_at", "lost_reason", "version", "created_at", "updated_at"]
    inlines = [DealStageChangeInline]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "deal", "owner", "due_at", "done_at", "reminded_at"]
    list_filter = ["kind"]
    list_select_related = ["deal", "owner"]
    search_fields = ["subject"]
    raw_id_fields = ["deal", "owner", "done_by", "created_by"]
    # Done and reminded are set by the services (one completion, one reminder each).
    readonly_fields = ["done_at", "done_by", "reminded_at", "created_by", "created_at"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["deal", "author", "created_at"]
    list_select_related = ["deal", "author"]
    raw_id_fields = ["deal", "author"]


class StageAssetInline(admin.TabularInline):
    model = StageAsset
    extra = 0


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "order", "probability", "kind"]
    list_filter = ["pipeline", "kind"]
    inlines = [StageAssetInline]


@admin.register(DealStageChange)
class DealStageChangeAdmin(admin.ModelAdmin):
    """The stage history the deal services write: read-only."""

    list_display = ["deal", "from_stage", "to_stage", "changed_by", "changed_at"]
    raw_id_fields = ["deal", "changed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AssetSend)
class AssetSendAdmin(admin.ModelAdmin):
    list_display = ["asset", "deal", "sent_by", "sent_at"]
    raw_id_fields = ["deal", "sent_by"]
