import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], *, timeout: float = 30, interval: float = 0.1, what: str = ""):
    """Poll until `predicate()` is truthy and return its value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)
