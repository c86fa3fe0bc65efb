from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from marketing.ratelimit import client_ip

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


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, so you can tell your tokens apart: “Zapier”, “Warehouse sync”.",
    )
