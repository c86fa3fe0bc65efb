from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Lead


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
    for lead_id in lead_ids:
        services.score_lead(lead_id=lead_id)
    return len(lead_ids)
