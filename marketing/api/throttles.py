import logging

from rest_framework.throttling import ScopedRateThrottle

logger = logging.getLogger(__name__)


class CaptureThrottle(ScopedRateThrottle):
    """Per-client rate limit on public capture that fails open.

    The counters live in the cache (Redis in production); a cache outage must not turn
    every capture into a 500, so the request is let through and the outage logged.
    """

    scope_attr = "throttle_scope"

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache backend error
            logger.warning("capture throttle unavailable; allowing request", exc_info=True)
            return True
