"""Scorecard numbers computed from the raw rows: leads, stage history, handoffs, feedback.

The one computation both the incremental refresh (some keys) and the nightly rebuild (all
keys) use, so that a refreshed row always equals a recomputation from scratch.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from handoff.models import Feedback, Handoff
from marketing.models import Campaign, Lead, LeadStageChange
from marketing.models import Stage as LeadStage

from ..models import Dimension, ScorecardRow
from .costs import campaign_costs
from .groups import NO_CAMPAIGN, feedback_key_expression, handoff_key_expression, key_expression, label_of

CENT = Decimal("0.01")
REACHED_SQL = (LeadStage.SQL, LeadStage.OPPORTUNITY, LeadStage.CUSTOMER)


@dataclass(frozen=True)
class Scope:
    """Which leads count: everything (marketers), a manager's teams, a rep's own handoffs."""

    leads: Q = field(default_factory=Q)
    handoffs: Q = field(default_factory=Q)
    feedback: Q = field(default_factory=Q)
    everything: bool = True

    @classmethod
    def of_handoffs(cls, handoffs: Q) -> "Scope":
        """Leads handed to the handoffs matching `handoffs` (a Q on Handoff)."""
        lead_ids = Handoff.objects.filter(handoffs).values("lead_id")
        feedback = Q(handoff__in=Handoff.objects.filter(handoffs).values("pk"))
        return cls(leads=Q(pk__in=lead_ids), handoffs=handoffs, feedback=feedback, everything=False)


def compute_rows(
    dimension: str, *, keys: set[str] | None = None, scope: Scope | None = None, now: datetime | None = None
) -> list[ScorecardRow]:
    """Unsaved scorecard rows of `dimension` (only `keys` if given), from the raw rows."""
    scope = scope or Scope()
    now = now or timezone.now()
    # A duplicate merged into another lead is the same person: counted once, as the lead it joined.
    leads = Lead.objects.filter(scope.leads, merged_into__isnull=True).annotate(k=key_expression(dimension))
    handoffs = Handoff.objects.filter(scope.handoffs).annotate(k=handoff_key_expression(dimension))
    feedback = Feedback.objects.filter(scope.feedback, rating__isnull=False).annotate(
        k=feedback_key_expression(dimension)
    )
    if keys is not None:
        keys = {str(key) for key in keys}
        leads, handoffs, feedback = leads.filter(k__in=keys), handoffs.filter(k__in=keys), feedback.filter(k__in=keys)
    else:
        leads, handoffs, feedback = leads.exclude(k=None), handoffs.exclude(k=None), feedback.exclude(k=None)

    rows: dict[str, ScorecardRow] = defaultdict(lambda: ScorecardRow(dimension=dimension, refreshed_at=now))
    _lead_counts(leads, rows)
    _handoff_counts(handoffs, rows)
    _ratings(feedback, rows)
    _lead_times(leads, rows)
    _costs(dimension, leads, rows, keys=keys, everything=scope.everything)
    names = _names(dimension, set(rows))
    result = []
    for key, row in sorted(rows.items()):
        row.key = key
        row.label = label_of(dimension, key, names)[:200]
        result.append(row)
    return result


def _lead_counts(leads, rows) -> None:
    is_mql = Exists(LeadStageChange.objects.filter(lead=OuterRef("pk"), stage=LeadStage.MQL))
    is_sql = Exists(LeadStageChange.objects.filter(lead=OuterRef("pk"), stage__in=REACHED_SQL))
    counts = (
        leads.annotate(is_mql=is_mql, is_sql=is_sql)
        .values("k")
        .annotate(
            n=Count("*"),
            mqls=Count("pk", filter=Q(is_mql=True)),
            sqls=Count("pk", filter=Q(is_sql=True)),
            won=Count("pk", filter=Q(outcome=Lead.Outcome.WON)),
            lost=Count("pk", filter=Q(outcome=Lead.Outcome.LOST)),
            revenue=Sum("outcome_amount", filter=Q(outcome=Lead.Outcome.WON)),
        )
        .order_by()
    )
    for item in counts:
        row = rows[item["k"]]
        row.leads, row.mqls, row.sqls = item["n"], item["mqls"], item["sqls"]
        row.won, row.lost = item["won"], item["lost"]
        row.revenue = (item["revenue"] or Decimal(0)).quantize(CENT)


def _handoff_counts(handoffs, rows) -> None:
    counts = (
        handoffs.values("k")
        .annotate(
            offered=Count("pk", filter=Q(offered_at__isnull=False)),
            accepted=Count("pk", filter=Q(state=Handoff.State.ACCEPTED)),
            rejected=Count("pk", filter=Q(state=Handoff.State.REJECTED)),
        )
        .order_by()
    )
    for item in counts:
        row = rows[item["k"]]
        row.offered, row.accepted, row.rejected = item["offered"], item["accepted"], item["rejected"]
    reasons = (
        handoffs.filter(state=Handoff.State.REJECTED).values("k", "rejection_reason").annotate(n=Count("*")).order_by()
    )
    for item in reasons:
        row = rows[item["k"]]
        row.rejection_reasons = {**row.rejection_reasons, item["rejection_reason"]: item["n"]}


def _ratings(feedback, rows) -> None:
    for item in feedback.values("k").annotate(total=Sum("rating"), n=Count("*")).order_by():
        row = rows[item["k"]]
        row.rating_sum, row.rating_count = item["total"], item["n"]


def _lead_times(leads, rows) -> None:
    """Median days from MQL to won: the MQL is the last one before the win (a lead may cycle)."""
    mql_at = Subquery(
        LeadStageChange.objects.filter(lead=OuterRef("pk"), stage=LeadStage.MQL, entered_at__lte=OuterRef("outcome_at"))
        .order_by("-entered_at")
        .values("entered_at")[:1]
    )
    days = defaultdict(list)
    won = leads.filter(outcome=Lead.Outcome.WON, outcome_at__isnull=False).annotate(mql_at=mql_at)
    for key, qualified, closed in won.values_list("k", "mql_at", "outcome_at"):
        if qualified is not None:
            days[key].append((closed - qualified).total_seconds() / 86400)
    for key, values in days.items():
        rows[key].lead_time_days = statistics.median(values)


def _costs(dimension: str, leads, rows, *, keys: set[str] | None, everything: bool) -> None:
    """Each lead carries an equal share of its first-touch campaign's cost (spend, else budget)."""
    if dimension == Dimension.CAMPAIGN and everything:
        campaign_ids = [int(key) for key in (keys if keys is not None else rows) if key != NO_CAMPAIGN]
        if keys is None:
            campaign_ids = list(Campaign.objects.values_list("pk", flat=True))
        for campaign_id, (amount, basis) in campaign_costs(campaign_ids).items():
            row = rows[str(campaign_id)]
            row.cost, row.cost_basis = amount.quantize(CENT), basis
        return
    per_campaign = (
        leads.exclude(first_touch_campaign=None)
        .values("k", "first_touch_campaign_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    shares = [(item["k"], item["first_touch_campaign_id"], item["n"]) for item in per_campaign]
    campaign_ids = {campaign_id for _k, campaign_id, _n in shares}
    if not campaign_ids:
        return
    totals = dict(
        Lead.objects.filter(first_touch_campaign_id__in=campaign_ids, merged_into__isnull=True)
        .values_list("first_touch_campaign_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    costs = campaign_costs(campaign_ids)
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    bases: dict[str, set[str]] = defaultdict(set)
    for key, campaign_id, n in shares:
        amount, basis = costs[campaign_id]
        allocated[key] += amount * n / totals[campaign_id]
        if amount:
            bases[key].add(basis)
    for key, amount in allocated.items():
        row = rows[key]
        row.cost = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        row.cost_basis = bases[key].pop() if len(bases[key]) == 1 else ("mixed" if bases[key] else "")


def _names(dimension: str, keys: set[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    if dimension == Dimension.CAMPAIGN:
        return {f"campaign:{pk}": name for pk, name in Campaign.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dimension == Dimension.REP:
        users = get_user_model().objects.filter(pk__in=ids)
        return {f"user:{user.pk}": user.get_full_name() or user.username for user in users}
    return {}
