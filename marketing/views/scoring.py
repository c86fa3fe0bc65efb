"""The scoring page: the rules, the MQL bar, how scores spread, and re-scoring progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Count, F, IntegerField
from django.db.models.functions import Floor
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import sources
from ..forms.scoring import EngagementRuleForm, FitRuleForm, SourceFromForm, ThresholdForm
from ..models import EngagementRule, FitRule, Lead, ScoringSettings, SourceFrom, Stage, Touchpoint
from ..scoring import load_rules
from ..scoring_defaults import save_defaults_if_none
from ..services import scoring_rules
from ..services.scoring import current_run

BUCKET = 10


def _page(request, *, status: int = 200, engagement_forms: dict | None = None, **overrides):
    rules = load_rules()
    row = ScoringSettings.objects.filter(pk=1).first()
    engagement = {rule.kind: rule for rule in EngagementRule.objects.all()}
    source_from = row.source_from if row else SourceFrom.CAMPAIGN
    context = {
        "fit_rules": list(FitRule.objects.order_by("position", "id")),
        "engagement_rows": [
            (
                value,
                label,
                engagement.get(value),
                (engagement_forms or {}).get(value) or EngagementRuleForm(instance=engagement.get(value), prefix=value),
            )
            for value, label in Touchpoint.Kind.choices
        ],
        "fit_form": FitRuleForm(),
        "threshold_form": ThresholdForm(initial={"mql_threshold": row.mql_threshold if row else None}),
        "threshold": rules.threshold,
        "threshold_is_default": row is None or row.mql_threshold is None,
        "utm_channels": sources.media_by_channel(),
        "source_form": SourceFromForm(initial={"source_from": source_from}),
        "source_from": SourceFrom(source_from).label,
        "version": rules.version,
        "run": current_run(),
        "can_manage": request.user.has_perm("marketing.manage_scoring"),
        **_distribution(rules.threshold),
    }
    context.update(overrides)
    return render(request, "marketing/scoring.html", context, status=status)


def _distribution(threshold: int) -> dict:
    """Leads per score band of 10 (one grouped query), for the histogram and the bar's effect."""
    bands = dict(
        Lead.objects.active()
        .annotate(band=Floor(F("score") / BUCKET, output_field=IntegerField()))
        .values_list("band")
        .annotate(n=Count("*"))
        .order_by()
    )
    waiting = Lead.objects.active().filter(score__gte=threshold, stage__in=[Stage.SUBSCRIBER, Stage.LEAD]).count()
    if not bands:
        return {"bars": [], "waiting": waiting}
    # The bands leads occupy, plus the bar's band when it is close by (a bar of 1,000 for scores
    # up to 90 would squash the chart into its first tenth).
    low, high = min(0, min(bands)), max(bands)
    if high < threshold // BUCKET <= high + 5:
        high = threshold // BUCKET
    top = max(bands.values())
    width = 100 / (high - low + 1)
    bars = [
        {
            "low": band * BUCKET,
            "count": bands.get(band, 0),
            "x": round((band - low) * width + width * 0.1, 3),
            "width": round(width * 0.8, 3),
            "height": round(60 * bands.get(band, 0) / top, 2),
            "y": round(60 - 60 * bands.get(band, 0) / top, 2),
            "over": band * BUCKET >= threshold,
        }
        for band in range(low, high + 1)
    ]
    marker = min(round((threshold / BUCKET - low) * width, 3), 99.7)
    return {"bars": bars, "waiting": waiting, "marker": marker, "first_band": low * BUCKET, "last_band": high * BUCKET}


@login_required
@permission_required("marketing.view_all_leads", raise_exception=True)
def scoring_page(request):
    with transaction.atomic():
        save_defaults_if_none()  # a database with no rules saved yet shows (and edits) the defaults
    return _page(request)


@login_required
@permission_required("marketing.view_all_leads", raise_exception=True)
def rescore_progress(request):
    """The progress row, polled by htmx while a run is going (it stops polling when done)."""
    return render(request, "marketing/scoring.html#progress", {"run": current_run()})


def _done(request, message: str):
    messages.success(request, f"{message} Every lead is being re-scored; progress shows below.")
    return HttpResponseRedirect(reverse("marketing:scoring"), status=303)


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
@require_POST
def fit_rule_add(request):
    form = FitRuleForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, fit_form=form)
    rule = scoring_rules.save_fit_rule(by=request.user, **form.rule_data())
    return _done(request, f"Added “{rule.label}”.")


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
def fit_rule_edit(request, pk: int):
    rule = get_object_or_404(FitRule, pk=pk)
    form = FitRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if form.is_valid():
            scoring_rules.save_fit_rule(rule_id=rule.pk, by=request.user, **form.rule_data())
            return _done(request, f"Saved “{form.cleaned_data['label']}”.")
        return render(request, "marketing/fit_rule_form.html", {"form": form, "rule": rule}, status=400)
    return render(request, "marketing/fit_rule_form.html", {"form": form, "rule": rule})


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
@require_POST
def fit_rule_delete(request, pk: int):
    if not scoring_rules.delete_fit_rule(rule_id=pk, by=request.user):
        raise Http404("No such fit rule.")
    return _done(request, "Rule removed.")


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
@require_POST
def engagement_rule_save(request, kind: str):
    if kind not in Touchpoint.Kind.values:
        raise Http404("No such touchpoint kind.")
    form = EngagementRuleForm(request.POST, instance=EngagementRule.objects.filter(kind=kind).first(), prefix=kind)
    if not form.is_valid():
        return _page(request, status=400, engagement_forms={kind: form})
    data = form.cleaned_data
    scoring_rules.save_engagement_rule(kind=kind, by=request.user, **data)
    return _done(request, f"Saved the rule for {Touchpoint.Kind(kind).label.lower()}.")


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
@require_POST
def threshold_save(request):
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, threshold_form=form)
    scoring_rules.set_mql_threshold(threshold=form.cleaned_data["mql_threshold"], by=request.user)
    return _done(request, "MQL threshold saved.")


@login_required
@permission_required("marketing.manage_scoring", raise_exception=True)
@require_POST
def source_from_save(request):
    form = SourceFromForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, source_form=form)
    row = scoring_rules.set_source_from(source_from=form.cleaned_data["source_from"], by=request.user)
    messages.success(request, f"New leads take their source from {row.get_source_from_display()}.")
    return HttpResponseRedirect(reverse("marketing:scoring"), status=303)
