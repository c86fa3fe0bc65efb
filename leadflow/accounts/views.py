"""Logging in (behind the lockout) and each user's own API tokens."""

import functools

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, LockoutAuthenticationForm
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
    issued = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
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
