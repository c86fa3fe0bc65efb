import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own for rate-limit counters and form nonces.

    In memory rather than the file cache of a laptop run: with the whole suite writing to it,
    the file cache reached its 300 entries and culled a third of them at random, counters
    included, so a rate limit could fail to trip.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"marketing-test-{uuid.uuid4().hex}",
        }
    }
