import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A private in-memory cache per test: the dashboard caches its answers, and clearing a
    shared Redis cache would flush the whole database (the Celery broker's too)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"dashboard-{uuid.uuid4()}"}
    }
