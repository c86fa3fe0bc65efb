import logging
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class CaptureThrottle(SimpleRateThrottle):
    """Per-client rate limit on public capture: exact under bursts, fails open.

    DRF's own throttles read the request history, decide, then write it back, so 30
    simultaneous requests all saw an empty history and all got through. Here every
    request atomically increments a counter (INCR on Redis) and is judged by the count it
    got back. The window starts at a client's first request and the counter expires with
    it, so a burst can't straddle two windows and get twice the limit. (The file cache of
    the no-configuration setup increments without a lock: fine for one developer.)

    The counters live in the cache; a cache outage must not turn every capture into a
    500, so the request is then let through and the outage logged.
    """

    scope = "capture"

    @property
    def THROTTLE_RATES(self) -> dict:  # DRF reads this at import; we read it per request
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        now = time.time()
        key = f"throttle:{self.scope}:{self.get_ident(request)}"
        try:
            cache.add(f"{key}:start", now, timeout=self.duration)
            cache.add(f"{key}:count", 0, timeout=self.duration)
            count = cache.incr(f"{key}:count")
            started = cache.get(f"{key}:start", now)
        except Exception:  # any cache backend error, or the window expiring mid-way
            logger.warning("capture throttle unavailable; allowing request", exc_info=True)
            return True
        self.retry_after = max(1.0, started + self.duration - now)
        return count <= self.num_requests

    def wait(self) -> float:
        return self.retry_after
