"""Every dashboard number recomputed the plain way: straight from the raw rows, in Python.

Nothing here imports the dashboard's rollups or widgets; the tests compare the two. The
definitions are the dashboard's (written down in its docstrings), computed independently:
- the funnel is the cohort of leads captured in the period; a lead reached a stage when it
  first entered that stage or any later one of marketing's FUNNEL; a step's days are
  whole days (whole seconds // 86400) between first reaching one stage and the next;
- revenue is deals closed as won in the period, by close date;
- attribution shares a won deal's amount among its lead's touchpoints up to the deal's
  opening, rounded to cents with the remainder on the last touch;
- SLA counts offers made in the period: answered by the deadline, late, expired, open.
"""

import statistics
from collections import Counter, defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone

from handoff.models import Handoff, Offer
from marketing.models import FUNNEL, Lead, LeadStageChange, Touchpoint
from sales.models import Deal

STEPS = ["lead", "mql", "sal", "sql", "opportunity", "customer"]


def day(moment) -> date:
    return timezone.localdate(moment)


def whole_days(start, end) -> int:
    return (int(end.timestamp()) - int(start.timestamp())) // 86400


def in_period(moment, start: date, end: date) -> bool:
    return moment is not None and start <= day(moment) <= end


def lead_dimensions() -> dict[int, dict]:
    """Each lead's channel, campaign, and the team and rep of its latest handoff."""
    latest = {}
    for handoff in Handoff.objects.order_by("lead_id", "cycle"):
        latest[handoff.lead_id] = handoff
    return {
        lead.pk: {
            "channel": lead.source,
            "campaign": lead.first_touch_campaign_id,
            "team": latest[lead.pk].team_id if lead.pk in latest else None,
            "rep": latest[lead.pk].assignee_id if lead.pk in latest else None,
            "created": lead.created_at,
        }
        for lead in Lead.objects.all()
    }


def reached_at() -> dict[int, dict[str, object]]:
    """lead → stage → first time it reached that stage (or a later one)."""
    firsts: dict[int, dict[str, object]] = defaultdict(dict)
    for change in LeadStageChange.objects.all():
        seen = firsts[change.lead_id]
        if "lead" not in seen or change.entered_at < seen["lead"]:
            seen["lead"] = change.entered_at
        if change.stage in FUNNEL:
            for stage in STEPS[1:]:
                if FUNNEL.index(change.stage) >= FUNNEL.index(stage) and (
                    stage not in seen or change.entered_at < seen[stage]
                ):
                    seen[stage] = change.entered_at
    return firsts


def funnel(start: date, end: date, keep=lambda dims: True) -> dict:
    dims, reached = lead_dimensions(), reached_at()
    cohort = [lead for lead, info in dims.items() if start <= day(info["created"]) <= end and keep(info)]
    counts = {stage: sum(1 for lead in cohort if stage in reached[lead]) for stage in STEPS}
    counts["lead"] = len(cohort)
    medians = {}
    for before, after in zip(STEPS, STEPS[1:], strict=False):
        spans = [
            whole_days(reached[lead][before], reached[lead][after])
            for lead in cohort
            if before in reached[lead] and after in reached[lead]
        ]
        medians[after] = statistics.median(spans) if spans else None
    return {"counts": counts, "medians": medians}


def deal_dimensions() -> dict[int, dict]:
    by_deal = {h.deal_id: h for h in Handoff.objects.filter(deal__isnull=False).select_related("lead")}
    result = {}
    for deal in Deal.objects.select_related("stage"):
        handoff = by_deal.get(deal.pk)
        result[deal.pk] = {
            "deal": deal,
            "team": deal.team_id,
            "rep": deal.owner_id,
            "channel": handoff.lead.source if handoff else "",
            "campaign": handoff.lead.first_touch_campaign_id if handoff else None,
            "lead": handoff.lead_id if handoff else None,
            "outcome": deal.stage.kind if deal.closed_at else "",
        }
    return result


