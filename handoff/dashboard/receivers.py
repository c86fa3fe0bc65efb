"""Refresh the dashboard soon after the facts it sums change (the beat sweep is the safety net).

At most one refresh per DEBOUNCE_SECONDS from each process: a burst of a thousand closed
deals is folded in by one task, which reads everything new since the last run anyway.
The debounce is a timestamp in memory, not a cache key: a hung cache must not slow the
request that qualified a lead or closed a deal.
"""

import time

from django.dispatch import receiver

from marketing.signals import lead_qualified
from sales.signals import deal_closed, deal_stage_changed

from . import tasks

DEBOUNCE_SECONDS = 10
_last_queued = 0.0


@receiver(lead_qualified, dispatch_uid="dashboard-lead-qualified")
@receiver(deal_stage_changed, dispatch_uid="dashboard-deal-stage-changed")
@receiver(deal_closed, dispatch_uid="dashboard-deal-closed")
def on_fact_changed(sender, **kwargs) -> None:
    global _last_queued
    now = time.monotonic()
    if now - _last_queued < DEBOUNCE_SECONDS:
        return
    _last_queued = now  # two threads racing here queue two refreshes: harmless, both idempotent
    tasks.refresh_rollups.delay_on_commit()
