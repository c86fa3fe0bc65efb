"""Scorecards: how sales judged the leads of each source, campaign and lead type.

Marketers and admins read the rollup (kept current by events and rebuilt nightly); a sales
manager's view is computed live over their teams' handoffs, a salesperson's over their own.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from marketing.models import Campaign

from ..models import Dimension, ScorecardRow
from ..scorecards import Scope, compute_rows

VIEW = "handoff.view_scorecard"
# column → (label, how to sort); None sorts last whatever the direction.
COLUMNS = {
    "label": "Group",
    "leads": "Leads",
    "mqls": "MQLs",
    "offered": "Offered",
    "accepted_pct": "Accepted",
    "sql_won_pct": "SQL→won",
    "offered_won_pct": "Won",
    "lead_time_days": "Lead time",
    "revenue": "Revenue",
    "cost": "Cost",
    "roi": "ROI",
    "avg_rating": "Rating",
}
TABS = [Dimension.SOURCE, Dimension.CAMPAIGN, Dimension.LEAD_TYPE, Dimension.SEGMENT, Dimension.INDUSTRY, Dimension.REP]
MAX_ROWS = 200
# A lead type needs this many leads handed to sales before it can be called "best".
BEST_MIN_OFFERED = 3


def scope_for(user) -> Scope | None:
    """None: the rollup (everything). Otherwise the user's own slice, computed live."""
    if user.is_superuser or user.has_perm("marketing.view_all_leads"):
        return None
    if user.has_perm("handoff.view_dashboard"):
        return Scope.of_handoffs(Q(team__manager=user))
    return Scope.of_handoffs(Q(assignee=user))


def rows_for(user, dimension: str, *, keys: set[str] | None = None) -> list[ScorecardRow]:
    scope = scope_for(user)
    if scope is None:
        stored = ScorecardRow.objects.filter(dimension=dimension)
        if keys is not None:
            stored = stored.filter(key__in=keys)
        return list(stored)
    return compute_rows(dimension, keys=keys, scope=scope)


def _sorted(rows: list[ScorecardRow], column: str, descending: bool) -> list[ScorecardRow]:
    present = [row for row in rows if getattr(row, column) is not None]
    missing = [row for row in rows if getattr(row, column) is None]
    key = (lambda row: row.label.casefold()) if column == "label" else (lambda row: getattr(row, column))
    return sorted(present, key=key, reverse=descending) + missing


def best_of(rows: list[ScorecardRow], count: int = 3) -> list[ScorecardRow]:
    """Most of their leads handed to sales end up won; ties: faster, then better rated."""
    ranked = [row for row in rows if row.offered >= BEST_MIN_OFFERED and row.offered_won_pct is not None]
    ranked.sort(key=lambda row: (-row.offered_won_pct, row.lead_time_days or 1e9, -(row.avg_rating or 0)))
    return ranked[:count]


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def scorecards(request):
    dimension = request.GET.get("by", Dimension.SOURCE)
    column = request.GET.get("sort", "offered_won_pct")
    order = request.GET.get("dir", "desc")
    problems = []
    if dimension not in TABS:
        problems.append("Choose what to group by (by).")
        dimension = Dimension.SOURCE
    if column not in COLUMNS:
        problems.append("Sort by one of the table's columns (sort).")
        column = "offered_won_pct"
    if order not in ("asc", "desc"):
        problems.append("Sort ascending or descending (dir).")
        order = "desc"
    rows = rows_for(request.user, dimension)
    lead_types = rows if dimension == Dimension.LEAD_TYPE else rows_for(request.user, Dimension.LEAD_TYPE)
    sources = rows if dimension == Dimension.SOURCE else rows_for(request.user, Dimension.SOURCE)
    ordered = _sorted(rows, column, order == "desc")
    chart = [row for row in best_of(sources, count=len(sources)) if row.offered_won_pct is not None]
    widest = max([row.offered_won_pct for row in chart] + [1])
    slowest = max([row.lead_time_days or 0 for row in chart] + [1])
    context = {
        "dimension": dimension,
        "dimension_label": Dimension(dimension).label,
        "tabs": [(tab, Dimension(tab).label) for tab in TABS],
        "columns": COLUMNS,
        "sort": column,
        "dir": order,
        "rows": ordered[:MAX_ROWS],
        "cut": max(len(ordered) - MAX_ROWS, 0),
        "best": best_of(lead_types),
        "best_min": BEST_MIN_OFFERED,
        "chart": [
            (row, round(100 * row.offered_won_pct / widest, 1), round(100 * (row.lead_time_days or 0) / slowest, 1))
            for row in chart
        ],
        "scope": "all" if scope_for(request.user) is None else "own",
        "refreshed_at": max((row.refreshed_at for row in rows), default=None),
        "problems": problems,
        "has_spend": any(row.cost_basis in ("spend", "mixed") for row in rows),
    }
    return render(request, "insights/scorecards.html", context, status=400 if problems else 200)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def campaign_scorecard(request, pk: int):
    """Fragment for the campaign page: how sales judged this campaign's leads."""
    campaign = get_object_or_404(Campaign, pk=pk)
    rows = rows_for(request.user, Dimension.CAMPAIGN, keys={str(campaign.pk)})
    context = {"campaign": campaign, "row": rows[0] if rows else None}
    return render(request, "insights/_campaign_scorecard.html", context)
