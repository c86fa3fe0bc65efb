"""The pipeline board: one column per open stage; cards move by drag and drop, or by choosing a stage in a
card's "Move to" select and confirming with Enter or its Move button.

Every move goes through services.move_deal with the card's version, so a stale card or an
illegal move is refused and the board is drawn again from the database (the card snaps
back). The query count does not grow with the number of deals: one aggregate for the
column totals, one capped query per column for the cards, and a few for the filters.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from guards.dates import DateField

from .. import services
from ..errors import DealConflict, StageMoveNotAllowed
from ..models import Deal, Pipeline, SalesRep, Stage, Team
from .money import ordered

CARDS_PER_COLUMN = 50


class BoardFilters(forms.Form):
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.all(), required=False, empty_label=None)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Everyone")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    month = DateField(  # bounded: the month after 9999-12 overflowed (a 500)
        required=False,
        input_formats=["%Y-%m"],
        label="Expected close",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Pick a month (YYYY-MM)."},
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        reps = SalesRep.objects.all() if user.is_superuser else SalesRep.objects.filter(team__manager=user)
        owner_ids = reps.values("user_id")
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(Q(pk__in=owner_ids) | Q(pk=user.pk)).order_by("first_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["team"].queryset = Team.objects.all() if user.is_superuser else Team.objects.filter(manager=user)
        self.shows_people = user.is_superuser or self.fields["team"].queryset.exists()


def filtered(deals, chosen: dict):
    """`deals` narrowed by the board's owner, team and expected-close month (the deal list applies them too)."""
    if chosen.get("owner"):
        deals = deals.filter(owner=chosen["owner"])
    if chosen.get("team"):
        deals = deals.filter(team=chosen["team"])
    if chosen.get("month"):
        first = chosen["month"].replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        deals = deals.filter(expected_close__gte=first, expected_close__lt=following)
    return deals


def board_context(request, data) -> dict:
    user = request.user
    filters = BoardFilters(data, user=user)
    valid = filters.is_valid()
    chosen = filters.cleaned_data if valid else {}
    pipeline = chosen.get("pipeline") or services.default_pipeline()
    deals = filtered(Deal.objects.visible_to(user).open().filter(pipeline=pipeline), chosen)

    stages = list(pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("order"))
    now = timezone.now()
    quiet_before = now - datetime.timedelta(days=settings.LEADFLOW_STALE_DEAL_DAYS)
    probability = {stage.pk: stage.probability for stage in stages}
    totals, quiet_count = {}, 0
    # One pass over the visible open deals, without joining the stage: a column's weighted
    # amount is its total times the stage's probability.
    for row in (
        deals.values("stage_id", "currency")
        .annotate(n=Count("*"), total=Sum("amount"), quiet=Count("pk", filter=Q(last_activity_at__lt=quiet_before)))
        .order_by()
    ):
        row["weighted"] = row["total"] * probability.get(row["stage_id"], 0) / 100
        quiet_count += row["quiet"]
        totals.setdefault(row["stage_id"], []).append(row)
    # The same table the services check a move against; the columns list only open stages,
    # so won and lost (closed on the deal page) never appear as a card's move.
    moves = services.transition_table(pipeline_id=pipeline.pk)

    # A column's "N more" opens the deal list with the same filters, so its rows are that N.
    query = {key: value for key, value in (data or {}).items() if key in BoardFilters.base_fields and value}
    drill_down = {key: value for key, value in query.items() if key != "pipeline"}
    list_url = reverse("sales:deal-list")
    # reverse() per card was a tenth of the page's time: reverse once, fill in each id.
    move_url = reverse("sales:board-move", args=[987654321]).replace("987654321", "{}")
    deal_url = reverse("sales:deal-detail", args=[987654321]).replace("987654321", "{}")
    columns, summary = [], {}
    for stage in stages:
        cards = list(
            deals.filter(stage=stage)
            .select_related("owner")
            .order_by(F("expected_close").asc(nulls_last=True), "id")[:CARDS_PER_COLUMN]
        )
        allowed = [s for s in stages if s.pk in moves.get(stage.pk, ())]
        for card in cards:
            card.move_url, card.url = move_url.format(card.pk), deal_url.format(card.pk)
            card.quiet_days = (
                (now - card.last_activity_at).days
                if card.last_activity_at and card.last_activity_at < quiet_before
                else 0
            )
        rows = ordered(totals.get(stage.pk, []), key="total")
        for row in rows:
            entry = summary.setdefault(
                row["currency"], {"currency": row["currency"], "total": 0, "weighted": 0, "n": 0}
            )
            entry["total"] += row["total"] or 0
            entry["weighted"] += row["weighted"] or 0
            entry["n"] += row["n"]
        count = sum(row["n"] for row in rows)
        columns.append(
            {
                "stage": stage,
                "cards": cards,
                "count": count,
                "more": max(count - len(cards), 0),
                "more_url": f"{list_url}?{urlencode({'stage': stage.pk, **drill_down})}",
                "totals": rows,
                "allowed": allowed,
                "allowed_ids": " ".join(str(s.pk) for s in allowed),
            }
        )
    return {
        "filters": filters,
        "pipeline": pipeline,
        "pipelines": Pipeline.objects.all(),
        "columns": columns,
        "summary": ordered(list(summary.values()), key="total"),
        "deal_count": sum(column["count"] for column in columns),
        "quiet_count": quiet_count,
        "stale_days": settings.LEADFLOW_STALE_DEAL_DAYS,
        "today": timezone.localdate(),
        "query": urlencode(query),
        "filtered": bool(set(query) - {"pipeline"}),
        # Rendered once, not included once per card.
        "icons": {name: render_to_string("sales/_icon.html", {"name": name}) for name in ("clock", "flag")},
    }


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def board(request):
    context = board_context(request, request.GET)
    status = 200 if context["filters"].is_valid() else 400
    template = "sales/board.html#board" if request.htmx and request.htmx.target == "board" else "sales/board.html"
    return render(request, template, context, status=status)


class BoardMoveForm(forms.Form):
    stage = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def board_move(request, pk: int):
    deal = get_object_or_404(Deal.objects.visible_to(request.user).select_related("stage"), pk=pk)
    form = BoardMoveForm(request.POST)
    status, note, error = 200, "", ""
    if not form.is_valid():
        status = 400
        error = (
            "Choose the stage to move it to."
            if "stage" in form.errors
            else "This board is out of date. Reload the page and try again."
        )
    else:
        to_stage = Stage.objects.filter(pk=form.cleaned_data["stage"], pipeline_id=deal.pipeline_id).first()
        try:
            if to_stage is None:
                raise ValidationError("That stage is not in this deal's pipeline.")
            services.move_deal(
                deal_id=deal.pk, to_stage_id=to_stage.pk, by=request.user, expected_version=form.cleaned_data["version"]
            )
            note = f"Moved {deal.title} to {to_stage.name}."
        except ValidationError as refused:
            status, error = 400, " ".join(refused.messages)
        except (DealConflict, StageMoveNotAllowed) as refused:
            status, error = refused.http_status, str(refused)
    filters = {key: request.POST[key] for key in BoardFilters.base_fields if request.POST.get(key)}
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or note)
        query = f"?{urlencode(filters)}" if filters else ""
        return HttpResponseRedirect(f"{reverse('sales:board')}{query}", status=303)
    context = board_context(request, filters)
    context.update(
        {"moved_id": deal.pk, "board_note": note, "board_error": error and f"{error} The card is back where it was."}
    )
    return render(request, "sales/board.html#board", context, status=status)
