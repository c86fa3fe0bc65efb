"""The only listener to marketing's and sales' facts. Each receiver enqueues, after commit."""

import time

from django.dispatch import receiver

from marketing.signals import lead_qualified
from sales.signals import deal_closed, deal_stage_changed

from . import tasks
from .dashboard import tasks as dashboard_tasks


@receiver(lead_qualified)
def on_lead_qualified(sender, *, lead_id: int, cycle: int, **kwargs) -> None:
    tasks.route_lead.delay_on_commit(lead_id, cycle)


@receiver(deal_stage_changed)
def on_deal_stage_changed(sender, *, deal_id: int, **kwargs) -> None:
    tasks.sync_lead_stage.delay_on_commit(deal_id)


@receiver(deal_closed)
def on_deal_closed(sender, *, deal_id: int, **kwargs) -> None:
    tasks.record_deal_outcome.delay_on_commit(deal_id)


# The dashboard's sums follow the same facts; its beat sweep is the safety net. At most one
# refresh per DASHBOARD_DEBOUNCE_SECONDS from each process: a burst of a thousand closed deals
# is folded in by one task, which reads everything new since the last run anyway. The
# debounce is a timestamp in memory, not a cache key, so a hung cache can't slow the request.
DASHBOARD_DEBOUNCE_SECONDS = 10
_dashboard_queued_at = 0.0


@receiver(lead_qualified, dispatch_uid="dashboard-lead-qualified")
@receiver(deal_stage_changed, dispatch_uid="dashboard-deal-stage-changed")
@receiver(deal_closed, dispatch_uid="dashboard-deal-closed")
def on_fact_for_dashboard(sender, **kwargs) -> None:
    global _dashboard_queued_at
    now = time.monotonic()
    if now - _dashboard_queued_at < DASHBOARD_DEBOUNCE_SECONDS:
        return
    _dashboard_queued_at = now  # two threads racing here queue two refreshes: harmless, both idempotent
    dashboard_tasks.refresh_rollups.delay_on_commit()
