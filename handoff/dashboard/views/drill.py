"""The lists behind the numbers: the leads, deals and offers a dashboard figure counts.

Each list applies the same filters as the figure (through the same facts and cells), and
never more than the user may see: a manager's deal lists stay in their teams, a
salesperson's in their own, and marketers get leads but no deals.
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import render

from handoff.models import Handoff, Offer, RejectionReason
from marketing.models import Channel, Lead, Touchpoint
from sales.models import Deal

from ..models import DealFact, LeadFact
from ..rollups.cells import in_days
from ..rollups.facts import FACT_TIMES, STEPS
from ..scope import ALL, MANAGER, MARKETING, OWN
from ..widgets.base import cells
from . import common

PER_PAGE = 50
REACHED = {"lead": "lead_at", **FACT_TIMES}


def _bad(request, asked, message: str, status: int = 400):
    return render(request, "dashboard/drill.html", {"error": message, "form": asked.form}, status=status)


def _lead_facts(asked, request):
    """LeadFacts of the period's cohort within the user's scope; (queryset, description) or (None, error)."""
    filters, scope = asked.filters, asked.scope
    facts = cells(LeadFact.objects, filters, scope)
    if scope.kind == MANAGER:
        facts = facts.filter(team_id__in=scope.team_ids)
    reached, dropped = request.GET.get("reached", ""), request.GET.get("dropped", "")
    if reached:
        if reached not in REACHED:
            return None, "Unknown funnel stage in “reached”."
        return facts.filter(**{f"{REACHED[reached]}__isnull": False}), f"reached {_stage_label(reached)}"
    if dropped:
        if dropped not in STEPS[1:]:
            return None, "Unknown funnel stage in “dropped”."
        before = REACHED[STEPS[STEPS.index(dropped) - 1]]
        query = {f"{before}__isnull": False, f"{REACHED[dropped]}__isnull": True}
        return facts.filter(**query), f"stopped before {_stage_label(dropped)}"
    return facts, "captured"


def _stage_label(stage: str) -> str:
    return {"lead": "Lead", "mql": "MQL", "sal": "Accepted by sales", "sql": "SQL", "opportunity": "Opportunity"}.get(
        stage, "Won" if stage == "customer" else stage
    )


@login_required
def lead_list(request):
    asked = common.read(request)
    if asked.filters is None:
        return _bad(request, asked, "Check the filters: " + _errors(asked.form))
    filters, scope = asked.filters, asked.scope
    if request.GET.get("won"):
        deals = cells(DealFact.objects, filters, scope).filter(outcome="won", lead__isnull=False)
        if scope.kind == MANAGER:
            deals = deals.filter(team_id__in=scope.team_ids)
        leads, title = Lead.objects.filter(pk__in=deals.values("lead_id")), "Leads whose deal was won"
    elif reason := request.GET.get("rejected"):
        if reason not in RejectionReason.values:
            return _bad(request, asked, "Unknown rejection reason in “rejected”.")
        handoffs = in_days(Handoff.objects.filter(state=Handoff.State.REJECTED, rejection_reason=reason), "decided_at",
                            _days(filters))  # fmt: skip
        handoffs = _people(handoffs, filters, scope, team="team_id", rep="assignee_id")
        handoffs = _lead_dims(handoffs, filters, "lead__")
        leads = Lead.objects.filter(pk__in=handoffs.values("lead_id"))
        title = f"Leads rejected by sales: {RejectionReason(reason).label}"
    else:
        facts, what = _lead_facts(asked, request)
        if facts is None:
            return _bad(request, asked, what)
        leads, title = Lead.objects.filter(pk__in=facts.values("lead_id")), f"Leads captured in the period that {what}"
        if what == "captured":
            title = "Leads captured in the period"
    leads = leads.select_related("first_touch_campaign", "owner").order_by("-created_at", "-pk")
    page = Paginator(leads, PER_PAGE).get_page(request.GET.get("page"))
    context = {"kind": "leads", "title": title, "page": page, "filters": filters, "scope": scope}
    return render(request, "dashboard/drill.html", context)


def _days(filters):
    """The period's days (None for "all time": no need to narrow)."""
    span = (filters.end - filters.start).days
    return [filters.start + timedelta(days=offset) for offset in range(span + 1)] if span < 3700 else None


def _people(queryset, filters, scope, *, team: str, rep: str):
    if scope.kind == OWN:
        queryset = queryset.filter(**{rep: scope.user_id})
    elif scope.kind == MANAGER:
        queryset = queryset.filter(**{f"{team}__in": scope.team_ids})
    if filters.team is not None:
        queryset = queryset.filter(**{team: filters.team})
    if filters.rep is not None:
        queryset = queryset.filter(**{rep: filters.rep})
    return queryset


