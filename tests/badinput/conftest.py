# The permission table's world (tests/permissions/world.py), built once per module, each case
# in a savepoint of its own; and a cache of each case's own (rate limits, form tokens).
from tests.permissions.conftest import _own_cache, cast

__all__ = ["_own_cache", "cast"]
