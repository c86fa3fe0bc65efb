"""Sales settings for managers: pipelines (stages, probabilities, won/lost, allowed moves) and lost reasons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from .. import services
from ..forms import LostReasonForm, PipelineForm, StageFormSet
from ..models import LostReason, Pipeline, Stage, StageTransition

CONFIGURE = "sales.configure_pipelines"


@login_required
@permission_required(CONFIGURE, raise_exception=True)
def pipelines(request):
    services.default_pipeline()
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.create_pipeline(name=form.cleaned_data["name"])
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, f"{pipeline.name} created with the default stages. Shape it below.")
            return HttpResponseRedirect(reverse("sales:pipeline-edit", args=[pipeline.pk]), status=303)
    listing = Pipeline.objects.annotate(
        stage_count=Count("stages", distinct=True),
        open_deals=Count("deals", filter=Q(deals__closed_at__isnull=True), distinct=True),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "sales/setup_pipelines.html", {"pipelines": listing, "form": form}, status=status)


def _editor(
    request,
    pipeline: Pipeline,
    *,
    pipeline_form=None,
    stage_forms=None,
    stage_errors=None,
    move_errors=None,
    status=200,
):
    stages = list(pipeline.stages.annotate(deal_count=Count("deals")).order_by("order"))
    initial = [
        {"id": s.pk, "order": s.order, "name": s.name, "probability": s.probability, "kind": s.kind} for s in stages
    ]
    moves = set(
        StageTransition.objects.filter(from_stage__pipeline=pipeline).values_list("from_stage_id", "to_stage_id")
    )
    stage_forms = stage_forms or StageFormSet(initial=initial, prefix="stages")
    counts = {s.pk: s.deal_count for s in stages}
    rows = [{"form": form, "deals": counts.get(form.initial.get("id"), 0)} for form in stage_forms]
    context = {
        "pipeline": pipeline,
        "pipeline_form": pipeline_form
        or PipelineForm(initial={"name": pipeline.name, "is_default": pipeline.is_default}),
        "stage_forms": stage_forms,
        "stage_rows": rows,
        "matrix": [
            {
                "from": origin,
                "cells": [{"to": to, "on": (origin.pk, to.pk) in moves, "self": origin.pk == to.pk} for to in stages],
            }
            for origin in stages
            if origin.kind == Stage.Kind.OPEN
        ],
        "stages": stages,
        "move_errors": move_errors or [],
        "stage_errors": stage_errors or [],
    }
    return render(request, "sales/setup_pipeline.html", context, status=status)


@login_required
@permission_required(CONFIGURE, raise_exception=True)
def pipeline_edit(request, pk: int):
    return _editor(request, get_object_or_404(Pipeline, pk=pk))


@login_required
@permission_required(CONFIGURE, raise_exception=True)
@require_POST
def pipeline_rename(request, pk: int):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(request.POST)
    if form.is_valid():
        try:
            services.rename_pipeline(pipeline_id=pk, **form.cleaned_data)
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, "Pipeline saved.")
            return HttpResponseRedirect(reverse("sales:pipeline-edit", args=[pk]), status=303)
    return _editor(request, pipeline, pipeline_form=form, status=400)


@login_required
@permission_required(CONFIGURE, raise_exception=True)
@require_POST
def pipeline_stages(request, pk: int):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    formset = StageFormSet(request.POST, prefix="stages")
    if formset.is_valid():
        rows = [
            form.cleaned_data
            for form in formset
            if form.cleaned_data and not form.cleaned_data.get("remove") and form.cleaned_data.get("name")
        ]
        rows.sort(key=lambda row: row["order"])
        try:
            services.save_stages(
                pipeline_id=pk,
                stages=[
                    {"id": r.get("id"), "name": r["name"], "probability": r["probability"], "kind": r["kind"]}
                    for r in rows
                ],
            )
        except ValidationError as error:
            return _editor(request, pipeline, stage_forms=formset, stage_errors=error.messages, status=400)
        else:
            messages.success(request, "Stages saved.")
            return HttpResponseRedirect(reverse("sales:pipeline-edit", args=[pk]), status=303)
    return _editor(request, pipeline, stage_forms=formset, status=400)


@login_required
@permission_required(CONFIGURE, raise_exception=True)
@require_POST
def pipeline_moves(request, pk: int):
    pipeline = get_object_or_404(Pipeline, pk=pk)
    moves, malformed = [], False
    for value in request.POST.getlist("move"):
        origin, _, target = value.partition("-")
        if not (origin.isdigit() and target.isdigit()) or len(value) > 40:
            malformed = True
            continue
        moves.append((int(origin), int(target)))
    try:
        if malformed:
            raise ValidationError({"moves": "The form was damaged: reload the page and try again."})
        count = services.set_transitions(pipeline_id=pk, moves=moves)
    except ValidationError as error:
        return _editor(request, pipeline, move_errors=error.messages, status=400)
    messages.success(request, f"Allowed moves saved ({count}).")
    return HttpResponseRedirect(reverse("sales:pipeline-edit", args=[pk]), status=303)


def _reasons_page(request, *, add_form=None, edit_forms: dict | None = None, status=200):
    services.active_lost_reasons()  # the defaults, in an empty database
    edit_forms = edit_forms or {}
    reasons = LostReason.objects.all()
    rows = [
        {
            "reason": reason,
            "form": edit_forms.get(reason.pk)
            or LostReasonForm(
                initial={"name": reason.name, "order": reason.order, "is_active": reason.is_active},
                prefix=f"reason-{reason.pk}",
                auto_id=f"reason-{reason.pk}-%s",
            ),
        }
        for reason in reasons
    ]
    context = {"rows": rows, "add_form": add_form or LostReasonForm(auto_id="new-reason-%s")}
    return render(request, "sales/setup_lost_reasons.html", context, status=status)


@login_required
@permission_required(CONFIGURE, raise_exception=True)
def lost_reasons(request):
    if request.method != "POST":
        return _reasons_page(request)
    form = LostReasonForm(request.POST, auto_id="new-reason-%s")
    if form.is_valid():
        try:
            reason = services.add_lost_reason(name=form.cleaned_data["name"])
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, f"“{reason.name}” added to the list.")
            return HttpResponseRedirect(reverse("sales:lost-reasons"), status=303)
    return _reasons_page(request, add_form=form, status=400)


@login_required
@permission_required(CONFIGURE, raise_exception=True)
@require_POST
def lost_reason_edit(request, pk: int):
    reason = get_object_or_404(LostReason, pk=pk)
    form = LostReasonForm(request.POST, prefix=f"reason-{pk}", auto_id=f"reason-{pk}-%s")
    if form.is_valid():
        try:
            services.update_lost_reason(
                reason_id=pk,
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"] if form.cleaned_data["order"] is not None else reason.order,
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, "Lost reason saved.")
            return HttpResponseRedirect(reverse("sales:lost-reasons"), status=303)
    return _reasons_page(request, edit_forms={pk: form}, status=400)
