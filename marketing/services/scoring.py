"""Scoring a lead and qualifying it when it crosses the MQL bar."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Lead, ScoreChange, Stage
from ..scoring import compute_score
from .stages import _announce_qualified, _move


def score_lead(*, lead_id: int, now: datetime | None = None, cause: str = "New activity") -> Lead | None:
    """Recompute the score with its reasons; qualify the lead when it crosses the MQL bar."""
    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None:
            return None
        score, reasons = compute_score(lead)
        if score != lead.score:
            ScoreChange.objects.create(
                lead=lead,
                changed_at=now,
                old_score=lead.score,
                new_score=score,
                reasons=[reason.as_dict() for reason in reasons],
                cause=cause[:200],
            )
        lead.score = score
        lead.score_reasons = [reason.as_dict() for reason in reasons]
        lead.scored_at = now
        lead.save(update_fields=["score", "score_reasons", "scored_at", "updated_at"])
        qualifies = score >= settings.LEADFLOW_MQL_THRESHOLD and not lead.in_cooldown(now)
        if qualifies and lead.stage in (Stage.SUBSCRIBER, Stage.LEAD):
            _move(lead, Stage.MQL, reason=f"Score {score} reached the MQL threshold", now=now)
            _announce_qualified(lead)
    return lead
