"""The offer inbox: accept in one click, reject with a reason; htmx updates one card and the
page's counters (out of band). Each card's clock counts the team's working time."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from guards.errors import put_on_form

from .. import services
from ..brief import build_brief
from ..errors import OfferConflict
from ..forms import AcceptForm, OffersDueForm, RejectForm
from ..models import Handoff, TeamSettings
from ..recycling import all_rules
from ..services.sla import Countdown, countdown


def _offers(user):
    return (
        Handoff.objects.visible_to(user)
        .select_related("lead__first_touch_campaign", "assignee", "team", "duplicate_of")
        .prefetch_related("lead__touchpoints__campaign", "lead__merged_duplicates")
    )


def _clocks(handoffs, now) -> dict[int, Countdown]:
    """Each open offer's SLA clock, from its team's one SLA definition (one query for all teams)."""
    handoffs = [handoff for handoff in handoffs if handoff.state == Handoff.State.OFFERED and handoff.due_at]
    slas = TeamSettings.objects.slas({handoff.team_id for handoff in handoffs}) if handoffs else {}
    return {handoff.pk: countdown(due_at=handoff.due_at, sla=slas[handoff.team_id], now=now) for handoff in handoffs}


def _waiting(user) -> int:
    return Handoff.objects.visible_to(user).filter(state=Handoff.State.OFFERED).count()


def _card_context(handoff: Handoff, *, clock=None, accept_form=None, reject_form=None, error: str = "") -> dict:
    return {
        "offer": handoff,
        "clock": clock,
        "brief": build_brief(handoff.lead, handoff=handoff),
        "accept_form": accept_form or AcceptForm(),
        "reject_form": reject_form or RejectForm(),
        "error": error,
    }


def _card(request, handoff: Handoff, *, accept_form=None, reject_form=None, error: str = "", status: int = 200):
    """The offer's card for htmx; a plain form post gets the whole inbox page instead.

    Without htmx (no JavaScript) a bare fragment would replace the whole page: the
    error came back as an unstyled `<article>` with no layout, navigation or way back.
    """
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _inbox_page(request, {handoff.pk: {"accept_form": accept_form, "reject_form": reject_form}}, status)
    now = timezone.now()
    clock = _clocks([handoff], now).get(handoff.pk)
    context = _card_context(handoff, clock=clock, accept_form=accept_form, reject_form=reject_form, error=error)
    # The card, and the page's counters swapped out of band: a decision changes "Waiting".
    context |= {"now": now, "rules": _rules(), "waiting": _waiting(request.user)}
    return render(request, "handoff/inbox.html#card-answer", context, status=status)


def _rules() -> dict:
    return {rule.reason: rule for rule in all_rules()}


def _inbox_page(request, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    offers = list(_offers(request.user).filter(state=Handoff.State.OFFERED).order_by("due_at", "pk"))
    now = timezone.now()
    clocks = _clocks(offers, now)
    cards = [_card_context(offer, clock=clocks.get(offer.pk), **forms.get(offer.pk, {})) for offer in offers]
    context = {"cards": cards, "now": now, "rules": _rules(), "waiting": len(cards)}
    return render(request, "handoff/inbox.html", context, status=status)


@login_required
@permission_required("handoff.decide_offer", raise_exception=True)
def inbox(request):
    return _inbox_page(request)


def _gone(request, pk: int, error: str = services.MOVED_ON):
    """409 for an offer that left the inbox while the rep was deciding: the SLA sweep passed
    it on, or it was withdrawn because the lead is no longer with sales."""
    if request.htmx:
        context = {"pk": pk, "error": error, "waiting": _waiting(request.user)}
        return render(request, "handoff/inbox.html#offer-gone-answer", context, status=409)
    messages.error(request, error)
    return _inbox_page(request, status=409)


def _decide(request, pk: int, decide, *, reject_form=None):
    """Run accept/reject; htmx gets the updated card, a plain form post a redirect."""
    handoff = _offers(request.user).filter(pk=pk).first()
    if handoff is None:
        if services.moved_on_from(handoff_id=pk, user=request.user):
            return _gone(request, pk)
        raise Http404
    try:
        handoff = decide(handoff)
    except OfferConflict as error:
        if services.moved_on_from(handoff_id=pk, user=request.user):
            return _gone(request, pk)  # now a teammate's offer: not theirs to see any more
        handoff.refresh_from_db()
        if handoff.state == Handoff.State.WITHDRAWN:
            return _gone(request, pk, str(error))
        return _card(request, handoff, error=str(error), status=error.http_status)
    except ValidationError as error:
        # The forms hold most of the services' rules; what only the service can know
        # (an original lead that does not exist) comes back on its field, as a 400.
        if reject_form is not None and hasattr(error, "error_dict"):
            put_on_form(reject_form, error)
            return _card(request, handoff, reject_form=reject_form, status=400)
        return _card(request, handoff, error=" ".join(error.messages), status=400)
    if request.htmx:
        return _card(request, _offers(request.user).get(pk=handoff.pk))  # the lead as the decision left it
    if handoff.deal_id:
        return HttpResponseRedirect(handoff.deal.get_absolute_url(), status=303)
    return HttpResponseRedirect(reverse("handoff:inbox"), status=303)


@login_required
@permission_required("handoff.decide_offer", raise_exception=True)
@require_POST
def accept(request, pk: int):
    form = AcceptForm(request.POST)
    if not form.is_valid():
        # A rating outside 1-5 used to be dropped silently and the offer accepted anyway;
        # like the API, refuse it and change nothing.
        handoff = get_object_or_404(_offers(request.user), pk=pk)
        return _card(request, handoff, accept_form=form, status=400)

    def do_accept(handoff):
        return services.accept_offer(handoff_id=handoff.pk, by=request.user, rating=form.cleaned_data["rating"])

    return _decide(request, pk, do_accept)


@login_required
@permission_required("handoff.decide_offer", raise_exception=True)
@require_POST
def reject(request, pk: int):
    form = RejectForm(request.POST)
    if not form.is_valid():
        handoff = get_object_or_404(_offers(request.user), pk=pk)
        return _card(request, handoff, reject_form=form, status=400)

    def do_reject(handoff):
        return services.reject_offer(
            handoff_id=handoff.pk,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            rating=form.cleaned_data["rating"],
            original_email=form.cleaned_data["original_email"],
        )

    return _decide(request, pk, do_reject, reject_form=form)


@login_required
@permission_required("handoff.decide_offer", raise_exception=True)
@require_GET
def offers_due(request):
    """Fragment for "My day": my open offers due within the next N hours, soonest first."""
    form = OffersDueForm(request.GET)
    if not form.is_valid():
        return render(request, "handoff/_offers_due.html", {"form": form, "offers": []}, status=400)
    hours = form.hours_or_default()
    now = timezone.now()
    mine = Handoff.objects.filter(assignee=request.user, state=Handoff.State.OFFERED).order_by("due_at", "pk")
    offers = list(mine.filter(due_at__lte=now + timedelta(hours=hours)).select_related("lead")[:20])
    waiting = mine.count()
    next_offer = offers[0] if offers else mine.first()
    clocks = _clocks(offers + ([next_offer] if next_offer else []), now)
    context = {
        "offers": offers,
        "rows": [(offer, clocks[offer.pk]) for offer in offers],
        "hours": hours,
        "now": now,
        "waiting": waiting,
        "next_clock": clocks.get(next_offer.pk) if next_offer else None,
    }
    return render(request, "handoff/_offers_due.html", context)
