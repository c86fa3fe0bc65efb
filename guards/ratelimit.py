"""The one rate limiter: the capture form, the capture API and the login lockout all count here.

The algorithm: **a window opens at the first request counted for a key and lasts the
rate's period; once the window holds the limit, the key is refused until the window has
passed** (Retry-After is its end, to the second), and the next request opens a new window.

Why this one, of the two algorithms the apps had:
- A lockout has to mean what it says: "5 failures, then 15 minutes" must be 15 minutes
  from the failure that started it, and over when they are over. The sliding-window counter
  the capture form used weighs the previous window's count, so it would have told a locked
  user 3 to 18 minutes depending on where the clock stood, and still refused them when the
  15 minutes were up.
- It is counted with `cache.add` and `cache.incr` only, which Redis does atomically: 30
  simultaneous requests against a limit of 10 let 10 through (DRF's own throttles read,
  decide, then write, and let all 30 through).
- What it gives up: a client that knows when its window opened can spend the limit just
  before that window ends and again just after, up to 2 × limit − 1 in a short burst, once
  per window. The form's old sliding counter held such a burst nearer the limit. The limits
  here are set with that in mind (20 captures a minute per address, 5 failed log-ins).

Every cache error fails open, logged: a Redis outage must neither turn every capture into a
500 nor lock everybody out. Identities (addresses, emails, usernames) are hashed before
they become keys, so none is kept in the cache as is.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int  # requests counted in one window
    seconds: int  # the window's length


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the window that refused has passed, when refused


def parse_rate(rate: str) -> Rate:
    """ "20/minute" → Rate(20, 60) (s, m, h, d by their first letter). Raises ValueError for anything else."""
    count, _, period = rate.partition("/")
    if not count.strip().isdigit() or not period.strip() or period.strip()[0] not in _PERIODS:
        raise ValueError(f"A rate looks like 20/minute, not {rate!r}")
    return Rate(int(count), _PERIODS[period.strip()[0]])


def _as_rate(rate: str | Rate) -> Rate:
    return parse_rate(rate) if isinstance(rate, str) else rate


def _key(scope: str, ident: str) -> str:
    # Hashed: no address, email or username lands in the cache, nor in a key longer than allowed.
    return f"ratelimit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def _remaining(started: float, seconds: int, now: float) -> int:
    # Rounded first: a window ending 58.000000001 s from now ends in 58 s.
    return max(1, math.ceil(round(started + seconds - now, 6)))


def hit(scope: str, ident: str, rate: str | Rate, *, now: float | None = None) -> Decision:
    """Count one request of `ident` in `scope`; allowed while its window holds at most the limit."""
    rate = _as_rate(rate)
    now = time.time() if now is None else now
    key = _key(scope, ident)
    try:
        started = _open_window(key, rate.seconds, now)
        # One counter per window, named by its start: a count never carries over into the
        # next window, whatever the backend does with expiry times.
        counter = f"{key}:{started}"
        cache.add(counter, 0, timeout=rate.seconds)
        count = cache.incr(counter)
        # Django's non-Redis backends give an incremented key their default timeout (5 minutes).
        cache.touch(counter, timeout=_remaining(started, rate.seconds, now))
    except Exception:  # any cache backend error, or the window expiring between add and incr
        logger.warning("rate limit %s unavailable; allowing the request", scope, exc_info=True)
        return Decision(True)
    if count <= rate.limit:
        return Decision(True)
    return Decision(False, _remaining(started, rate.seconds, now))


def check(scope: str, ident: str, rate: str | Rate, *, now: float | None = None) -> Decision:
    """Whether one more request of `ident` would be allowed, without counting one.

    For limits on what is counted after the fact (a failed log-in counts once the password
    was wrong): refused from the moment the window holds the limit.
    """
    rate = _as_rate(rate)
    now = time.time() if now is None else now
    key = _key(scope, ident)
    try:
        started = cache.get(f"{key}:start")
        count = cache.get(f"{key}:{started}", 0) if started is not None and now < started + rate.seconds else 0
    except Exception:
        logger.warning("rate limit %s unavailable; allowing the request", scope, exc_info=True)
        return Decision(True)
    if count < rate.limit:
        return Decision(True)
    return Decision(False, _remaining(started, rate.seconds, now))


def reset(scope: str, ident: str) -> None:
    """Forget `ident`'s window in `scope`: its next request opens a new one."""
    try:
        cache.delete(f"{_key(scope, ident)}:start")  # orphans the window's counter, which then expires
    except Exception:
        logger.warning("rate limit %s not reset", scope, exc_info=True)


def _open_window(key: str, seconds: int, now: float) -> float:
    """The start of `key`'s current window, opening one at `now` if none is open."""
    start = f"{key}:start"
    if cache.add(start, now, timeout=seconds):
        return now
    started = cache.get(start, now)
    if now >= started + seconds:
        # The window has passed but its key not yet expired (the cache's expiry is coarser
        # than the clock, or a test gives the time): open the next one.
        cache.set(start, now, timeout=seconds)
        return now
    return started
