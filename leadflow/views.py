"""Project-level views: where each role lands, and error pages that speak JSON to the API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import defaults


@login_required
def home(request):
    user = request.user
    if user.has_perm("handoff.view_dashboard"):
        return redirect("dashboard:overview")
    if user.has_perm("handoff.decide_offer"):
        return redirect("handoff:inbox")
    if user.has_perm("marketing.view_lead"):
        return redirect("marketing:lead-list")
    return redirect("password_change")


def _api_error(request, status: int, detail: str):
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception, template_name="400.html"):
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return _api_error(request, 413, "The request body is larger than the 1 MB limit.")
        return _api_error(request, 400, "Bad request.")
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    if request.path.startswith("/api/"):
        return _api_error(request, 403, "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "Not found.")
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "Server error.")
    return defaults.server_error(request, template_name)
