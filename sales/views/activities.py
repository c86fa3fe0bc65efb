"""Work on a deal: log or schedule activities, mark them done, add notes, send playbook assets.

htmx requests get the updated panel of the deal page (or the activity's row); a plain form
post is redirected back, or shown the page again with the form's errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from .. import services
from ..forms import ActivityForm, NoteForm
from ..models import Activity, Deal, StageAsset
from .deals import activities_context, deal_detail, playbook, visible_deals

PAGE = "sales/deal_detail.html"


def _panel(request, deal: Deal, name: str, context: dict, status: int = 200):
    if request.htmx:
        return render(request, f"{PAGE}#{name}", {"deal": deal, **context}, status=status)
    if status >= 400:
        return deal_detail(request, deal.pk, forms=context, status=status)
    return HttpResponseRedirect(deal.get_absolute_url(), status=303)


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def activity_add(request, pk: int):
    deal = get_object_or_404(visible_deals(request.user), pk=pk)
    form = ActivityForm(request.POST)
    done = request.POST.get("action") == "done"
    if form.is_valid():
        try:
            activity = services.log_activity(
                deal_id=deal.pk,
                by=request.user,
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                due_at=form.cleaned_data["due_at"],
                details=form.cleaned_data["details"],
                done=done,
            )
        except ValidationError as error:
            put_on_form(form, error)
        else:
            verb = "Logged" if done else "Scheduled"
            note = f"{verb}: {activity.get_kind_display().lower()} “{activity.subject}”."
            if not request.htmx:
                messages.success(request, note)
            context = {
                **activities_context(deal),
                "activity_form": ActivityForm(initial={"kind": form.cleaned_data["kind"]}),
                "activity_note": note,
            }
            return _panel(request, deal, "activities-panel", context)
    return _panel(request, deal, "activities-panel", {**activities_context(deal), "activity_form": form}, status=400)


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def activity_done(request, pk: int):
    visible = Activity.objects.filter(deal__in=Deal.objects.visible_to(request.user))
    activity = get_object_or_404(visible, pk=pk)
    activity = services.complete_activity(activity_id=activity.pk, by=request.user)
    if request.htmx:
        return render(request, "sales/_activity.html", {"activity": activity, "now": timezone.now(), "just_done": True})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("sales:deal-detail", args=[activity.deal_id])
    return HttpResponseRedirect(target, status=303)


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def note_add(request, pk: int):
    deal = get_object_or_404(visible_deals(request.user), pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(deal_id=deal.pk, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            put_on_form(form, error)
        else:
            return _panel(
                request, deal, "notes-panel", {"notes": deal.notes.select_related("author"), "note_form": NoteForm()}
            )
    return _panel(
        request, deal, "notes-panel", {"notes": deal.notes.select_related("author"), "note_form": form}, status=400
    )


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def asset_sent(request, pk: int, asset_pk: int):
    deal = get_object_or_404(visible_deals(request.user), pk=pk)
    get_object_or_404(StageAsset, pk=asset_pk)
    error = ""
    try:
        services.mark_asset_sent(deal_id=deal.pk, asset_id=asset_pk, by=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if not request.htmx and error:
        messages.error(request, error)
    status = 400 if error else 200
    if request.htmx or error:
        return _panel(
            request, deal, "playbook-panel", {"playbook": playbook(deal), "playbook_error": error}, status=status
        )
    return HttpResponseRedirect(deal.get_absolute_url(), status=303)
