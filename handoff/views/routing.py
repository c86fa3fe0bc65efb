"""Routing & SLA settings: a manager's teams (hours, SLA, cap), the ordered routing rules,
and what each rejection reason does to the lead."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guards.errors import put_on_form
from marketing.models import Channel, CompanySize
from sales.models import SalesRep, Team

from .. import services
from ..forms import RejectionRuleForm, RoutingRuleForm, TeamSettingsForm
from ..models import RejectionReason, RoutingRule, TeamSettings
from ..models.settings import Sla
from ..recycling import all_rules
from ..services.config import editable_rules, managed_teams

MANAGE = "handoff.manage_routing"


def _redirect_home():
    return HttpResponseRedirect(reverse("handoff:routing"), status=303)


def _chips(rule: RoutingRule) -> list[tuple[str, str]]:
    """A rule's conditions as (what, values) pairs, in words; long lists are shortened."""
    sizes, sources = dict(CompanySize.choices), dict(Channel.choices)

    def listed(values: list[str], limit: int = 5) -> str:
        shown = ", ".join(values[:limit])
        return shown + (f" +{len(values) - limit} more" if len(values) > limit else "")

    chips = []
    if rule.countries:
        chips.append(("Country", listed(rule.countries)))
    if rule.industries:
        chips.append(("Industry", listed(rule.industries)))
    if rule.company_sizes:
        chips.append(("Size", listed([sizes.get(value, value) for value in rule.company_sizes])))
    if rule.sources:
        chips.append(("Source", listed([sources.get(value, value) for value in rule.sources])))
    if rule.campaign:
        chips.append(("Campaign", rule.campaign.name))
    if rule.min_score is not None:
        chips.append(("Score ≥", str(rule.min_score)))
    if rule.max_score is not None:
        chips.append(("Score ≤", str(rule.max_score)))
    return chips


@login_required
@permission_required(MANAGE, raise_exception=True)
def routing(request):
    teams = managed_teams(request.user)
    settings_by_team = {config.team_id: config for config in TeamSettings.objects.filter(team__in=teams)}
    reps = (
        Team.objects.filter(pk__in=teams)
        .annotate(
            rep_count=Count("reps"), available_count=Count("reps", filter=Q(reps__in=SalesRep.objects.available()))
        )
        .select_related("manager")
        .order_by("name")
    )
    rules = list(RoutingRule.objects.select_related("team", "campaign").order_by("position", "id"))
    editable = set(editable_rules(request.user).values_list("pk", flat=True))
    context = {
        "teams": [(team, settings_by_team.get(team.pk)) for team in reps],
        "rules": [(rule, rule.pk in editable, _chips(rule)) for rule in rules],
        "default_sla": settings.LEADFLOW_OFFER_SLA_MINUTES,
        "fallback": Team.objects.filter(reps__isnull=False).order_by("id").first(),
        "recycling": all_rules(),
    }
    return render(request, "handoff/routing.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
def team_settings(request, pk: int):
    """A team's hours and its one SLA (working minutes, target share): every SLA page reads these."""
    team = get_object_or_404(managed_teams(request.user), pk=pk)
    config = TeamSettings.objects.filter(team=team).first()
    sla = config.sla() if config else Sla.default()
    initial = (
        {
            "time_zone": config.time_zone,
            "working_days": [int(day) for day in config.working_days],
            "day_starts": config.day_starts,
            "day_ends": config.day_ends,
        }
        if config
        else {"time_zone": "UTC", "working_days": [0, 1, 2, 3, 4], "day_starts": "09:00", "day_ends": "17:00"}
    ) | {"sla_minutes": sla.minutes, "sla_target_percent": sla.target_percent, "max_open_offers": sla.max_open_offers}
    form = TeamSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_team_settings(team_id=team.pk, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                put_on_form(form, error)
            else:
                messages.success(request, f"{team.name}: new offers follow these hours and SLA.")
                return _redirect_home()
        status = 400
    reps = SalesRep.objects.filter(team=team).select_related("user").order_by("user__username")
    available = set(SalesRep.objects.available().filter(team=team).values_list("pk", flat=True))
    context = {"team": team, "form": form, "sla": sla, "reps": [(rep, rep.pk in available) for rep in reps]}
    return render(request, "handoff/team_settings.html", context, status=status)


def _rule_page(request, form, rule=None, status: int = 200):
    return render(request, "handoff/rule_form.html", {"form": form, "rule": rule}, status=status)


@login_required
@permission_required(MANAGE, raise_exception=True)
def rule_new(request):
    teams = managed_teams(request.user).order_by("name")
    form = RoutingRuleForm(request.POST or None, teams=teams)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_routing_rule(by=request.user, team_id=form.cleaned_data["team"].pk, **form.rule_fields())
            except ValidationError as error:
                put_on_form(form, error)
            else:
                messages.success(request, "Rule added at the end of the list.")
                return _redirect_home()
        return _rule_page(request, form, status=400)
    return _rule_page(request, form)


@login_required
@permission_required(MANAGE, raise_exception=True)
def rule_edit(request, pk: int):
    rule = get_object_or_404(editable_rules(request.user), pk=pk)
    teams = managed_teams(request.user).order_by("name")
    initial = {
        "name": rule.name,
        "team": rule.team_id,
        "is_active": rule.is_active,
        "countries": rule.countries,
        "industries": rule.industries,
        "company_sizes": rule.company_sizes,
        "sources": rule.sources,
        "campaign": rule.campaign_id,
        "min_score": rule.min_score,
        "max_score": rule.max_score,
    }
    form = RoutingRuleForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_routing_rule(
                    by=request.user, rule_id=rule.pk, team_id=form.cleaned_data["team"].pk, **form.rule_fields()
                )
            except ValidationError as error:
                put_on_form(form, error)
            else:
                messages.success(request, f"Rule “{form.cleaned_data['name']}” saved.")
                return _redirect_home()
        return _rule_page(request, form, rule, status=400)
    return _rule_page(request, form, rule)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def rule_move(request, pk: int):
    get_object_or_404(editable_rules(request.user), pk=pk)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        messages.error(request, "Move a rule up or down (direction).")
        response = routing(request)
        response.status_code = 400
        return response
    services.move_routing_rule(rule_id=pk, by=request.user, direction=direction)
    return _redirect_home()


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def rule_delete(request, pk: int):
    rule = get_object_or_404(editable_rules(request.user), pk=pk)
    services.delete_routing_rule(rule_id=rule.pk, by=request.user)
    messages.success(request, f"Rule “{rule.name}” deleted.")
    return _redirect_home()


@login_required
@permission_required(MANAGE, raise_exception=True)
def recycling(request):
    """One form per reason, all saved together."""
    rules = {rule.reason: rule for rule in all_rules()}
    forms = [
        (
            reason,
            label,
            RejectionRuleForm(
                request.POST or None,
                prefix=reason,
                initial={"action": rules[reason].action, "cooldown_days": rules[reason].cooldown_days},
            ),
        )
        for reason, label in RejectionReason.choices
    ]
    if request.method == "POST":
        if all(form.is_valid() for _r, _l, form in forms):
            for reason, _label, form in forms:
                services.save_rejection_rule(reason=reason, by=request.user, **form.cleaned_data)
            messages.success(request, "Recycling rules saved: they apply to the next rejections.")
            return _redirect_home()
        return render(request, "handoff/recycling.html", {"forms": forms}, status=400)
    return render(request, "handoff/recycling.html", {"forms": forms})
