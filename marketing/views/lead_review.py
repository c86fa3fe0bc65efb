"""Leads that need a marketer's eye: those sales sent back, and likely duplicates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guards.ids import parse_id

from .. import duplicates
from ..errors import MergeNotAllowed
from ..forms.leads import MergeForm
from ..models import Lead, LeadStageChange, Stage
from ..paging import BadCursor, Sort, capped_count, paginate
from ..services.merges import merge_leads

RECYCLED_SORT = Sort("Most recently sent back", ("stage_changed_at",), descending=True)


@login_required
@permission_required("marketing.view_all_leads", raise_exception=True)
def recycled_list(request):
    """Leads sales sent back, newest first, each with sales' reason: ready for re-nurture."""
    current_stay = LeadStageChange.objects.filter(lead=OuterRef("pk"), stage=Stage.RECYCLED).order_by("-entered_at")
    leads = (
        Lead.objects.active()
        .filter(stage=Stage.RECYCLED)
        .select_related("first_touch_campaign")
        .annotate(recycled_reason=Subquery(current_stay.values("reason")[:1]))
    )
    status = 200
    try:
        page = paginate(leads, RECYCLED_SORT, after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    except BadCursor as error:
        messages.error(request, str(error))
        page, status = paginate(leads.none(), RECYCLED_SORT), 400
    count, capped = capped_count(leads)
    # The reason's headline ("Rejected by sales — No budget: …" → before the colon), most common first.
    reasons = (
        LeadStageChange.objects.filter(stage=Stage.RECYCLED, exited_at__isnull=True, lead__merged_into__isnull=True)
        .values("reason")
        .annotate(n=Count("*"))
        .order_by("-n")[:200]
    )
    headlines: dict[str, int] = {}
    for row in reasons:
        headline = row["reason"].split(":")[0].strip() or "No reason given"
        headlines[headline] = headlines.get(headline, 0) + row["n"]
    context = {
        "page": page,
        "count": count,
        "capped": capped,
        "headlines": sorted(headlines.items(), key=lambda item: -item[1])[:6],
        "can_change": request.user.has_perm("marketing.change_lead"),
    }
    return render(request, "marketing/recycled_list.html", context, status=status)


@login_required
@permission_required("marketing.view_all_leads", raise_exception=True)
def duplicate_list(request):
    groups = duplicates.likely_groups()
    context = {"groups": groups, "can_merge": request.user.has_perm("marketing.change_lead")}
    return render(request, "marketing/duplicate_list.html", context)


@login_required
@permission_required("marketing.change_lead", raise_exception=True)
@require_POST
def lead_merge(request):
    form = MergeForm(request.POST)
    back = reverse("marketing:duplicate-list")
    if not form.is_valid():
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return render(request, "marketing/merge_refused.html", {"message": errors, "back": back}, status=400)
    visible = Lead.objects.visible_to(request.user)
    keep_id, duplicate_id = form.cleaned_data["keep"], form.cleaned_data["duplicate"]
    possible = parse_id(str(keep_id)) and parse_id(str(duplicate_id))  # too large: no such lead
    if not possible or visible.filter(pk__in=[keep_id, duplicate_id]).count() != 2:
        context = {"message": "One of these leads does not exist.", "back": back}
        return render(request, "marketing/merge_refused.html", context, status=404)
    try:
        kept = merge_leads(keep_id=keep_id, duplicate_id=duplicate_id, by=request.user, marketings_duplicate=True)
    except MergeNotAllowed as refusal:
        return render(request, "marketing/merge_refused.html", {"message": str(refusal), "back": back}, status=409)
    messages.success(request, f"Merged: {kept.display_name} now holds both histories.")
    return HttpResponseRedirect(kept.get_absolute_url(), status=303)
