"""The lists behind the numbers: the leads, deals, offers and rejections a dashboard figure counts.

Each list reads the same rows as its figure, through the same scope and filters (widgets/
queries.py), so that a figure always equals the count or the sum of the list it opens —
the crawler in tests/crawl/ checks every one (docs/QUALITY.md). A list never shows more than
the user may see: a manager's stay in their teams, a salesperson's in their own, and
marketers get leads and rejections but no deals or offers.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render

from guards.ids import parse_id
from handoff.models import RejectionReason
from marketing.models import Channel, Lead
from sales.models import Deal

from ..rollups.facts import STEPS
from ..scope import MARKETING
from ..widgets import queries
from . import common

PER_PAGE = 50
STAGE_LABELS = {"lead": "Lead", "mql": "MQL", "sal": "Accepted by sales", "sql": "SQL", "opportunity": "Opportunity",
                "customer": "Won"}  # fmt: skip
OFFER_STATES = {
    "within": "answered within the SLA",
    "late": "answered late",
    "expired": "expired",
    "open": "still open",
}


class Refused(Exception):
    """A drill-down parameter that names nothing (a tampered or stale link): 400 with why."""


def _drill(view):
    """Read the filters, answer bad ones and unknown parameters with a 400, render the list."""

    @login_required
    def wrapper(request):
        asked = common.read(request)
        if asked.filters is None:
            return _refuse(request, asked, "Check the filters: " + _errors(asked.form))
        try:
            context = view(request, asked)
        except Refused as refusal:
            return _refuse(request, asked, str(refusal))
        page = Paginator(context.pop("rows"), PER_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, filters=asked.filters, scope=asked.scope, back_url=_back(asked),
                       openable=_openable_leads(request.user, context["kind"], page))  # fmt: skip
        return render(request, "insights/dashboard/drill.html", context)

    return wrapper


def _openable_leads(user, kind: str, page) -> set[int]:
    """The leads on this page whose lead page the user may open (a rep's offer may have moved
    on to someone else): the others are listed without a link, never a link to a 404."""
    lead_of = {"leads": lambda row: row.pk, "offers": lambda row: row.handoff.lead_id,
               "rejections": lambda row: row.lead_id}.get(kind)  # fmt: skip
    if lead_of is None:
        return set()
    ids = [lead_of(row) for row in page.object_list] or [0]  # [0]: the same one query when empty
    return set(Lead.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _refuse(request, asked, message: str):
    context = {"error": message, "form": asked.form, "back_url": _back(asked)}
    return render(request, "insights/dashboard/drill.html", context, status=400)


def _back(asked) -> str:
    return common.link("dashboard:overview", asked.filters) if asked.filters else common.link("dashboard:overview")


@_drill
def lead_list(request, asked) -> dict:
    reached, dropped = request.GET.get("reached", ""), request.GET.get("dropped", "")
    if reached and reached not in STEPS:
        raise Refused("Unknown funnel stage in “reached”.")
    if dropped and dropped not in STEPS[1:]:
        raise Refused("Unknown funnel stage in “dropped”.")
    facts = queries.lead_facts(asked.filters, asked.scope, reached=reached or None, dropped=dropped or None)
    if dropped:
        before = STEPS[STEPS.index(dropped) - 1]
        title = f"Leads captured in the period that reached {STAGE_LABELS[before]} but not {STAGE_LABELS[dropped]}"
    elif reached and reached != "lead":
        title = f"Leads captured in the period that reached {STAGE_LABELS[reached]}"
    else:
        title = "Leads captured in the period"
    leads = (
        Lead.objects.filter(pk__in=facts.values("lead_id"))
        .select_related("first_touch_campaign")
        .order_by("-created_at", "-pk")
    )
    return {"kind": "leads", "title": title, "rows": leads}


@_drill
def deal_list(request, asked) -> dict:
    filters, scope = asked.filters, asked.scope
    if not scope.sees_deals:
        raise PermissionDenied("Marketers see revenue in aggregate, not the deals behind it.")
    outcome = request.GET.get("outcome", "won")
    if outcome not in ("won", "lost", "open"):
        raise Refused("“outcome” must be won, lost or open.")
    deals = Deal.objects.select_related("stage", "owner", "team")
    if outcome == "open":
        stage = request.GET.get("stage", "")
        if stage and not stage.isdigit():
            raise Refused("“stage” must be a stage id.")
        # An id too large for any row names no stage: 0, which no stage has.
        open_deals = queries.open_deals(filters, scope, stage=(parse_id(stage) or 0) if stage else None)
        title = "Open deals" + (f" in {_stage_name(open_deals)}" if stage else "")
        return {"kind": "deals", "title": title, "rows": open_deals.select_related("stage", "owner", "team"),
                "total": _amount(open_deals)}  # fmt: skip
    credit = _credit_target(request)
    if credit is not None and outcome == "won":
        credits = queries.credits_by_deal(filters, scope, **credit)
        rows = list(deals.filter(pk__in=credits).order_by("-closed_at", "-pk"))
        for deal in rows:
            deal.credit = credits[deal.pk]
        label = _credit_label(credit)
        model = common.model_label(filters.model)
        return {"kind": "credited", "title": f"Deals won in the period: revenue credited to {label} ({model})",
                "rows": rows, "total": sum(credits.values(), Decimal(0))}  # fmt: skip
    timed = request.GET.get("lead_time") == "1"
    facts = queries.deal_facts(filters, scope, outcome=outcome, with_lead_time=timed)
    title = f"Deals {outcome} in the period" + (" with a known lead time (MQL to won)" if timed else "")
    rows = deals.filter(pk__in=facts.values("deal_id")).order_by("-closed_at", "-pk")
    return {"kind": "deals", "title": title, "rows": rows, "total": _amount(rows)}


def _amount(deals) -> Decimal:
    return deals.aggregate(total=Coalesce(Sum("amount"), Decimal(0)))["total"]


def _credit_target(request) -> dict | None:
    """The channel or campaign whose credit a figure shows: {"channel": …} / {"campaign": …}."""
    channel, campaign = request.GET.get("touch_channel"), request.GET.get("touch_campaign")
    if channel is not None:
        if channel != "none" and channel not in Channel.values:
            raise Refused("Unknown channel in “touch_channel”.")
        return {"channel": "" if channel == "none" else channel}
    if campaign is not None:
        if campaign != "none" and parse_id(campaign) is None:
            raise Refused("“touch_campaign” must be a campaign id.")
        return {"campaign": None if campaign == "none" else parse_id(campaign)}
    return None


def _credit_label(credit: dict) -> str:
    if "channel" in credit:
        return dict(Channel.choices).get(credit["channel"], "no known channel")
    if credit["campaign"] is None:
        return "no campaign"
    return queries.campaign_name(credit["campaign"])


def _stage_name(deals) -> str:
    first = deals.select_related("stage").first()
    return first.stage.name if first else "this stage"


@_drill
def offer_list(request, asked) -> dict:
    if asked.scope.kind == MARKETING:
        raise PermissionDenied("Marketers see SLA compliance in aggregate.")
    wanted = request.GET.get("sla", "")
    if wanted and wanted not in OFFER_STATES:
        raise Refused("“sla” must be within, late, expired or open.")
    offers = queries.offers(asked.filters, asked.scope, sla=wanted or None)
    offers = offers.select_related("handoff__lead", "assignee").order_by("-offered_at", "-pk")
    title = "Offers made in the period" + (f" {OFFER_STATES[wanted]}" if wanted else "")
    return {"kind": "offers", "title": title, "rows": offers}


@_drill
def rejection_list(request, asked) -> dict:
    reason = request.GET.get("reason", "")
    if reason not in RejectionReason.values:
        raise Refused("Unknown rejection reason in “reason”.")
    rejected = queries.rejections(asked.filters, asked.scope, reason=reason)
    rejected = rejected.select_related("lead", "assignee").order_by("-decided_at", "-pk")
    title = f"Offers rejected by sales in the period: {RejectionReason(reason).label}"
    return {"kind": "rejections", "title": title, "rows": rejected}


def _errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
