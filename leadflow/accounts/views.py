"""Logging in (behind the lockout) and each user's own API tokens."""

import functools

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, LockoutAuthenticationForm, TokenRevokingPasswordChangeForm
from .models import ApiToken


def _refuse_if_locked(response, form):
    """A form the lockout refused answers 429 with Retry-After: browsers show the page, and
    scripts guessing passwords learn to wait."""
    lockout = getattr(form, "lockout", None)
    if lockout:
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after)
    return response


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        return _refuse_if_locked(super().form_invalid(form), form)


def refusing_when_locked(login_view):
    """`login_view` (the admin site's, see admin.py) answering 429 while locked out, like ours."""

    @functools.wraps(login_view)
    def view(request, *args, **kwargs):
        response = login_view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return _refuse_if_locked(response, form)

    return view


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which can also revoke the user's API tokens: a password
    someone else learnt may have been used to create tokens that outlive it."""

    form_class = TokenRevokingPasswordChangeForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            revoked = services.revoke_all_api_tokens(user=form.user) if form.cleaned_data["revoke_api_tokens"] else 0
        if revoked:
            messages.success(
                self.request,
                f"{revoked} API token{'s' if revoked != 1 else ''} revoked: create new ones for the integrations "
                "that still need them.",
            )
        return response


def _page(request, *, form: ApiTokenForm, issued: services.IssuedToken | None = None, status: int = 200):
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user),
        "issued": issued,
        "team_tokens": services.team_tokens(manager=request.user),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
def tokens(request):
    return _page(request, form=ApiTokenForm())


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    issued = services.create_api_token(
        user=request.user, name=form.cleaned_data["name"], lifetime_days=form.cleaned_data["expires"]
    )
    # Rendered here rather than redirected to: the secret exists only in this response, and
    # must stay out of every cache and the browser's history.
    response = _page(request, form=ApiTokenForm(), issued=issued, status=201)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = services.revoke_api_token(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
    messages.success(request, f"Revoked “{token.name}”: requests with it are refused from now on.")
    return HttpResponseRedirect(reverse("accounts:tokens"), status=303)
