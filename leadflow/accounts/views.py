"""Logging in, behind the lockout."""

from django.contrib.auth import views as auth_views

from .forms import LockoutAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.lockout:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.retry_after)
        return response
