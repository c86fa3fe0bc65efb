"""Every widget's numbers for one user and one set of filters, computed once and cached.

The cache key carries the rollups' version: a refresh that changes any cell makes every
cached answer stale at once, and the short timeout bounds how old the live parts (the
open pipeline) can get.
"""

import logging

from django.core.cache import cache

from ..filters import Filters
from ..models import RollupState
from ..scope import Scope
from . import marketing, sales

logger = logging.getLogger(__name__)

WIDGETS = {
    "revenue": sales.revenue,
    "pipeline": sales.pipeline,
    "funnel": marketing.funnel,
    "channels": marketing.channels,
    "campaigns": marketing.campaigns,
    "sla": sales.sla,
    "rejections": sales.rejections,
    "leaderboard": sales.leaderboard,
    "lead_time": sales.lead_time,
}
CACHE_SECONDS = 120


def rollup_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1).first()


def compute(filters: Filters, scope: Scope, *, state: RollupState | None, names: list[str] | None = None) -> dict:
    """The widgets' data (each a dict), from the cache when this version was computed before."""
    names = names or scope.widgets
    key = f"dashboard:v{state.version if state else 0}:{scope.key}:{filters.key}:{','.join(names)}"
    try:
        cached = cache.get(key)
    except Exception:  # an unreachable cache only costs the recomputation
        logger.warning("dashboard cache unreachable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    memo = marketing.MEMO.set({})
    try:
        data = {name: WIDGETS[name](filters, scope) for name in names}
    finally:
        marketing.MEMO.reset(memo)
    try:
        cache.set(key, data, CACHE_SECONDS)
    except Exception:
        logger.warning("dashboard cache unreachable", exc_info=True)
    return data
