from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import recording


class AuditMiddleware:
    """Lets the audit log name who made a change: the saves a request makes are its user's.

    It keeps the request, not the user: the user is read when something is saved, after
    DRF has authenticated an API token inside the view. Place it after
    AuthenticationMiddleware. A visitor who is not signed in costs nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recording.serving(request):
            return self.get_response(request)
