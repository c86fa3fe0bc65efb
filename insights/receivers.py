"""Insights listens to handoff's facts; handoff never knows (docs/ARCHITECTURE.md, "Read models")."""

from django.dispatch import receiver

from handoff.signals import handoff_changed
from marketing.models import Lead

from . import scorecards


@receiver(handoff_changed, dispatch_uid="insights-scorecards-handoff-changed")
def mark_scorecards_stale(sender, *, lead: Lead, rep_id: int | None = None, **kwargs) -> None:
    # Runs inside the event's transaction: the mark commits (or rolls back) with the event.
    scorecards.mark_lead(lead, rep_id=rep_id)
