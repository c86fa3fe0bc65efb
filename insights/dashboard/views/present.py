"""Widget data → what the templates draw: chart geometry and a drill-down link per number."""

from ..charts import columns, donut, share, short_number, spark_y, sparkline
from ..filters import Filters
from ..rollups.attribution import MODELS
from ..scope import Scope
from .common import link


def decorate(data: dict, filters: Filters, scope: Scope) -> dict:
    shown = {}
    for name, widget in data.items():
        present = PRESENTERS.get(name)
        shown[name] = present(widget, filters, scope) if present else widget
    return shown


def _revenue(widget, filters, scope):
    """Bars by week or month; each links to the deals won then (marketers see aggregates only)."""
    weekly = widget["unit"] == "week"
    points = []
    for bucket in widget["months"]:
        period = {"period": "custom", "start": bucket["start"].isoformat(), "end": bucket["end"].isoformat()}
        bucket["url"] = link("dashboard:deals", filters, outcome="won", **period) if scope.sees_deals else ""
        when = f"Week of {bucket['month']:%b %-d}" if weekly else f"{bucket['month']:%B %Y}"
        bucket["label"] = when
        title = f"{when}: {short_number(bucket['amount'], True)} from {bucket['won']} deals won"
        points.append(
            (_tick_label(bucket["month"], weekly, len(widget["months"])), bucket["amount"], title, bucket["url"])
        )
    # Alone on its row (no pipeline beside it) the chart is twice as wide: draw it so, or the
    # SVG would scale its text up with it.
    width = 640 if "pipeline" in scope.widgets else 1280
    bars, ticks = columns(points, width=width)
    for bar, bucket in zip(bars, widget["months"], strict=True):
        bar.count, bar.total = bucket["won"], bucket["amount"]
    won_url = link("dashboard:deals", filters, outcome="won") if scope.sees_deals else ""
    lost_url = link("dashboard:deals", filters, outcome="lost") if scope.sees_deals else ""
    return {**widget, "bars": bars, "ticks": ticks, "won_url": won_url, "lost_url": lost_url, "width": width}


def _tick_label(first, weekly: bool, count: int) -> str:
    """Axis labels that fit: every week or month while few, fewer as they grow."""
    if weekly:
        return f"{first:%b %-d}" if count <= 9 or first.day <= 7 else ""
    if count <= 14:
        return f"{first:%b}" if count <= 12 else f"{first:%b %y}"
    return f"{first:%b %y}" if first.month in (1, 7) else ""


def _pipeline(widget, filters, scope):
    top = max((stage["amount"] for stage in widget["stages"]), default=0)
    for stage in widget["stages"]:
        stage["width"] = share(stage["amount"], top)
        stage["weighted_width"] = share(stage["weighted"], top)
        stage["url"] = link("dashboard:deals", filters, outcome="open", stage=stage["stage_id"])
    return {**widget, "url": link("dashboard:deals", filters, outcome="open")}


def _funnel(widget, filters, scope):
    height, gap = 34, 10
    for index, stage in enumerate(widget["stages"]):
        width = max(stage["of_top"] or 0, 0.6)
        stage.update(width=width, x=round((100 - width) / 2, 2), y=index * (height + gap), h=height)
        stage["url"] = link("dashboard:leads", filters, reached=stage["stage"])
        if index:
            stage["dropped_url"] = link("dashboard:leads", filters, dropped=stage["stage"])
            stage["previous_label"] = widget["stages"][index - 1]["label"]
    return {**widget, "chart_height": len(widget["stages"]) * (height + gap) - gap}


def _attributed(widget, filters, scope, key):
    rows = widget["rows"]
    top = max([row["revenue"] for row in rows] + [row["spend"] or 0 for row in rows] + [0])
    for row in rows:
        row["revenue_width"] = share(row["revenue"], top)
        row["spend_width"] = share(row["spend"] or 0, top)
        if scope.sees_deals and row["revenue"]:
            touch = {f"touch_{key}": row["key"] if row["key"] not in ("", None) else "none"}
            row["url"] = link("dashboard:deals", filters, outcome="won", **touch)
    return widget


def _channels(widget, filters, scope):
    widget = _attributed(widget, filters, scope, "channel")
    widget["model_tabs"] = [
        {
            "label": model.label,
            "url": link("dashboard:overview", filters, model=model.key),
            "current": model.key == filters.model,
        }
        for model in MODELS
    ]
    return widget


def _campaigns(widget, filters, scope):
    return _attributed(widget, filters, scope, "campaign")


def _sla(widget, filters, scope):
    parts = [("within", widget["within"]), ("late", widget["late"]), ("expired", widget["expired"])]
    widget["arcs"] = donut(parts) if widget["ended"] else []
    widget["spark"] = sparkline([week["percent"] for week in widget["trend"]])
    widget["target_y"] = spark_y(widget["target"])
    if scope.sees_deals:
        widget["urls"] = {
            state: link("dashboard:offers", filters, sla=state) for state in ("within", "late", "expired", "open")
        }
    return widget


def _rejections(widget, filters, scope):
    top = max((row["count"] for row in widget["reasons"]), default=0)
    for row in widget["reasons"]:
        row["width"] = share(row["count"], top)
        row["url"] = link("dashboard:rejections", filters, reason=row["reason"])
    return widget


def _leaderboard(widget, filters, scope):
    top = max((row["amount"] for row in widget["reps"]), default=0)
    for row in widget["reps"]:
        row["width"] = share(row["amount"], top)
        row["url"] = link("dashboard:deals", filters, outcome="won", rep=row["rep_id"])
    return widget


def _lead_time(widget, filters, scope):
    top = max((row["median"] or 0 for row in widget["sources"]), default=0)
    for row in widget["sources"]:
        row["width"] = share(row["median"], top)
        # A source is a channel filter; "no source" has none to choose, so it links nowhere.
        if scope.sees_deals and row["channel"] and (not filters.channel or filters.channel == row["channel"]):
            row["url"] = link("dashboard:deals", filters, outcome="won", lead_time="1", channel=row["channel"])
        else:
            row["url"] = ""
    return widget


PRESENTERS = {
    "revenue": _revenue,
    "pipeline": _pipeline,
    "funnel": _funnel,
    "channels": _channels,
    "campaigns": _campaigns,
    "sla": _sla,
    "rejections": _rejections,
    "leaderboard": _leaderboard,
    "lead_time": _lead_time,
}
