"""Campaign pages: the list, the calendar, create/edit, and one campaign with its funnel and spend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from .. import calendar, reports
from ..forms import CampaignFilterForm, CampaignForm, SpendForm, SpendImportForm
from ..models import Campaign, Lead
from ..services import campaigns as campaign_services
from ..services.lead_forms import form_of

CAMPAIGNS_PER_PAGE = 50
SPEND_SHOWN = 12


@login_required
@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_list(request):
    filters = CampaignFilterForm(request.GET or None)
    campaigns = Campaign.objects.select_related("owner").order_by("-starts_on", "name")
    status = 200
    if filters.is_bound:
        if filters.is_valid():
            campaigns = filters.filter(campaigns)
        else:
            campaigns, status = campaigns.none(), 400
    page = Paginator(campaigns, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "rows": reports.with_totals(page.object_list)}
    return render(request, "marketing/campaign_list.html", context, status=status)


@login_required
@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_calendar(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        quarter = int(request.GET["quarter"]) if request.GET.get("quarter") else None
    except ValueError:
        return _bad_period(request, "Year and quarter must be whole numbers.")
    if not 2000 <= year <= 2100:
        return _bad_period(request, "Choose a year between 2000 and 2100.")
    if quarter is not None and not 1 <= quarter <= 4:
        return _bad_period(request, "A quarter is 1, 2, 3 or 4.")
    period = calendar.Period.of(year, quarter)
    campaigns = list(Campaign.objects.overlapping(period.first, period.last).select_related("owner"))
    timeline = calendar.build(campaigns, period, today=today)
    context = {"timeline": timeline, "period": period, "today": today, "quarters": range(1, 5)}
    return render(request, "marketing/campaign_calendar.html", context)


def _bad_period(request, message: str):
    return render(request, "marketing/campaign_calendar.html", {"period_error": message}, status=400)


# What the marketer reads after creating a campaign: it says the status they chose.
CREATED = {
    Campaign.Status.PLANNED: "{name} is planned. Set up its form to start capturing leads.",
    Campaign.Status.ACTIVE: "{name} is active. Set up its form to start capturing leads.",
    Campaign.Status.PAUSED: "{name} is saved as paused.",
    Campaign.Status.COMPLETED: "{name} is saved as completed.",
}


def _created_message(campaign: Campaign) -> str:
    return CREATED.get(campaign.status, "{name} is saved.").format(name=campaign.name)


@login_required
@permission_required("marketing.add_campaign", raise_exception=True)
def campaign_create(request):
    form = CampaignForm(request.POST or None, initial={"starts_on": timezone.localdate(), "owner": request.user})
    if request.method == "POST":
        if form.is_valid():
            campaign = _saved(form, lambda data: campaign_services.create_campaign(by=request.user, **data))
            if campaign:
                messages.success(request, _created_message(campaign))
                return HttpResponseRedirect(campaign.get_absolute_url(), status=303)
        return render(request, "marketing/campaign_form.html", {"form": form}, status=400)
    return render(request, "marketing/campaign_form.html", {"form": form})


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST":
        if form.is_valid():
            saved = _saved(
                form,
                lambda data: campaign_services.update_campaign(campaign_id=campaign.pk, by=request.user, **data),
            )
            if saved:
                messages.success(request, f"Saved {saved.name}.")
                return HttpResponseRedirect(saved.get_absolute_url(), status=303)
        return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign}, status=400)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign})


def _saved(form, save):
    """Run the service; a rule it enforces beyond the form's own checks lands on the form."""
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        put_on_form(form, error)
        return None


@login_required
@permission_required("marketing.view_campaign", raise_exception=True)
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("owner", "lead_form"), pk=pk)
    return render(request, "marketing/campaign_detail.html", _detail_context(request, campaign))


def _detail_context(request, campaign: Campaign, **overrides) -> dict:
    stats = reports.campaign_stats(campaign)
    lead_form = form_of(campaign)
    spend = list(campaign.spend_entries.select_related("created_by")[: SPEND_SHOWN + 1])
    context = {
        "campaign": campaign,
        "stats": stats,
        "funnel": stats.funnel(),
        "goals": stats.goals(campaign),
        "arrivals": reports.daily_arrivals(campaign),
        "chart_height": reports.CHART_HEIGHT,
        "spend_entries": spend[:SPEND_SHOWN],
        "more_spend": len(spend) > SPEND_SHOWN,
        "spend_form": SpendForm(initial={"spent_on": timezone.localdate()}),
        "import_form": SpendImportForm(),
        "recent_leads": Lead.objects.filter(first_touch_campaign=campaign, merged_into__isnull=True)
        .select_related("owner")
        .order_by("-created_at", "-id")[:8],
        "lead_form": lead_form,
        "question_count": lead_form.questions.count() if lead_form.pk else 0,
        "can_edit": request.user.has_perm("marketing.change_campaign"),
        "can_see_leads": request.user.has_perm("marketing.view_all_leads"),
        "form_url": request.build_absolute_uri(reverse("marketing:capture-form", args=[campaign.utm_campaign])),
    }
    context.update(overrides)
    return context


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
@require_POST
def spend_add(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SpendForm(request.POST)
    if form.is_valid():
        campaign_services.add_spend(campaign_id=campaign.pk, by=request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Spend logged.")
            return HttpResponseRedirect(campaign.get_absolute_url() + "#spend", status=303)
        form = SpendForm(initial={"spent_on": form.cleaned_data["spent_on"]})
        status = 200
    else:
        status = 400
    context = _detail_context(request, campaign, spend_form=form)
    template = "marketing/campaign_detail.html#spend-panel" if request.htmx else "marketing/campaign_detail.html"
    return render(request, template, context, status=status)


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
@require_POST
def spend_delete(request, pk: int, spend_pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    if not campaign_services.delete_spend(campaign_id=campaign.pk, spend_id=spend_pk):
        raise Http404("No such spend entry on this campaign.")
    if request.htmx:
        return render(request, "marketing/campaign_detail.html#spend-panel", _detail_context(request, campaign))
    messages.success(request, "Spend entry removed.")
    return HttpResponseRedirect(campaign.get_absolute_url() + "#spend", status=303)


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
@require_POST
def spend_import(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SpendImportForm(request.POST, request.FILES)
    if not form.is_valid():
        context = _detail_context(request, campaign, import_form=form)
        return render(request, "marketing/campaign_detail.html", context, status=400)
    report = campaign_services.import_spend(campaign_id=campaign.pk, upload=form.cleaned_data["file"], by=request.user)
    status = 400 if report.file_error else 200
    context = {"campaign": campaign, "report": report, "file_name": form.cleaned_data["file"].name}
    return render(request, "marketing/spend_import_report.html", context, status=status)
