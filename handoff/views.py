from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .brief import build_brief
from .errors import OfferConflict
from .forms import AcceptForm, RejectForm
from .models import Handoff


def _offers(user):
    return (
        Handoff.objects.visible_to(user)
        .select_related("lead__first_touch_campaign", "assignee", "team")
        .prefetch_related("lead__touchpoints__campaign")
    )


def _card_context(handoff: Handoff, *, accept_form=None, reject_form=None, error: str = "") -> dict:
    return {
        "offer": handoff,
        "brief": build_brief(handoff.lead),
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
    context = _card_context(handoff, accept_form=accept_form, reject_form=reject_form, error=error)
    return render(request, "handoff/inbox.html#offer-card", {**context, "now": timezone.now()}, status=status)


def _inbox_page(request, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    offers = _offers(request.user).filter(state=Handoff.State.OFFERED).order_by("due_at")
    cards = [_card_context(offer, **forms.get(offer.pk, {})) for offer in offers]
    return render(request, "handoff/inbox.html", {"cards": cards, "now": timezone.now()}, status=status)


@login_required
@permission_required("handoff.decide_offer", raise_exception=True)
def inbox(request):
    return _inbox_page(request)


def _decide(request, pk: int, decide, *, accept_form=None, reject_form=None):
    """Run accept/reject; htmx gets the updated card, a plain form post a redirect."""
    handoff = get_object_or_404(_offers(request.user), pk=pk)
    try:
        handoff = decide(handoff)
    except OfferConflict as error:
        handoff.refresh_from_db()
        return _card(request, handoff, error=str(error), status=error.http_status)
    except ValidationError as error:
        # The forms hold the services' rules; this is the safety net if they drift
        # apart, so that a rule only the service knows answers 400, never a 500.
        return _card(request, handoff, error=" ".join(error.messages), status=400)
    if request.htmx:
        return _card(request, handoff)
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
        # The form already holds the service's rules (reason required, note for Other).
        return services.reject_offer(
            handoff_id=handoff.pk,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            rating=form.cleaned_data["rating"],
        )

    return _decide(request, pk, do_reject)
