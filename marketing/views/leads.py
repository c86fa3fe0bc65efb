from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import services
from ..errors import StageChangeNotAllowed
from ..models import Lead, Stage

LEADS_PER_PAGE = 50


@login_required
@permission_required("marketing.view_lead", raise_exception=True)
def lead_list(request):
    leads = Lead.objects.visible_to(request.user).select_related("first_touch_campaign", "owner")
    # Forms and the API refuse NUL, so no lead holds one; PostgreSQL would 500 on it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if query:
        # icontains escapes % and _ itself, so a search is always literal.
        leads = leads.filter(
            Q(email_normalized__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(company__icontains=query)
        )
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        leads = leads.filter(stage=stage)
    page = Paginator(leads, LEADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketing/lead_list.html",
        {"page": page, "query": query, "stage": stage, "stages": Stage.choices},
    )


@login_required
@permission_required("marketing.view_lead", raise_exception=True)
def lead_detail(request, pk: int):
    lead = get_object_or_404(
        Lead.objects.visible_to(request.user).select_related("first_touch_campaign", "owner"), pk=pk
    )
    touchpoints = lead.touchpoints.select_related("campaign")
    stage_changes = lead.stage_changes.select_related("changed_by")
    timeline = sorted(
        [("touch", touch.occurred_at, touch) for touch in touchpoints]
        + [("stage", change.entered_at, change) for change in stage_changes],
        key=lambda item: item[1],
        reverse=True,
    )
    can_qualify = request.user.has_perm("marketing.qualify_lead") and lead.is_marketings
    return render(
        request,
        "marketing/lead_detail.html",
        {
            "lead": lead,
            "timeline": timeline,
            "can_qualify": can_qualify,
            "mql_threshold": settings.LEADFLOW_MQL_THRESHOLD,
        },
    )


@login_required
@permission_required("marketing.qualify_lead", raise_exception=True)
@require_POST
def lead_qualify(request, pk: int):
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    try:
        services.qualify_lead(lead_id=lead.pk, by=request.user)
    except StageChangeNotAllowed as error:
        messages.error(request, str(error))
        response = lead_detail(request, pk)
        response.status_code = error.http_status
        return response
    messages.success(request, f"{lead.display_name} is on the way to sales.")
    return HttpResponseRedirect(reverse("marketing:lead-detail", args=[lead.pk]), status=303)
