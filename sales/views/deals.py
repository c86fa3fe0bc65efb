"""The deal list and the deal page with its actions: move, edit, close, reopen, reassign."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from .. import services
from ..errors import DealConflict, StageMoveNotAllowed
from ..forms import (
    ActivityForm,
    CloseLostForm,
    CloseWonForm,
    EditDealForm,
    MoveDealForm,
    NoteForm,
    ReassignForm,
    ReopenDealForm,
)
from ..models import Activity, AssetSend, Deal, Note, Stage, StageAsset
from .board import BoardFilters, filtered

DEALS_PER_PAGE = 50


def visible_deals(user):
    return Deal.objects.visible_to(user).select_related("stage", "owner", "team", "pipeline")


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def deal_list(request):
    # Open deals first: PostgreSQL sorts NULLs last in ascending order (SQLite first),
    # so without nulls_first the open deals sank below every closed one in production.
    deals = visible_deals(request.user).order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")
    stage = Stage.objects.filter(pk=request.GET["stage"]).first() if request.GET.get("stage", "").isdigit() else None
    if stage is not None:
        deals = deals.filter(stage=stage)
    # The board's owner, team and month filters: a column's "N more" link carries them.
    filters = BoardFilters(request.GET, user=request.user)
    if not filters.is_valid():
        return render(request, "sales/deal_list.html", {"filters": filters, "deals": [], "stage": stage}, status=400)
    deals = filtered(deals, filters.cleaned_data)
    # Paged rather than cut at 200, so a manager's older deals stay reachable.
    page = Paginator(deals, DEALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"deals": page.object_list, "page": page, "stage": stage, "narrowed": narrowed(filters.cleaned_data)}
    return render(request, "sales/deal_list.html", context)


def narrowed(chosen: dict) -> list[str]:
    """The board filters a deal list applies, said in words for its heading."""
    owner, team, month = chosen.get("owner"), chosen.get("team"), chosen.get("month")
    return [
        *([f"Owner: {owner.get_full_name() or owner.username}"] if owner else []),
        *([f"Team: {team.name}"] if team else []),
        *([f"Expected to close in {month:%B %Y}"] if month else []),
    ]


def stage_history(deal: Deal, changes: list) -> tuple[list[dict], list[dict]]:
    """Each change with the time the deal then spent in that stage, and the total per stage."""
    now = timezone.now()
    rows, totals = [], {}
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        if following is not None:
            spent = following.changed_at - change.changed_at
        else:
            spent = None if change.to_stage.is_closed else now - change.changed_at
        rows.append({"change": change, "spent": spent, "current": following is None})
        if spent is not None:
            stage = change.to_stage
            entry = totals.setdefault(stage.pk, {"stage": stage, "spent": spent * 0})
            entry["spent"] += spent
    longest = max((entry["spent"] for entry in totals.values()), default=None)
    ordered = sorted(totals.values(), key=lambda entry: entry["stage"].order)
    for entry in ordered:
        entry["percent"] = round(100 * entry["spent"] / longest, 1) if longest else 0
    return list(reversed(rows)), ordered


def playbook(deal: Deal) -> dict:
    """The current stage's playbook, each asset with whether (and when) it went to this buyer."""
    sends = {send.asset_id: send for send in AssetSend.objects.filter(deal=deal, asset__stage=deal.stage)}
    assets = [{"asset": asset, "send": sends.get(asset.pk)} for asset in StageAsset.objects.filter(stage=deal.stage)]
    stage = deal.stage
    return {
        "guidance": stage.buyer_guidance,
        "exit_criteria": [line.strip("-•* ").strip() for line in stage.exit_criteria.splitlines() if line.strip()],
        "assets": assets,
        "sent": sum(1 for item in assets if item["send"]),
    }


def activities_context(deal: Deal) -> dict:
    activities = list(
        Activity.objects.filter(deal=deal)
        .select_related("owner", "done_by")
        .order_by(F("done_at").desc(nulls_first=True), "due_at", "id")
    )
    return {
        "open_activities": sorted((a for a in activities if not a.is_done), key=lambda a: (a.due_at is None, a.due_at)),
        "done_activities": [a for a in activities if a.is_done],
        "now": timezone.now(),
    }


def deal_context(request, deal: Deal, forms: dict | None = None) -> dict:
    user = request.user
    initial = {"version": deal.version}
    changes = list(deal.stage_changes.select_related("from_stage", "to_stage", "changed_by"))
    history, time_in_stage = stage_history(deal, changes)
    can_reassign = user.has_perm("sales.reassign_deal")
    reasons = services.active_lost_reasons()
    # How far the deal got: a deal lost in Proposal never "did" Negotiation.
    reached = deal.stage.order
    if deal.is_closed and changes and changes[-1].from_stage is not None:
        reached = changes[-1].from_stage.order
    stages = list(deal.pipeline.stages.all())
    steps = services.next_steps(deal=deal, user=user, stages=stages)
    context = {
        "deal": deal,
        "stages": stages,
        "steps": steps,
        "reached": reached,
        "history": history,
        "time_in_stage": time_in_stage,
        "playbook": None if deal.is_closed else playbook(deal),
        "notes": Note.objects.filter(deal=deal).select_related("author"),
        **activities_context(deal),
        "move_form": MoveDealForm(deal=deal, moves=steps.moves, initial=initial),
        "won_form": CloseWonForm(initial={**initial, "amount": deal.amount, "closed_on": timezone.localdate()}),
        "lost_form": CloseLostForm(initial=initial, reasons=reasons),
        "reopen_form": ReopenDealForm(initial=initial),
        "edit_form": EditDealForm.for_deal(deal),
        "activity_form": ActivityForm(initial={"kind": "call"}),
        "note_form": NoteForm(),
        "reassign_form": (
            ReassignForm(initial=initial, owners=services.reassignable_owners(by=user).exclude(pk=deal.owner_id))
            if can_reassign
            else None
        ),
        "can_reassign": can_reassign,
        **(forms or {}),
    }
    return context


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def deal_detail(request, pk: int, *, forms: dict | None = None, status: int = 200):
    deal = get_object_or_404(visible_deals(request.user), pk=pk)
    return render(request, "sales/deal_detail.html", deal_context(request, deal, forms), status=status)


