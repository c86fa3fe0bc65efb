import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Lockout counters in a memory cache of this test's own (as tests/marketing does): no
    test sees another's failures, and the file cache's culling can't drop a counter."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-test-{uuid.uuid4().hex}",
        }
    }
