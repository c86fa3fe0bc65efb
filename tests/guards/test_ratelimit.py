"""The one rate limiter (guards/ratelimit.py) at its edges: the window opens at the first
request, holds exactly the limit, says to the second when it ends, and is over when it ends."""

import socket
import threading
import uuid

import pytest
from django.core.cache import cache

from guards.ratelimit import Decision, Rate, check, hit, parse_rate, reset

T0 = 2_000_000_000.25  # a start between two whole seconds: Retry-After rounds up to the window's end


@pytest.fixture
def ident() -> str:
    return uuid.uuid4().hex  # a window of each test's own in whatever cache the run uses


@pytest.mark.parametrize(
    ("text", "rate"),
    [("20/minute", Rate(20, 60)), ("5/h", Rate(5, 3600)), ("1/second", Rate(1, 1)), (" 3 / day", Rate(3, 86400))],
)
def test_a_rate_reads_its_count_and_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "20", "20/", "x/minute", "-1/minute", "20/fortnight", "2.5/minute"])
def test_anything_else_is_not_a_rate(text):
    with pytest.raises(ValueError, match="20/minute"):
        parse_rate(text)


def test_the_limit_is_allowed_and_the_next_one_refused_until_the_window_ends(ident):
    decisions = [hit("t", ident, "3/minute", now=T0 + offset) for offset in (0, 10, 20, 30)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 30  # the window opened at T0 and lasts 60 s


def test_retry_after_is_exact_one_second_early_is_refused_and_on_time_is_allowed(ident):
    for _ in range(2):
        hit("t", ident, "2/minute", now=T0)
    refused = hit("t", ident, "2/minute", now=T0 + 7.5)
    assert refused == Decision(False, 53)  # 52.5 s left, rounded up: never told to come back too early
    assert hit("t", ident, "2/minute", now=T0 + 59.99) == Decision(False, 1)
    assert hit("t", ident, "2/minute", now=T0 + 60).allowed  # a new window opens at the end of the old one
    assert hit("t", ident, "2/minute", now=T0 + 61).allowed
    assert not hit("t", ident, "2/minute", now=T0 + 62).allowed


def test_refused_requests_do_not_push_the_window_back(ident):
    for second in range(0, 600, 5):  # a client hammering all along
        hit("t", ident, "1/minute", now=T0 + second)
        if second % 60 == 0:
            assert hit("t", ident, "1/minute", now=T0 + second).retry_after == 60


def test_the_window_opens_at_the_first_request_not_at_the_clocks_minute(ident):
    start = T0 + 45  # 5.25 s past a whole minute of the clock
    hit("t", ident, "1/minute", now=start)
    assert hit("t", ident, "1/minute", now=start + 20) == Decision(False, 40)  # not 5: the window is 60 s long


def test_a_check_counts_nothing_and_refuses_once_the_window_holds_the_limit(ident):
    rate = Rate(2, 900)
    assert all(check("t", ident, rate, now=T0).allowed for _ in range(5))
    hit("t", ident, rate, now=T0)
    assert check("t", ident, rate, now=T0 + 1).allowed
    hit("t", ident, rate, now=T0 + 1)
    assert check("t", ident, rate, now=T0 + 100) == Decision(False, 800)
    assert check("t", ident, rate, now=T0 + 900).allowed  # over when it is over


def test_reset_opens_a_new_window(ident):
    hit("t", ident, "1/hour", now=T0)
    assert not check("t", ident, "1/hour", now=T0 + 1).allowed
    reset("t", ident)
    assert check("t", ident, "1/hour", now=T0 + 1).allowed
    assert hit("t", ident, "1/hour", now=T0 + 2).allowed


def test_scopes_and_identities_count_apart(ident):
    hit("t", ident, "1/hour", now=T0)
    assert not hit("t", ident, "1/hour", now=T0).allowed
    assert hit("other-scope", ident, "1/hour", now=T0).allowed
    assert hit("t", ident + "-b", "1/hour", now=T0).allowed


def test_no_identity_is_kept_in_the_cache_as_is(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl-keys"}}
    hit("capture-email", "ada@analytical.example", "5/hour")
    keys = list(cache._cache)  # LocMemCache's own store: the keys as written
    assert keys and not any("ada" in key for key in keys)


def test_simultaneous_requests_get_exactly_the_limit(settings, ident):
    # LocMemCache, like Redis, increments atomically (the file cache does not, and is for development).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl-burst"}}
    gate, results = threading.Barrier(30), []

    def one() -> None:
        gate.wait()
        results.append(hit("burst", ident, "10/minute").allowed)

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_the_cache_down_everything_is_allowed_and_logged(settings, caplog, ident):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert all(hit("down", ident, "1/hour").allowed for _ in range(3))
    assert check("down", ident, "1/hour").allowed
    reset("down", ident)  # nothing to raise either
    assert "rate limit down unavailable" in caplog.text
