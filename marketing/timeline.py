"""A lead's story in one list: visits and actions, stage moves (sales' verdicts included),
score changes with their reasons, merges, and the final outcome. Reads only."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from .models import Lead

TOUCHES_SHOWN = 100
SCORE_CHANGES_SHOWN = 50


@dataclass(frozen=True)
class Event:
    kind: str  # touch, stage, score, merge, outcome
    when: datetime
    item: object


@dataclass(frozen=True)
class Timeline:
    events: list[Event]
    touches_total: int
    touches_hidden: int


def lead_timeline(lead: Lead) -> Timeline:
    """Newest first; a fixed number of queries however long the lead's history."""
    touches = list(lead.touchpoints.select_related("campaign").order_by("-occurred_at", "-id")[:TOUCHES_SHOWN])
    touches_total = len(touches) if len(touches) < TOUCHES_SHOWN else lead.touchpoints.count()
    events = [Event("touch", touch.occurred_at, touch) for touch in touches]
    events += [Event("stage", change.entered_at, change) for change in lead.stage_changes.select_related("changed_by")]
    events += [
        Event("score", change.changed_at, change)
        for change in lead.score_changes.order_by("-changed_at", "-id")[:SCORE_CHANGES_SHOWN]
    ]
    events += [Event("merge", merge.merged_at, merge) for merge in lead.merges.select_related("merged_by")]
    if lead.outcome and lead.outcome_at:
        events.append(Event("outcome", lead.outcome_at, lead))
    # Same moment: the outcome reads best above the stage it caused, the stage above its score.
    order = {"outcome": 0, "stage": 1, "score": 2, "merge": 3, "touch": 4}
    events.sort(key=lambda event: (event.when, -order[event.kind]), reverse=True)
    return Timeline(events, touches_total, max(touches_total - len(touches), 0))


def possible_duplicates(lead: Lead, limit: int = 5) -> list[Lead]:
    """Other leads that look like the same person: same phone, or same name at one company."""
    same = Q()
    if lead.phone_key:
        same |= Q(phone_key=lead.phone_key)
    if lead.name_key and lead.work_domain:
        same |= Q(name_key=lead.name_key, work_domain=lead.work_domain)
    if lead.name_key and lead.company_key:
        same |= Q(name_key=lead.name_key, company_key=lead.company_key)
    if not same:
        return []
    return list(Lead.objects.active().filter(same).exclude(pk=lead.pk).order_by("created_at")[:limit])
