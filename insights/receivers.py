"""Insights listens to the apps' facts; they never know (docs/ARCHITECTURE.md, "Read models")."""

import time

from django.dispatch import receiver

from handoff.signals import handoff_changed
from marketing.models import Lead
from marketing.signals import lead_qualified
from sales.signals import deal_closed, deal_stage_changed

from . import scorecards
from .dashboard import tasks as dashboard_tasks


@receiver(handoff_changed, dispatch_uid="insights-scorecards-handoff-changed")
def mark_scorecards_stale(sender, *, lead: Lead, rep_id: int | None = None, **kwargs) -> None:
    # Runs inside the event's transaction: the mark commits (or rolls back) with the event.
    scorecards.mark_lead(lead, rep_id=rep_id)


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
