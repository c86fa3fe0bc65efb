from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from guards.net import client_ip

from . import services


class LockoutMixin:
    """Puts a login form behind the lockout: a locked username or client IP is refused before
    the password is checked, so the right password is refused too until the window passes.

    `lockout` says why a form was refused, for the view's 429 and Retry-After.
    """

    lockout: services.Lockout | None = None

    @sensitive_variables()
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else ""
        self.lockout = services.login_lockout(username=username, ip=ip)
        if self.lockout:
            raise self.locked_error()
        try:
            cleaned_data = super().clean()
        except ValidationError:
            self.lockout = services.record_failed_login(username=username, ip=ip)
            if self.lockout:
                raise self.locked_error() from None
            raise
        if self.user_cache is not None:
            services.clear_failed_logins(username=username)
        return cleaned_data

    def locked_error(self) -> ValidationError:
        # The same words for every username, existing or not, and for a locked address.
        minutes = max(1, -(-self.lockout.retry_after // 60))
        return ValidationError(
            "Too many failed log-in attempts. For your security, logging in is paused: "
            f"try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            code="locked",
        )


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    pass


class AdminLockoutAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    pass


DEFAULT_TOKEN_LIFETIME_DAYS = 90


def _lifetime_label(days: int | None) -> str:
    return "Never" if days is None else "1 year" if days == 365 else f"{days} days"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, so you can tell your tokens apart: “Zapier”, “Warehouse sync”.",
    )
    expires = forms.TypedChoiceField(
        label="Expires after",
        choices=[(str(days or "never"), _lifetime_label(days)) for days in services.TOKEN_LIFETIMES_DAYS],
        coerce=lambda value: None if value == "never" else int(value),
        # A client that leaves it out gets what the page offers first-hand, not "never".
        required=False,
        empty_value=DEFAULT_TOKEN_LIFETIME_DAYS,
        initial=str(DEFAULT_TOKEN_LIFETIME_DAYS),
        help_text="After that, requests with it are refused and you create a new one.",
    )


class TokenRevokingPasswordChangeForm(PasswordChangeForm):
    revoke_api_tokens = forms.BooleanField(
        label="Also revoke all my API tokens",
        required=False,
        initial=True,
        help_text="Integrations that use them stop working until you give them new tokens. "
        "Keep this on if someone else may know your password.",
    )
