"""Thin tasks: take ids, call one service; each is idempotent (see the services)."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import EngagementRule, Lead
from .services import imports as import_services
from .services import scoring as scoring_services

logger = logging.getLogger(__name__)


@shared_task
def score_lead(lead_id: int) -> None:
    # Idempotent: scoring twice stores the same score; qualifying twice is refused by the
    # stage check inside the service.
    services.score_lead(lead_id=lead_id)


@shared_task
def score_unscored_leads(batch: int = 500) -> int:
    """Re-drive scoring that a lost message left undone (never scored, old enough)."""
    cutoff = timezone.now() - timedelta(seconds=settings.LEADFLOW_RECONCILE_GRACE_SECONDS)
    lead_ids = list(
        Lead.objects.filter(scored_at__isnull=True, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    scored = 0
    for lead_id in lead_ids:
        try:
            services.score_lead(lead_id=lead_id)
            scored += 1
        except Exception:  # one bad lead must not stop the sweep: logged, skipped, tried next time
            logger.exception("scoring lead %s failed; skipped", lead_id)
    return scored


@shared_task
def rescore_leads(run_id: int, seconds: float = 10) -> int:
    """Work through a re-scoring run for a few seconds, then hand the rest to a fresh task.

    Each batch commits with its checkpoint, so a redelivery or a second copy of this task
    picks up where the run stands; a run left without a task is re-driven by the sweep.
    """
    started, scored = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        done = scoring_services.rescore_batch(run_id=run_id)
        if not done:
            return scored
        scored += done
    try:
        rescore_leads.delay(run_id)
    except Exception:  # broker down: resume_rescoring picks the run up again
        logger.warning("could not enqueue the rest of rescoring run %s", run_id, exc_info=True)
    return scored


@shared_task
def resume_rescoring() -> int:
    """Re-drive re-scoring runs that stopped moving (lost message, dead worker)."""
    run_ids = scoring_services.stalled_runs()
    return sum(_publish(rescore_leads, run_id, what="re-scoring run") for run_id in run_ids)


@shared_task
def rescore_for_fading() -> int | None:
    """Once a day, when some engagement fades with age, re-score everyone (no history rows:
    a point lost to age every few days would bury the real changes)."""
    if not EngagementRule.objects.filter(is_active=True, half_life_days__isnull=False).exists():
        return None
    return scoring_services.start_rescoring(cause="Engagement fading with age", record_history=False).pk


@shared_task
def run_import(import_id: int, seconds: float = 20) -> None:
    """Import a CSV for a while (each batch commits with its checkpoint), then hand over to a
    fresh task; a redelivered or duplicate task continues from the checkpoint."""
    if not import_services.import_rows(import_id=import_id, seconds=seconds):
        return
    try:
        run_import.delay(import_id)
    except Exception:  # broker down: resume_imports picks the import up again
        logger.warning("could not enqueue the rest of import %s", import_id, exc_info=True)


@shared_task
def resume_imports() -> int:
    """Re-drive imports that stopped moving (a lost message, a dead worker); drop abandoned uploads."""
    import_ids = import_services.stalled_imports()
    resumed = sum(_publish(run_import, import_id, what="import") for import_id in import_ids)
    try:
        import_services.discard_abandoned_uploads()
    except Exception:  # the resumed imports above still count; the next sweep tries again
        logger.exception("discarding abandoned uploads failed")
    return resumed


def _publish(task, item_id: int, *, what: str) -> bool:
    """Queue `task` for one item; a failure is logged and the sweep goes on with the next."""
    try:
        task.delay(item_id)
    except Exception:
        logger.exception("could not re-drive %s %s; the next sweep tries again", what, item_id)
        return False
    return True
