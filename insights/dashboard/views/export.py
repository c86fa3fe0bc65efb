"""One CSV per widget: the numbers of its table, for the same filters (formula-safe cells)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse

from guards.csvsafe import csv_lines

from ..widgets import compute, rollup_state
from . import common


def _revenue(w):
    yield ["Week starting" if w["unit"] == "week" else "Month", "Deals won", "Revenue won", "Deals lost"]
    for bucket in w["months"]:
        when = bucket["month"].isoformat() if w["unit"] == "week" else f"{bucket['month']:%Y-%m}"
        yield [when, bucket["won"], bucket["amount"], bucket["lost"]]


def _pipeline(w):
    yield ["Stage", "Probability %", "Open deals", "Amount", "Weighted forecast"]
    for stage in w["stages"]:
        yield [stage["name"], stage["probability"], stage["deals"], stage["amount"], stage["weighted"]]


def _funnel(w):
    yield ["Stage", "Leads", "% of leads", "% of previous stage", "Median days from previous stage"]
    for stage in w["stages"]:
        yield [stage["label"], stage["count"], stage["of_top"], stage["of_previous"], stage["median_days"]]


def _attributed(label):
    def rows(w):
        yield [label, "Revenue", "Deals (credited)", "Spend", "ROI %", "Revenue per $1", "Cost per acquisition"]
        for row in w["rows"]:
            yield [
                row["label"],
                row["revenue"],
                round(row["deals"], 2),
                row["spend"],
                row["roi"],
                row["per_dollar"],
                row["cpa"],
            ]

    return rows


def _sla(w):
    yield ["Offers", "Answered within SLA", "Answered late", "Expired", "Still open", "Compliance %"]
    yield [w["offers"], w["within"], w["late"], w["expired"], w["open"], w["percent"]]


def _rejections(w):
    yield ["Reason", "Rejections", "%"]
    for row in w["reasons"]:
        yield [row["label"], row["count"], row["percent"]]


def _leaderboard(w):
    yield ["Salesperson", "Deals won", "Revenue won", "Win rate %", "SLA %", "Open pipeline"]
    for row in w["reps"]:
        yield [row["name"], row["won"], row["amount"], row["win_rate"], row["sla"], row["pipeline"]]


def _lead_time(w):
    yield ["Source", "Deals won", "Median days MQL to won", "Average days"]
    for row in w["sources"]:
        yield [row["label"], row["deals"], row["median"], row["average"]]


EXPORTS = {
    "revenue": _revenue,
    "pipeline": _pipeline,
    "funnel": _funnel,
    "channels": _attributed("Channel"),
    "campaigns": _attributed("Campaign"),
    "sla": _sla,
    "rejections": _rejections,
    "leaderboard": _leaderboard,
    "lead_time": _lead_time,
}


@login_required
def export_csv(request, widget: str):
    asked = common.read(request)
    if widget not in EXPORTS or widget not in asked.scope.widgets:
        raise Http404("No such table on your dashboard.")
    filters = asked.filters
    if filters is None:
        errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in asked.form.errors.items())
        return HttpResponse(f"Check the filters: {errors}\n", status=400, content_type="text/plain; charset=utf-8")
    if widget == "campaigns":  # every campaign, not just the top ones the page shows
        from ..widgets.marketing import campaigns

        data = campaigns(filters, asked.scope, limit=None)
    else:
        data = compute(filters, asked.scope, state=rollup_state(), names=[widget])[widget]
    name = f"leadflow-{widget}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response = StreamingHttpResponse(csv_lines(EXPORTS[widget](data)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
