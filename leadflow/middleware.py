import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is down (a restart, a failover) answer 503, not a 500 traceback.

    The connection's health check reconnects on a later request, so the process
    recovers by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", exception)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": "The database is unavailable; retry shortly."}, status=503)
        else:
            response = TemplateResponse(request, "503.html", status=503).render()
        response["Retry-After"] = "5"
        return response
