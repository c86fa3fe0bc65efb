from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from guards import ratelimit
from guards.net import client_ip


class CaptureThrottle(BaseThrottle):
    """Per-caller limit on the capture endpoint: per API key for a key's holder, per client
    IP for everyone else (LEADFLOW_CAPTURE_KEY_RATE, LEADFLOW_CAPTURE_RATE).

    Counted by guards/ratelimit.py, the limiter the hosted form and the login use too: atomic under
    bursts (DRF's own throttles read, decide, then write, so 30 simultaneous requests all
    got through a limit of 10), Retry-After the moment the window has passed, and failing open
    when the cache is down, so that an outage never turns every capture into a 500.
    """

    def allow_request(self, request, view) -> bool:
        rates = api_settings.DEFAULT_THROTTLE_RATES  # read per request: tests and settings may change them
        if request.auth is not None:
            scope, ident = "capture-key", f"{type(request.auth).__name__}:{request.auth.pk}"
        else:
            scope, ident = "capture", client_ip(request)
        rate = rates.get(scope)
        if rate is None:
            return True
        decision = ratelimit.hit(scope, ident, rate)
        self.retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float:
        return self.retry_after
