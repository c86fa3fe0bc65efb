"""The lead list (fast at a million rows) and the bulk actions marketers run from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms.leads import BulkActionForm, LeadFilterForm
from ..models import Campaign, Lead, Touchpoint
from ..paging import BadCursor, capped_count, paginate
from ..services import leads as lead_services

LEADS_PER_PAGE = 50
COUNT_CAP = 10_000
# A search counts its matches only up to here: at a million leads, counting 10,000 matches of
# a common surname walked 300,000 index entries (170 ms); "100+ leads match" says enough.
SEARCH_COUNT_CAP = 100
# What a row of the list shows; the rest of a lead (reasons, attributes…) stays in the table.
LIST_COLUMNS = (
    "id",
    "email",
    "email_normalized",
    "first_name",
    "last_name",
    "company",
    "title",
    "stage",
    "score",
    "source",
    "created_at",
    "erased_at",  # display_name reads it: deferred, it cost a query per row
    "first_touch_campaign__name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def filtered_leads(request):
    """(form, queryset, status) for the list's GET filters; shared with the CSV export."""
    data = request.GET.copy()
    if "q" in data:
        data["q"] = data["q"].replace("\x00", "")  # forms refuse NUL, so no lead can match one
    filters = LeadFilterForm(data or None)
    leads = Lead.objects.visible_to(request.user).active()
    if not filters.is_bound:
        return filters, leads, 200
    if not filters.is_valid():
        return filters, leads.none(), 400
    return filters, filters.filter(leads), 200


@login_required
@permission_required("marketing.view_lead", raise_exception=True)
def lead_list(request):
    filters, leads, status = filtered_leads(request)
    sort = filters.sort_order
    leads = leads.select_related("first_touch_campaign", "owner").only(*LIST_COLUMNS)
    try:
        page = paginate(
            leads, sort, after=request.GET.get("after", ""), before=request.GET.get("before", ""), size=LEADS_PER_PAGE
        )
    except BadCursor as error:
        filters.add_error(None, str(error))
        page, status = paginate(leads.none(), sort), 400
    searched = filters.is_bound and status == 200 and filters.cleaned_data.get("q")
    cap = SEARCH_COUNT_CAP if searched else COUNT_CAP
    count, capped = capped_count(leads, cap=cap, sort=sort) if status == 200 else (0, False)
    context = {
        "filters": filters,
        "page": page,
        "count": count,
        "capped": capped,
        "campaign_choices": list(Campaign.objects.order_by("-starts_on", "name").values_list("pk", "name")),
        "touch_kinds": Touchpoint.Kind.choices,
        "can_qualify": request.user.has_perm("marketing.qualify_lead"),
        "can_change": request.user.has_perm("marketing.change_lead"),
        "can_export": request.user.has_perm("marketing.export_leads"),
    }
    return render(request, "marketing/lead_list.html", context, status=status)


@login_required
@permission_required("marketing.change_lead", raise_exception=True)
@require_POST
def lead_bulk(request):
    """Apply one action to the ticked leads; each lead is its own transaction."""
    form = BulkActionForm(request.POST)
    back = _back_to(request)
    if not form.is_valid():
        return render(request, "marketing/bulk_refused.html", {"form": form, "back": back}, status=400)
    data = form.cleaned_data
    ids = list(Lead.objects.visible_to(request.user).filter(pk__in=data["ids"]).values_list("pk", flat=True))
    action = data["action"]
    if action == "qualify":
        if not request.user.has_perm("marketing.qualify_lead"):
            raise PermissionDenied("Only marketers and sales managers hand leads to sales.")
        result, verb = lead_services.bulk_qualify(lead_ids=ids, by=request.user), "handed to sales"
    elif action == "disqualify":
        result = lead_services.bulk_disqualify(lead_ids=ids, reason=data["reason"], by=request.user)
        verb = "disqualified"
    elif action == "touch":
        result = lead_services.bulk_add_touchpoint(
            lead_ids=ids,
            kind=data["kind"],
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            by=request.user,
            note=data["note"],
        )
        verb = "given a touchpoint"
    else:
        result, verb = lead_services.bulk_renurture(lead_ids=ids, by=request.user), "back in nurture"
    missing = len(set(data["ids"]) - set(ids))
    for _ in range(missing):
        result.skipped.append((0, "no such lead"))
    (messages.success if result.done else messages.warning)(request, result.summary(verb))
    return HttpResponseRedirect(back, status=303)


def _back_to(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("marketing:lead-list")
