import logging
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class CaptureThrottle(SimpleRateThrottle):
    """Per-client rate limit on public capture: atomic under bursts, fails open.

    DRF's own throttles read the request history, decide, then write it back, so 30
    simultaneous requests all saw an empty history and all got through. Here every
    request atomically increments a counter (cache.incr is INCR on Redis) and is judged
    by the count it got back. Two fixed windows are blended (the previous one weighted by
    how much of it still overlaps the sliding window), so a burst straddling a window
    boundary is still held to the limit.

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
        window = int(now // self.duration)
        key = f"throttle:{self.scope}:{self.get_ident(request)}"
        try:
            cache.add(f"{key}:{window}", 0, timeout=2 * self.duration)
            current = cache.incr(f"{key}:{window}")
            previous = cache.get(f"{key}:{window - 1}", 0)
        except Exception:  # any cache backend error
            logger.warning("capture throttle unavailable; allowing request", exc_info=True)
            return True
        elapsed = now / self.duration - window
        self.retry_after = self.duration * (1 - elapsed)
        return previous * (1 - elapsed) + current <= self.num_requests

    def wait(self) -> float:
        return self.retry_after
