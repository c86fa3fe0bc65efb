"""Forecast: weighted pipeline by expected close month, per rep and team, against what was won.

One currency at a time (sums never mix currencies). A salesperson sees their own numbers,
a manager their teams', an admin everyone's — the same scope as the deal list.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import render
from django.utils import timezone

from ..models import Deal, Stage, Team
from .money import WEIGHTED

MONTHS_BACK, MONTHS_AHEAD = 3, 5
CHART_HEIGHT, BAR_AREA = 220, 180


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class ForecastFilters(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All my teams")
    currency = forms.ChoiceField(choices=(), required=False)

    def __init__(self, *args, user, currencies: list[str], **kwargs):
        kwargs.setdefault("auto_id", "forecast-%s")
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.all() if user.is_superuser else Team.objects.filter(manager=user)
        self.fields["currency"].choices = [(code, code) for code in currencies]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def forecast(request):
    user = request.user
    deals = Deal.objects.visible_to(user)
    currencies = sorted(set(deals.values_list("currency", flat=True).distinct()) | {settings.LEADFLOW_CURRENCY})
    filters = ForecastFilters(request.GET or None, user=user, currencies=currencies)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    currency = chosen.get("currency") or settings.LEADFLOW_CURRENCY
    deals = deals.filter(currency=currency)
    if chosen.get("team"):
        deals = deals.filter(team=chosen["team"])

    this_month = timezone.localdate().replace(day=1)
    months = [add_months(this_month, offset) for offset in range(-MONTHS_BACK, MONTHS_AHEAD + 1)]
    start, end = months[0], add_months(months[-1], 1)
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    end_at = timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))

    cells: dict[tuple, dict] = {}

    def cell(owner_id, team_id, month) -> dict:
        return cells.setdefault(
            (owner_id, team_id, month), {"weighted": 0, "pipeline": 0, "open": 0, "won": 0, "won_count": 0}
        )

    open_deals = deals.open()
    for row in (
        open_deals.filter(expected_close__gte=this_month, expected_close__lt=end)
        .values("owner_id", "team_id", month=TruncMonth("expected_close"))
        .annotate(weighted=Sum(WEIGHTED), pipeline=Sum("amount"), n=Count("*"))
        .order_by()
    ):
        entry = cell(row["owner_id"], row["team_id"], _as_date(row["month"]))
        entry.update(weighted=row["weighted"] or 0, pipeline=row["pipeline"] or 0, open=row["n"])
    for row in (
        open_deals.filter(expected_close__lt=this_month)
        .values("owner_id", "team_id")
        .annotate(weighted=Sum(WEIGHTED), pipeline=Sum("amount"), n=Count("*"))
        .order_by()
    ):
        entry = cell(row["owner_id"], row["team_id"], "slipped")
        entry.update(weighted=row["weighted"] or 0, pipeline=row["pipeline"] or 0, open=row["n"])
    for row in (
        deals.filter(stage__kind=Stage.Kind.WON, closed_at__gte=start_at, closed_at__lt=end_at)
        .values("owner_id", "team_id", month=TruncMonth("closed_at"))
        .annotate(won=Sum("amount"), n=Count("*"))
        .order_by()
    ):
        entry = cell(row["owner_id"], row["team_id"], _as_date(row["month"]))
        entry.update(won=row["won"] or 0, won_count=row["n"])

    people = {u.pk: u for u in get_user_model().objects.filter(pk__in={key[0] for key in cells})}
    teams = {t.pk: t for t in Team.objects.filter(pk__in={key[1] for key in cells if key[1]})}
    columns = ["slipped", *months]
    groups = _group(cells, columns, people, teams)
    totals = _sum_row([row for group in groups for row in group["reps"]], columns)
    context = {
        "filters": filters,
        "currency": currency,
        "months": months,
        "this_month": this_month,
        "columns": columns,
        "groups": groups,
        "totals": totals,
        "chart": _chart(months, totals, this_month),
        "ahead": {key: sum(totals[m][key] for m in months if m >= this_month) for key in ("weighted", "pipeline")},
        "months_ahead": MONTHS_AHEAD + 1,
        "show_teams": len(groups) > 1 or user.is_superuser or filters.fields["team"].queryset.exists(),
    }
    # A filter naming a team or currency outside one's choices is refused (400), like the board's.
    return render(request, "sales/forecast.html", context, status=400 if filters.errors else 200)


def _sum_row(rows: list[dict], columns: list) -> dict:
    summed = {}
    for column in columns:
        summed[column] = {
            key: sum(row["cells"][column][key] for row in rows)
            for key in ("weighted", "pipeline", "open", "won", "won_count")
        }
    summed["total"] = {
        key: sum(summed[column][key] for column in columns)
        for key in ("weighted", "pipeline", "open", "won", "won_count")
    }
    return summed


def _group(cells: dict, columns: list, people: dict, teams: dict) -> list[dict]:
    blank = {"weighted": 0, "pipeline": 0, "open": 0, "won": 0, "won_count": 0}
    reps: dict[tuple, dict] = {}
    for (owner_id, team_id, column), values in cells.items():
        row = reps.setdefault(
            (team_id, owner_id), {"user": people.get(owner_id), "cells": {c: dict(blank) for c in columns}}
        )
        row["cells"][column] = values
    for row in reps.values():
        row["cells"]["total"] = {key: sum(row["cells"][c][key] for c in columns) for key in blank}
    groups: dict = {}
    for (team_id, _owner_id), row in sorted(reps.items(), key=lambda item: -item[1]["cells"]["total"]["weighted"]):
        groups.setdefault(team_id, {"team": teams.get(team_id), "reps": []})["reps"].append(row)
    result = sorted(groups.values(), key=lambda group: group["team"].name if group["team"] else "~")
    for group in result:
        group["totals"] = _sum_row(group["reps"], columns)
    return result


def _chart(months: list, totals: dict, this_month: datetime.date) -> dict:
    """Bar geometry for the server-rendered SVG: won and weighted pipeline side by side per month."""
    peak = max([totals[m]["won"] for m in months] + [totals[m]["weighted"] for m in months] + [1])
    slot, bar = 84, 26
    bars = []
    for index, month in enumerate(months):
        x = 48 + index * slot
        won_h = round(BAR_AREA * float(totals[month]["won"]) / float(peak), 1)
        weighted_h = round(BAR_AREA * float(totals[month]["weighted"]) / float(peak), 1)
        bars.append(
            {
                "month": month,
                "current": month == this_month,
                "won": {"x": x, "y": 20 + BAR_AREA - won_h, "h": won_h, "value": totals[month]["won"]},
                "weighted": {
                    "x": x + bar + 4,
                    "y": 20 + BAR_AREA - weighted_h,
                    "h": weighted_h,
                    "value": totals[month]["weighted"],
                },
                "label_x": x + bar + 2,
                "band_x": x - 12,
            }
        )
    ticks = [{"y": 20 + BAR_AREA - BAR_AREA * step / 4, "value": float(peak) * step / 4} for step in range(5)]
    return {
        "bars": bars,
        "ticks": ticks,
        "width": 48 + len(months) * slot + 8,
        "height": CHART_HEIGHT + 20,
        "bar": bar,
        "base": 20 + BAR_AREA,
        "band": slot,
        "empty": peak == 1 and not any(totals[m]["won"] or totals[m]["weighted"] for m in months),
    }