def _act(request, pk: int, form, action, form_name: str):
    """Run one deal action; on bad input or a conflict, show the page again with why."""
    deal = get_object_or_404(Deal.objects.visible_to(request.user), pk=pk)
    if not form.is_valid():
        return deal_detail(request, pk, forms={form_name: form}, status=400)
    try:
        action(deal, form.cleaned_data)
    except ValidationError as error:
        put_on_form(form, error)
        return deal_detail(request, pk, forms={form_name: form}, status=400)
    except (DealConflict, StageMoveNotAllowed) as error:
        messages.error(request, str(error))
        return deal_detail(request, pk, forms=_conflict_forms(request, pk, form, form_name), status=error.http_status)
    return HttpResponseRedirect(deal.get_absolute_url(), status=303)


def _conflict_forms(request, pk: int, form, form_name: str) -> dict:
    """After a conflict, the edit form shows what is saved now and lists what was not saved."""
    if form_name != "edit_form":
        return {}
    deal = Deal.objects.get(pk=pk)
    unsaved = [
        {"label": form.fields[name].label or name.replace("_", " ").capitalize(), "value": value}
        for name, value in form.cleaned_data.items()
        if name in EditDealForm.FIELDS and value != getattr(deal, name)
    ]
    return {"unsaved_edits": unsaved, "edit_open": True}


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_move(request, pk: int):
    deal = get_object_or_404(Deal.objects.visible_to(request.user).select_related("stage"), pk=pk)
    form = MoveDealForm(request.POST, deal=deal)

    def move(deal, data):
        if data["stage"].pk == deal.stage_id and data["version"] == deal.version:
            # The list's default is where the deal is: "Move" without a choice moves nothing.
            messages.info(request, f"The deal stays in {deal.stage.name}: choose another stage to move it.")
            return
        services.move_deal(
            deal_id=deal.pk, to_stage_id=data["stage"].pk, by=request.user, expected_version=data["version"]
        )

    return _act(request, pk, form, move, "move_form")


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_edit(request, pk: int):
    form = EditDealForm(request.POST)

    def edit(deal, data):
        changes = form.changes(deal)
        if not changes:
            messages.info(request, "Nothing to save: no field was changed.")
            return
        services.update_deal(deal_id=deal.pk, by=request.user, expected_version=data["version"], **changes)
        messages.success(request, "Deal saved.")

    return _act(request, pk, form, edit, "edit_form")


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_won(request, pk: int):
    form = CloseWonForm(request.POST)

    def win(deal, data):
        services.close_deal(
            deal_id=deal.pk,
            won=True,
            amount=data["amount"],
            closed_at=form.closed_at(),
            rating=data["rating"],
            by=request.user,
            expected_version=data["version"],
        )
        messages.success(request, "Deal won. Nice work!")

    return _act(request, pk, form, win, "won_form")


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_lost(request, pk: int):
    form = CloseLostForm(request.POST, reasons=services.active_lost_reasons())

    def lose(deal, data):
        services.close_deal(
            deal_id=deal.pk,
            won=False,
            lost_reason=data["lost_reason"].name,
            lost_note=data["lost_note"],
            rating=data["rating"],
            by=request.user,
            expected_version=data["version"],
        )
        messages.info(request, "Deal marked lost. Marketing will see why.")

    return _act(request, pk, form, lose, "lost_form")


@login_required
@permission_required("sales.reopen_deal", raise_exception=True)
@require_POST
def deal_reopen(request, pk: int):
    def reopen(deal, data):
        services.reopen_deal(deal_id=deal.pk, by=request.user, expected_version=data["version"])

    return _act(request, pk, ReopenDealForm(request.POST), reopen, "reopen_form")


@login_required
@permission_required("sales.reassign_deal", raise_exception=True)
@require_POST
def deal_reassign(request, pk: int):
    form = ReassignForm(request.POST, owners=services.reassignable_owners(by=request.user))

    def reassign(deal, data):
        services.reassign_deal(
            deal_id=deal.pk, owner_id=data["owner"].pk, by=request.user, expected_version=data["version"]
        )
        owner = data["owner"]
        messages.success(request, f"Deal handed to {owner.get_full_name() or owner.username}.")

    return _act(request, pk, form, reassign, "reassign_form")