def _lead_dims(queryset, filters, prefix: str):
    if filters.channel:
        queryset = queryset.filter(**{f"{prefix}source": filters.channel})
    if filters.campaign is not None:
        queryset = queryset.filter(**{f"{prefix}first_touch_campaign_id": filters.campaign})
    return queryset


@login_required
def deal_list(request):
    asked = common.read(request)
    if not asked.scope.sees_deals:
        raise PermissionDenied("Marketers see revenue in aggregate, not the deals behind it.")
    if asked.filters is None:
        return _bad(request, asked, "Check the filters: " + _errors(asked.form))
    filters, scope = asked.filters, asked.scope
    outcome = request.GET.get("outcome", "won")
    if outcome not in ("won", "lost", "open"):
        return _bad(request, asked, "“outcome” must be won, lost or open.")
    visible = Deal.objects.visible_to(request.user) if scope.kind != ALL else Deal.objects.all()
    if outcome == "open":
        facts = cells(DealFact.objects, filters, scope, dated=False).filter(outcome="")
        deals = visible.filter(closed_at__isnull=True, pk__in=facts.values("deal_id"))
        stage = request.GET.get("stage", "")
        if stage:
            if not stage.isdigit():
                return _bad(request, asked, "“stage” must be a stage id.")
            deals = deals.filter(stage_id=int(stage))
        title = "Open deals"
    else:
        facts = cells(DealFact.objects, filters, scope).filter(outcome=outcome)
        touched = _touch_filter(request, facts)
        if isinstance(touched, str):
            return _bad(request, asked, touched)
        facts, about = touched
        deals = visible.filter(pk__in=facts.values("deal_id"))
        title = f"Deals {outcome} in the period{about}"
    deals = deals.select_related("stage", "owner", "team").order_by("-closed_at", "-created_at", "-pk")
    page = Paginator(deals, PER_PAGE).get_page(request.GET.get("page"))
    context = {"kind": "deals", "title": title, "page": page, "filters": filters, "scope": scope}
    return render(request, "dashboard/drill.html", context)


def _touch_filter(request, facts):
    """Won deals credited to a channel or campaign: their lead touched it before the deal opened."""
    channel, campaign = request.GET.get("touch_channel"), request.GET.get("touch_campaign")
    before = Q(lead_id=OuterRef("lead_id"), occurred_at__lte=OuterRef("opened_at"))
    if channel is not None:
        if channel and channel not in Channel.values:
            return "Unknown channel in “touch_channel”."
        label = dict(Channel.choices).get(channel, "no known channel")
        return facts.filter(Exists(Touchpoint.objects.filter(before, channel=channel))), f", credited to {label}"
    if campaign is not None:
        if campaign == "none":
            return facts.filter(
                Exists(Touchpoint.objects.filter(before, campaign__isnull=True))
            ), ", credited to no campaign"
        if not campaign.isdigit():
            return "“touch_campaign” must be a campaign id."
        return facts.filter(
            Exists(Touchpoint.objects.filter(before, campaign_id=int(campaign)))
        ), ", credited to a campaign"
    return facts, ""


@login_required
def offer_list(request):
    asked = common.read(request)
    if asked.scope.kind == MARKETING:
        raise PermissionDenied("Marketers see SLA compliance in aggregate.")
    if asked.filters is None:
        return _bad(request, asked, "Check the filters: " + _errors(asked.form))
    filters, scope = asked.filters, asked.scope
    wanted = request.GET.get("sla", "")
    answered = Q(state__in=[Offer.State.ACCEPTED, Offer.State.REJECTED])
    states = {
        "within": answered & Q(decided_at__lte=F("due_at")),
        "late": answered & Q(decided_at__gt=F("due_at")),
        "expired": Q(state=Offer.State.EXPIRED),
        "open": Q(state=Offer.State.OPEN),
        "": Q(),
    }
    if wanted not in states:
        return _bad(request, asked, "“sla” must be within, late, expired or open.")
    offers = in_days(Offer.objects.filter(states[wanted]), "offered_at", _days(filters))
    offers = _people(offers, filters, scope, team="handoff__team_id", rep="assignee_id")
    offers = _lead_dims(offers, filters, "handoff__lead__")
    offers = offers.select_related("handoff__lead", "assignee").order_by("-offered_at", "-pk")
    page = Paginator(offers, PER_PAGE).get_page(request.GET.get("page"))
    labels = {"within": "answered within the SLA", "late": "answered late", "expired": "expired", "open": "still open"}
    title = f"Offers made in the period{(' ' + labels[wanted]) if wanted else ''}"
    context = {"kind": "offers", "title": title, "page": page, "filters": filters, "scope": scope}
    return render(request, "dashboard/drill.html", context)


def _errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
