"""Refresh the dashboard soon after the facts it sums change (the beat sweep is the safety net).

One refresh per DEBOUNCE_SECONDS at most: a burst of a thousand closed deals is folded in
by one task, which reads everything new since the last run anyway.
"""

import logging

from django.core.cache import cache
from django.dispatch import receiver

from marketing.signals import lead_qualified
from sales.signals import deal_closed, deal_stage_changed

from . import tasks

logger = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 10


@receiver(lead_qualified, dispatch_uid="dashboard-lead-qualified")
@receiver(deal_stage_changed, dispatch_uid="dashboard-deal-stage-changed")
@receiver(deal_closed, dispatch_uid="dashboard-deal-closed")
def on_fact_changed(sender, **kwargs) -> None:
    try:
        first = cache.add("dashboard:refresh-queued", 1, DEBOUNCE_SECONDS)
    except Exception:  # no cache, no debounce: the beat sweep still refreshes within a minute
        logger.warning("dashboard refresh not queued: cache unreachable", exc_info=True)
        return
    if first:
        tasks.refresh_rollups.delay_on_commit()
