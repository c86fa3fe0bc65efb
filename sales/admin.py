"""Sales in the Django admin: every write goes through sales.services, or is not offered.

Configuration no service owns (teams, who sells in which team) is edited here as plain rows;
deals, lost reasons, pipelines and availability are saved by their services, which keep their
rules (allowed moves, closed deals, versions, one default pipeline…); history, activities,
notes and playbooks are read-only (the deal page and the settings pages write them).
"""

from django.contrib import admin

from guards.admin import ReadOnlyInline, RecordAdmin, ServiceAdmin

from . import services
from .admin_forms import DEAL_FIELDS, DealAdminForm
from .errors import DealConflict, StageMoveNotAllowed
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


class SalesRepInline(ReadOnlyInline):
    model = SalesRep
    fields = ["user", "status", "away_until", "routing_weight"]
    readonly_fields = fields


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Plain configuration (a name and a manager): no service owns teams, so they are edited here."""

    list_display = ["name", "manager"]
    inlines = [SalesRepInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Its deals would lose their team, and with it their manager's view of them.
        return False


@admin.register(SalesRep)
class SalesRepAdmin(ServiceAdmin):
    """Who sells in which team and their share of offers are configuration, saved here;
    availability goes through services.set_availability (no absence ending in the past)."""

    list_display = ["user", "team", "status", "away_until", "routing_weight"]
    list_filter = ["team", "status"]
    raw_id_fields = ["user"]

    def save_through_services(self, request, rep, form, change):
        availability = {"status", "away_until"}
        if change:
            configuration = [name for name in form.changed_data if name not in availability]
            if configuration:
                rep.save(update_fields=configuration)
        else:
            rep.status, rep.away_until = SalesRep.Status.ACTIVE, None
            rep.save()
        if not change or availability & set(form.changed_data):
            data = form.cleaned_data
            services.set_availability(user_id=rep.user_id, status=data["status"], away_until=data["away_until"])
        return rep


class StageInline(ReadOnlyInline):
    model = Stage
    fields = ["order", "name", "kind", "probability"]
    readonly_fields = fields


@admin.register(Pipeline)
class PipelineAdmin(ServiceAdmin):
    """Name and default flag through the pipeline services (a new pipeline gets the default
    stages and moves); its stages and moves change on the Sales settings pages."""

    list_display = ["name", "is_default"]
    fields = ["name", "is_default"]
    inlines = [StageInline]

    def save_through_services(self, request, pipeline, form, change):
        data = form.cleaned_data
        if not change:
            pipeline = services.create_pipeline(name=data["name"])
            if not data["is_default"]:
                return pipeline
        return services.rename_pipeline(pipeline_id=pipeline.pk, name=data["name"], is_default=data["is_default"])

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its deals and stage history keep it (and the default one opens every deal)


@admin.register(StageTransition)
class StageTransitionAdmin(RecordAdmin):
    """The allowed moves: set on the Sales settings pages (services.set_transitions checks them)."""

    list_display = ["from_stage", "to_stage"]
    list_filter = ["from_stage__pipeline"]


class DealStageChangeInline(ReadOnlyInline):
    model = DealStageChange
    fields = ["from_stage", "to_stage", "changed_at", "changed_by"]
    readonly_fields = fields


@admin.register(Deal)
class DealAdmin(ServiceAdmin):
    """Each change goes through the deal services, as on the deal page: the owner through
    reassign_deal, the stage through move_deal / close_deal / reopen_deal, the deal's own
    fields through update_deal, all checked against the version the form was opened at."""

    form = DealAdminForm
    refusals = (*ServiceAdmin.refusals, DealConflict, StageMoveNotAllowed)
    renamed_fields = {"lost_reason": "why_lost"}
    list_display = ["title", "owner", "stage", "amount", "currency", "expected_close", "closed_at"]
    list_filter = ["pipeline", "stage", "team"]
    search_fields = ["title", "company", "contact_email"]
    list_select_related = ["owner", "stage"]
    readonly_fields = [
        "pipeline",
        "team",
        "closed_at",
        "lost_reason",
        "lost_note",
        "lead_rating",
        "brief",
        "last_activity_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DealStageChangeInline]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.is_closed:
            stage = ["pipeline", "stage", "reopen", "closed_at", "lost_reason", "lost_note"]
            description = "This deal is closed: reopen it before any change but its owner."
        else:
            stage, description = ["pipeline", "stage", "why_lost"], ""
        return [
            (None, {"fields": [*DEAL_FIELDS, "version"]}),
            ("Owner", {"fields": ["owner", "team"]}),
            ("Stage", {"fields": stage, "description": description}),
            ("Record", {"fields": ["lead_rating", "brief", "last_activity_at", "created_at", "updated_at"],
                        "classes": ["collapse"]}),
        ]  # fmt: skip

    def save_through_services(self, request, deal, form, change):
        # In the order a person would do it: reopen first (nothing else may change a closed
        # deal), then the deal's own fields, the owner, and last the move or close. Each step
        # carries the version the previous one left; the first, the version of the page.
        data, changed, by = form.cleaned_data, set(form.changed_data), request.user
        version = data["version"]
        if data.get("reopen"):
            version = services.reopen_deal(deal_id=deal.pk, by=by, expected_version=version).version
        edits = {name: data[name] for name in DEAL_FIELDS if name in changed}
        if edits:
            version = services.update_deal(deal_id=deal.pk, by=by, expected_version=version, **edits).version
        if "owner" in changed:
            owner = data["owner"].pk
            version = services.reassign_deal(deal_id=deal.pk, owner_id=owner, by=by, expected_version=version).version
        stage = data["stage"]
        if "stage" in changed and stage.kind == Stage.Kind.OPEN:
            services.move_deal(deal_id=deal.pk, to_stage_id=stage.pk, by=by, expected_version=version)
        elif "stage" in changed:
            reason = data.get("why_lost")
            services.close_deal(
                deal_id=deal.pk,
                won=stage.kind == Stage.Kind.WON,
                lost_reason=reason.name if reason else "",
                by=by,
                expected_version=version,
            )
        return Deal.objects.get(pk=deal.pk)

    def has_add_permission(self, request) -> bool:
        return False  # a deal opens when sales accepts an offer (handoff), with its lead's brief

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a deal ends won or lost: marketing's outcome and every report count it


@admin.register(LostReason)
class LostReasonAdmin(ServiceAdmin):
    """Through the lost-reason services: names unique in any case, at least one active reason."""

    list_display = ["name", "order", "is_active"]

    def save_through_services(self, request, reason, form, change):
        data = form.cleaned_data
        if not change:
            reason = services.add_lost_reason(name=data["name"])  # at the end of the list
            if not {"order", "is_active"} & set(form.changed_data):
                return reason
        return services.update_lost_reason(
            reason_id=reason.pk, name=data["name"], order=data["order"], is_active=data["is_active"]
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire it instead (untick "is active"): losing a deal always needs a reason


@admin.register(Activity)
class ActivityAdmin(RecordAdmin):
    """Logged and completed on the deal page (sales.services.activities); reminders by the sweep."""

    list_display = ["subject", "kind", "deal", "owner", "due_at", "done_at", "reminded_at"]
    list_filter = ["kind"]
    list_select_related = ["deal", "owner"]
    search_fields = ["subject"]


@admin.register(Note)
class NoteAdmin(RecordAdmin):
    """A deal's notes: written on the deal page (services.add_note)."""

    list_display = ["deal", "author", "created_at"]
    list_select_related = ["deal", "author"]


class StageAssetInline(ReadOnlyInline):
    model = StageAsset
    fields = ["order", "title", "url"]
    readonly_fields = fields


@admin.register(Stage)
class StageAdmin(RecordAdmin):
    """Stages change on the Sales settings pages (services.save_stages: one Won and one Lost,
    a stage holding deals keeps its kind); their playbook on the playbook page."""

    list_display = ["name", "pipeline", "order", "probability", "kind"]
    list_filter = ["pipeline", "kind"]
    inlines = [StageAssetInline]


@admin.register(DealStageChange)
class DealStageChangeAdmin(RecordAdmin):
    """The stage history the deal services write."""

    list_display = ["deal", "from_stage", "to_stage", "changed_by", "changed_at"]


@admin.register(AssetSend)
class AssetSendAdmin(RecordAdmin):
    """Playbook assets sent to buyers: recorded on the deal page (services.mark_asset_sent)."""

    list_display = ["asset", "deal", "sent_by", "sent_at"]
