"""The dashboard page: filters, headline numbers and one panel per widget of the user's view."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from ..widgets import compute, rollup_state
from . import common
from .present import decorate


@login_required
def overview(request):
    asked = common.read(request)
    state = rollup_state()
    context = {
        "form": asked.form,
        "scope": asked.scope,
        "state": state,
        "stale_minutes": _minutes_since(state.refreshed_at) if state and state.refreshed_at else None,
    }
    filters = asked.filters
    page = "insights/dashboard/overview.html"
    partial = f"{page}#main" if request.htmx and not request.htmx.boosted else page
    if filters is None:
        return render(request, partial, context, status=400)
    data = compute(filters, asked.scope, state=state)
    context.update(filters=filters, w=decorate(data, filters, asked.scope))
    return render(request, partial, context)


def _minutes_since(moment) -> int:
    return int((timezone.now() - moment).total_seconds() // 60)
