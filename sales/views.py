from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from . import services
from .errors import DealConflict, StageMoveNotAllowed
from .forms import CloseLostForm, CloseWonForm, MoveDealForm, ReopenDealForm
from .models import Deal

DEALS_PER_PAGE = 50


def _visible_deals(user):
    return Deal.objects.visible_to(user).select_related("stage", "owner", "team", "pipeline")


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def deal_list(request):
    # Open deals first: PostgreSQL sorts NULLs last in ascending order (SQLite first),
    # so without nulls_first the open deals sank below every closed one in production.
    deals = _visible_deals(request.user).order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")
    # Paged rather than cut at 200, so a manager's older deals stay reachable.
    page = Paginator(deals, DEALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sales/deal_list.html", {"deals": page.object_list, "page": page})


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def deal_detail(request, pk: int, *, forms: dict | None = None, status: int = 200):
    deal = get_object_or_404(_visible_deals(request.user), pk=pk)
    initial = {"version": deal.version}
    context = {
        "deal": deal,
        "history": deal.stage_changes.select_related("from_stage", "to_stage", "changed_by"),
        "move_form": MoveDealForm(deal=deal, initial=initial),
        "won_form": CloseWonForm(initial={**initial, "amount": deal.amount}),
        "lost_form": CloseLostForm(initial=initial),
        "reopen_form": ReopenDealForm(initial=initial),
        "can_reopen": deal.is_closed and request.user.has_perm("sales.reopen_deal"),
        **(forms or {}),
    }
    return render(request, "sales/deal_detail.html", context, status=status)


def _act(request, pk: int, form, action, form_name: str):
    """Run one deal action; on bad input or a conflict, show the page again with why."""
    deal = get_object_or_404(Deal.objects.visible_to(request.user), pk=pk)
    if not form.is_valid():
        return deal_detail(request, pk, forms={form_name: form}, status=400)
    try:
        action(deal, form.cleaned_data)
    except ValidationError as error:
        # A service may raise a plain (field-less) ValidationError: message_dict would
        # then raise AttributeError, a 500 instead of the page with the message.
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
        return deal_detail(request, pk, forms={form_name: form}, status=400)
    except (DealConflict, StageMoveNotAllowed) as error:
        messages.error(request, str(error))
        return deal_detail(request, pk, status=error.http_status)
    return HttpResponseRedirect(deal.get_absolute_url(), status=303)


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_move(request, pk: int):
    deal = get_object_or_404(Deal.objects.visible_to(request.user).select_related("stage"), pk=pk)
    form = MoveDealForm(request.POST, deal=deal)

    def move(deal, data):
        services.move_deal(
            deal_id=deal.pk, to_stage_id=data["stage"].pk, by=request.user, expected_version=data["version"]
        )

    return _act(request, pk, form, move, "move_form")


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_won(request, pk: int):
    def win(deal, data):
        services.close_deal(
            deal_id=deal.pk, won=True, amount=data["amount"], by=request.user, expected_version=data["version"]
        )
        messages.success(request, "Deal won. Nice work!")

    return _act(request, pk, CloseWonForm(request.POST), win, "won_form")


@login_required
@permission_required("sales.change_deal", raise_exception=True)
@require_POST
def deal_lost(request, pk: int):
    def lose(deal, data):
        services.close_deal(
            deal_id=deal.pk,
            won=False,
            lost_reason=data["lost_reason"],
            by=request.user,
            expected_version=data["version"],
        )

    return _act(request, pk, CloseLostForm(request.POST), lose, "lost_form")


@login_required
@permission_required("sales.reopen_deal", raise_exception=True)
@require_POST
def deal_reopen(request, pk: int):
    def reopen(deal, data):
        services.reopen_deal(deal_id=deal.pk, by=request.user, expected_version=data["version"])

    return _act(request, pk, ReopenDealForm(request.POST), reopen, "reopen_form")