def revenue(start: date, end: date, keep=lambda dims: True) -> dict:
    won = [
        info
        for info in deal_dimensions().values()
        if info["outcome"] == "won" and in_period(info["deal"].closed_at, start, end) and keep(info)
    ]
    lost = [
        info
        for info in deal_dimensions().values()
        if info["outcome"] == "lost" and in_period(info["deal"].closed_at, start, end) and keep(info)
    ]
    return {"won": len(won), "lost": len(lost), "amount": sum((info["deal"].amount for info in won), Decimal(0))}


def revenue_by_month(start: date, end: date) -> dict[date, Decimal]:
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for info in deal_dimensions().values():
        if info["outcome"] == "won" and in_period(info["deal"].closed_at, start, end):
            totals[day(info["deal"].closed_at).replace(day=1)] += info["deal"].amount
    return dict(totals)


def touch_weights(model: str, ages_days: list[float]) -> list[float]:
    """Weights of touches (oldest first) given their age in days at the deal's opening."""
    n = len(ages_days)
    if n == 1:
        return [1.0]
    if model == "first":
        return [1.0] + [0.0] * (n - 1)
    if model == "last":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear":
        return [1 / n] * n
    if model == "u_shaped":
        return [0.5, 0.5] if n == 2 else [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    raw = [2 ** (-age / 7) for age in ages_days]
    return [value / sum(raw) for value in raw]


def attributed(model: str, start: date, end: date, by: str = "channel", keep=lambda dims: True) -> dict:
    """Revenue credited per channel (or campaign id) to the deals won in the period."""
    totals: dict = defaultdict(Decimal)
    for info in deal_dimensions().values():
        deal = info["deal"]
        if info["outcome"] != "won" or not in_period(deal.closed_at, start, end) or not keep(info):
            continue
        touches = list(
            Touchpoint.objects.filter(lead_id=info["lead"], occurred_at__lte=deal.created_at).order_by(
                "occurred_at", "pk"
            )
        )
        if not touches:
            totals["" if by == "channel" else None] += deal.amount
            continue
        ages = [(deal.created_at - touch.occurred_at).total_seconds() / 86400 for touch in touches]
        weights = touch_weights(model, ages)
        parts = [(deal.amount * Decimal(w)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) for w in weights]
        parts[-1] += deal.amount - sum(parts)
        for touch, part in zip(touches, parts, strict=True):
            totals[touch.channel if by == "channel" else touch.campaign_id] += part
    return {key: value for key, value in totals.items() if value}


def sla(start: date, end: date) -> dict:
    counts = Counter()
    for offer in Offer.objects.all():
        if not in_period(offer.offered_at, start, end):
            continue
        counts["offers"] += 1
        if offer.state in ("accepted", "rejected"):
            counts["within" if offer.decided_at <= offer.due_at else "late"] += 1
        else:
            counts[offer.state] += 1
    return dict(counts)


def rejections(start: date, end: date) -> dict[str, int]:
    return dict(
        Counter(
            h.rejection_reason for h in Handoff.objects.filter(state="rejected") if in_period(h.decided_at, start, end)
        )
    )


def lead_time(start: date, end: date) -> dict[str, float]:
    """Median whole days from the lead's first MQL to the deal won, by lead source."""
    reached, spans = reached_at(), defaultdict(list)
    for info in deal_dimensions().values():
        deal = info["deal"]
        if info["outcome"] == "won" and in_period(deal.closed_at, start, end) and info["lead"]:
            mql = reached[info["lead"]].get("mql")
            if mql:
                spans[info["channel"]].append(whole_days(mql, deal.closed_at))
    return {channel: statistics.median(values) for channel, values in spans.items()}


def pipeline() -> dict[str, tuple[int, Decimal]]:
    stages = defaultdict(lambda: [0, Decimal(0)])
    for deal in Deal.objects.filter(closed_at__isnull=True).select_related("stage"):
        stages[deal.stage.name][0] += 1
        stages[deal.stage.name][1] += deal.amount
    return {name: (count, amount) for name, (count, amount) in stages.items()}
