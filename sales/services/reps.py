"""Salespeople's availability: away reps get no new offers (routing reads SalesRep.available)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import SalesRep


def set_availability(*, user_id: int, status: str, away_until: date | None = None) -> SalesRep:
    """A rep marks themselves away (until a date) or back; away reps get no new offers."""
    if status not in SalesRep.Status.values:
        raise ValidationError({"status": "Choose active or away."})
    if status == SalesRep.Status.AWAY and away_until is not None and away_until < timezone.localdate():
        raise ValidationError({"away_until": "Pick today or a later date."})
    rep = SalesRep.objects.get(user_id=user_id)
    rep.status = status
    rep.away_until = away_until if status == SalesRep.Status.AWAY else None
    rep.save(update_fields=["status", "away_until"])
    return rep
