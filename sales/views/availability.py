"""Availability: a rep marks themselves away until a date; managers do it for their team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from .. import services
from ..forms import AvailabilityForm
from ..models import SalesRep


def _rep_form(rep: SalesRep, data=None) -> AvailabilityForm:
    initial = {"status": rep.status, "away_until": rep.away_until}
    return AvailabilityForm(data, initial=initial, auto_id=f"rep-{rep.pk}-%s", prefix=f"rep-{rep.pk}")


def _page(request, *, own_form=None, team_forms: dict | None = None, status: int = 200):
    user = request.user
    own = SalesRep.objects.filter(user=user).select_related("team").first()
    team = SalesRep.objects.managed_by(user).exclude(user=user).select_related("user", "team")
    team_forms = team_forms or {}
    context = {
        "own": own,
        "own_form": own_form
        or (AvailabilityForm(initial={"status": own.status, "away_until": own.away_until}) if own else None),
        "team": [{"rep": rep, "form": team_forms.get(rep.pk) or _rep_form(rep)} for rep in team],
        "today": timezone.localdate(),
    }
    return render(request, "sales/availability.html", context, status=status)


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def availability(request):
    return _page(request)


def _save(request, rep: SalesRep, form: AvailabilityForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.set_availability(
            user_id=rep.user_id, status=form.cleaned_data["status"], away_until=form.cleaned_data["away_until"]
        )
    except ValidationError as error:
        put_on_form(form, error)
        return False
    return True


@login_required
@permission_required("sales.view_deal", raise_exception=True)
@require_POST
def availability_own(request):
    rep = get_object_or_404(SalesRep, user=request.user)
    form = AvailabilityForm(request.POST)
    if not _save(request, rep, form):
        return _page(request, own_form=form, status=400)
    rep.refresh_from_db()
    if rep.status == SalesRep.Status.AWAY:
        until = f" until {rep.away_until:%A, %B} {rep.away_until.day}" if rep.away_until else ""
        messages.success(request, f"You are away{until}. You get no new leads meanwhile.")
    else:
        messages.success(request, "Welcome back: new leads come to you again.")
    return HttpResponseRedirect(reverse("sales:availability"), status=303)


@login_required
@permission_required("sales.view_deal", raise_exception=True)
@require_POST
def availability_rep(request, pk: int):
    rep = get_object_or_404(SalesRep.objects.managed_by(request.user).select_related("user"), pk=pk)
    form = _rep_form(rep, request.POST)
    if not _save(request, rep, form):
        return _page(request, team_forms={rep.pk: form}, status=400)
    rep.refresh_from_db()
    name = rep.user.get_full_name() or rep.user.username
    messages.success(request, f"{name} is now {rep.get_status_display().lower()}.")
    return HttpResponseRedirect(reverse("sales:availability"), status=303)
