"""The playbook editor: marketing writes, per pipeline stage, what the buyer needs, the exit
criteria and the assets to send; handoff passes it to sales (marketing never touches sales)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from guards.errors import put_on_form
from sales.models import Stage

from .. import services
from ..asset_results import asset_results, stage_baselines
from ..forms import AssetFormSet, PlaybookForm

EDIT = "handoff.edit_playbook"


def _open_stages():
    return Stage.objects.filter(kind=Stage.Kind.OPEN).select_related("pipeline")


@login_required
@permission_required(EDIT, raise_exception=True)
def playbooks(request):
    stages = list(_open_stages().order_by("-pipeline__is_default", "pipeline__name", "order"))
    results, baselines = asset_results(stages), stage_baselines(stages)
    pipelines = {}
    for stage in stages:
        baseline = baselines.get(stage.pk)
        assets = [result.against(baseline) for result in results.get(stage.pk, [])]
        pipelines.setdefault(stage.pipeline, []).append((stage, assets, baseline))
    return render(request, "handoff/playbooks.html", {"pipelines": list(pipelines.items())})


@login_required
@permission_required(EDIT, raise_exception=True)
def playbook_edit(request, pk: int):
    stage = get_object_or_404(_open_stages(), pk=pk)
    assets = [{"title": asset.title, "url": asset.url} for asset in stage.assets.order_by("order", "id")]
    form = PlaybookForm(
        request.POST or None, initial={"buyer_guidance": stage.buyer_guidance, "exit_criteria": stage.exit_criteria}
    )
    formset = AssetFormSet(request.POST or None, initial=assets, prefix="assets")
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            kept = [
                {"title": item["title"].strip(), "url": item["url"]}
                for item in formset.cleaned_data
                if item and item.get("url") and not item.get("DELETE")
            ]
            try:
                services.save_playbook(stage_id=stage.pk, by=request.user, assets=kept, **form.cleaned_data)
            except ValidationError as error:
                put_on_form(form, error)
            else:
                messages.success(request, f"{stage.name}: sales sees the new playbook on its deals now.")
                return HttpResponseRedirect(reverse("handoff:playbooks"), status=303)
        status = 400
    return render(
        request, "handoff/playbook_form.html", {"stage": stage, "form": form, "formset": formset}, status=status
    )
