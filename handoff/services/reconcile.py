"""The reconciliation sweep: re-drive from database state whatever a lost message left undone.

Each item is re-driven on its own: one that raises (a row the services would never have
written) is logged and skipped, and every other item still gets its turn. Without that,
one bad row raised every minute and starved everything queued behind it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from marketing.models import Lead
from marketing.models import Stage as LeadStage

from ..models import Handoff
from .offers import offer_handoff, route_lead
from .outcomes import record_deal_outcome

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class ReconcileReport:
    routed: int
    offered: int
    outcomes: int
    failed: int = 0  # items that raised: logged and skipped, tried again next sweep


def reconcile(*, now: datetime | None = None) -> ReconcileReport:
    """Re-drive from database state whatever a lost message left undone."""
    now = now or timezone.now()
    settled_before = now - timedelta(seconds=settings.LEADFLOW_RECONCILE_GRACE_SECONDS)
    routed = offered = outcomes = failed = 0
    # Qualified leads with no handoff for their current cycle.
    waiting = (
        Lead.objects.filter(stage=LeadStage.MQL, stage_changed_at__lt=settled_before)
        .exclude(pk__in=Handoff.objects.filter(cycle=F("lead__recycle_count")).values("lead_id"))
        .values_list("pk", "recycle_count")[:BATCH]
    )
    for lead_id, cycle in waiting:
        try:
            routed += route_lead(lead_id=lead_id, cycle=cycle) is not None
        except Exception:
            logger.exception("reconcile: routing lead %s failed; skipped", lead_id)
            failed += 1
    # Handoffs nobody could take earlier (no rep available or all at their cap, or an
    # expired offer with nobody to re-offer to).
    stuck = Handoff.objects.filter(
        state__in=(Handoff.State.QUEUED, Handoff.State.EXPIRED), created_at__lt=settled_before
    ).values_list("pk", flat=True)[:BATCH]
    for handoff_id in stuck:
        try:
            with transaction.atomic():
                offered += offer_handoff(handoff_id=handoff_id).state == Handoff.State.OFFERED
        except Exception:
            logger.exception("reconcile: offering handoff %s failed; skipped", handoff_id)
            failed += 1
    # Closed deals whose outcome never reached marketing.
    unreported = (
        Handoff.objects.filter(deal__closed_at__lt=settled_before)
        .filter(Q(outcome_closed_at__isnull=True) | ~Q(outcome_closed_at=F("deal__closed_at")))
        .values_list("deal_id", flat=True)[:BATCH]
    )
    for deal_id in unreported:
        try:
            outcomes += record_deal_outcome(deal_id=deal_id)
        except Exception:
            logger.exception("reconcile: recording the outcome of deal %s failed; skipped", deal_id)
            failed += 1
    return ReconcileReport(routed=routed, offered=offered, outcomes=outcomes, failed=failed)
