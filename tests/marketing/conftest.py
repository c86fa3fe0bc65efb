import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Rate-limit counters and form nonces of this test only (public form tests share addresses)."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex[:8]}"}
        for alias, config in settings.CACHES.items()
    }
