"""SLA & fairness (managers) and the two-sided SLA (both sides; marketing's commitment is set
here, sales' side is each team's SLA from its settings — the one definition)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import Commitment, Offer, TeamSettings
from sales.models import Team

from ..forms import CommitmentForm
from ..reports.fairness import fairness
from ..reports.sla import offer_metrics, two_sided_report

PERIODS = {"7": 7, "30": 30, "90": 90}


def _period(request) -> tuple[str, int] | None:
    choice = request.GET.get("days", "30")
    return (choice, PERIODS[choice]) if choice in PERIODS else None


@login_required
@permission_required("handoff.manage_routing", raise_exception=True)
def sla(request):
    period = _period(request)
    if period is None:
        messages.error(request, "Choose a period of 7, 30 or 90 days (days).")
        period, status = ("30", 30), 400
    else:
        status = 200
    since = timezone.now() - timedelta(days=period[1])
    managed = list(services.managed_teams(request.user).select_related("manager").order_by("name"))
    slas = TeamSettings.objects.slas(team.pk for team in managed)
    teams = []
    for team in managed:
        offers = Offer.objects.filter(handoff__team=team, offered_at__gte=since)
        metrics = offer_metrics(offers)
        shares = fairness(team, since=since)
        top = max([share.offers for share in shares] + [1])
        sla = slas[team.pk]
        teams.append(
            {
                "team": team,
                "sla": sla,
                "met": None if metrics.within_pct is None else metrics.within_pct >= sla.target_percent,
                "metrics": metrics,
                "shares": [(share, round(100 * share.offers / top, 1)) for share in shares],
            }
        )
    context = {"teams": teams, "days": period[0], "periods": list(PERIODS)}
    return render(request, "insights/sla.html", context, status=status)


def _may_see_agreement(user) -> bool:
    return user.has_perm("handoff.change_commitment") or user.has_perm("handoff.view_dashboard")


@login_required
def agreement(request):
    """Marketing's MQLs a month vs committed; sales' response time vs committed."""
    if not _may_see_agreement(request.user):
        raise PermissionDenied("Only marketers, sales managers and admins see the SLA agreement.")
    current = (
        Commitment.objects.filter(starts_on__lte=timezone.localdate())
        .select_related("updated_by")
        .order_by("-starts_on")
        .first()
    )
    initial = {"month": timezone.localdate().replace(day=1)}
    if current:
        initial["mqls_per_month"] = current.mqls_per_month
    form = CommitmentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("handoff.change_commitment"):
            raise PermissionDenied("Only marketers and sales managers set the commitments.")
        if form.is_valid():
            try:
                services.save_commitment(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, "Marketing's commitment saved.")
                return HttpResponseRedirect(reverse("insights:agreement"), status=303)
        status = 400
    months = two_sided_report()
    biggest = max([m.mqls for m in months] + [m.commitment.mqls_per_month for m in months if m.commitment] + [1])
    teams = list(Team.objects.order_by("name"))
    slas = TeamSettings.objects.slas(team.pk for team in teams)
    editable = set(services.managed_teams(request.user).values_list("pk", flat=True))
    context = {
        "months": months,
        "chart": _month_chart(months, biggest),
        "current": current,
        "form": form,
        "can_edit": request.user.has_perm("handoff.change_commitment"),
        "history": Commitment.objects.select_related("updated_by")[:12],
        # Sales' side: each team's SLA as its settings say (edited there, by its manager).
        "team_slas": [(team, slas[team.pk], team.pk in editable) for team in teams],
        "company_target": services.target_percent(None),
    }
    return render(request, "insights/agreement.html", context, status=status)


CHART_HEIGHT, BAR_AREA = 150, 104


def _month_chart(months, biggest: int) -> list[dict]:
    """SVG geometry of the MQL chart: a bar per month delivered, a tick at what was committed."""
    bars = []
    for index, month in enumerate(months):
        height = round(BAR_AREA * month.mqls / biggest, 1)
        committed = month.commitment.mqls_per_month if month.commitment else None
        bars.append(
            {
                "month": month,
                "x": index * 100 + 30,
                "y": round(CHART_HEIGHT - 20 - height, 1),
                "height": height,
                "tick_y": None if committed is None else round(CHART_HEIGHT - 20 - BAR_AREA * committed / biggest, 1),
                "label_x": index * 100 + 50,
                "met": month.mqls_met,
            }
        )
    return bars
