"""Rate limits kept in the cache, counted atomically, failing open when the cache is down.

Each hit atomically increments a counter for the current fixed window (INCR on Redis),
and is judged with the previous window's count weighted by how much of it still overlaps
a sliding window: a burst straddling a window boundary is still held to the limit.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/minute" → (20, 60). Raises ValueError for anything else."""
    count, _, period = rate.partition("/")
    if not count.strip().isdigit() or not period.strip() or period.strip()[0] not in _PERIODS:
        raise ValueError(f"A rate looks like 20/minute, not {rate!r}")
    return int(count), _PERIODS[period.strip()[0]]


def hit(scope: str, ident: str, rate: str, *, now: float | None = None) -> Decision:
    """Count one request of `ident` against `rate`; say whether it is within the limit."""
    limit, seconds = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // seconds)
    # Hashed: an email address never lands in the cache (nor in a key longer than allowed).
    key = "ratelimit:" + scope + ":" + hashlib.sha256(ident.encode()).hexdigest()[:32]
    try:
        cache.add(f"{key}:{window}", 0, timeout=2 * seconds)
        current = cache.incr(f"{key}:{window}")
        previous = cache.get(f"{key}:{window - 1}", 0)
    except Exception:  # any cache backend error: let the request through
        logger.warning("rate limit %s unavailable; allowing request", scope, exc_info=True)
        return Decision(True)
    elapsed = (now - window * seconds) / seconds
    if previous * (1 - elapsed) + current <= limit:
        return Decision(True)
    wait = seconds * _windows_to_wait(limit, previous, current, elapsed)
    return Decision(False, max(1, math.ceil(round(wait, 6))))  # rounded: 58.000000001 s is 58


def _windows_to_wait(limit: int, previous: int, current: int, elapsed: float) -> float:
    """How long (in windows) until one more request passes, if none is sent meanwhile.

    Not merely the end of this window: the next one still weighs this window's count, so
    "retry at the boundary" was refused again (told 7 s, then 429 for most of an hour).
    """
    if previous and current < limit:  # this window's count fits once the previous one fades enough
        return 1 - (limit - current - 1) / previous - elapsed
    # In the next window this one is the previous: it must fade until one more fits.
    return 1 - elapsed + min(1.0, max(0.0, 1 - (limit - 1) / current))


def hit_email(email_normalized: str) -> Decision:
    """Count one capture of this address, by the hosted form or the API alike: one budget
    (LEADFLOW_FORM_EMAIL_RATE, a handful an hour), so that no caller can pump one person's
    score with repeat touches, nor flood their timeline."""
    return hit("capture-email", email_normalized, settings.LEADFLOW_FORM_EMAIL_RATE)


def client_ip(request) -> str:
    """The visitor's address, trusting exactly NUM_PROXIES proxies' X-Forwarded-For entries.

    The same rule as DRF's throttles (RELIABILITY.md #10): with no proxies configured the
    header is ignored, so a client cannot pick its own address by sending one.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote
