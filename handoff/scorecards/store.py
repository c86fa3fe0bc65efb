"""Keeping the scorecard rollup current: events mark groups stale, a sweep every minute
recomputes them, and a nightly rebuild recomputes everything (and drops empty groups)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketing.models import Lead

from ..models import ScorecardDirty, ScorecardRow
from ..models.reports import Dimension
from .compute import compute_rows
from .groups import keys_of

VALUE_FIELDS = [
    "label",
    "leads",
    "mqls",
    "offered",
    "accepted",
    "rejected",
    "rejection_reasons",
    "sqls",
    "won",
    "lost",
    "revenue",
    "cost",
    "cost_basis",
    "lead_time_days",
    "rating_sum",
    "rating_count",
    "refreshed_at",
]
BATCH = 5000


def mark_lead(lead: Lead, *, rep_id: int | None = None) -> None:
    """Note that the groups `lead` belongs to need recomputing (inside the event's transaction)."""
    now = timezone.now()
    ScorecardDirty.objects.bulk_create(
        [ScorecardDirty(dimension=dimension, key=key, marked_at=now) for dimension, key in keys_of(lead, rep_id=rep_id)]
    )


@dataclass(frozen=True)
class RefreshReport:
    groups: int
    marks: int


def refresh_stale(*, now: datetime | None = None) -> RefreshReport:
    """Recompute the groups events marked stale; safe with two sweeps at once (same result)."""
    marks = list(ScorecardDirty.objects.order_by("pk").values_list("pk", "dimension", "key")[:BATCH])
    if not marks:
        return RefreshReport(groups=0, marks=0)
    groups: dict[str, set[str]] = {}
    for _pk, dimension, key in marks:
        groups.setdefault(dimension, set()).add(key)
    for dimension, keys in groups.items():
        _store(dimension, compute_rows(dimension, keys=keys, now=now), keys=keys)
    # Exactly the marks read: one added meanwhile (even with a smaller id) waits for the next sweep.
    ScorecardDirty.objects.filter(pk__in=[pk for pk, _d, _k in marks]).delete()
    return RefreshReport(groups=sum(len(keys) for keys in groups.values()), marks=len(marks))


def rebuild_all(*, now: datetime | None = None) -> int:
    """Recompute every group of every dimension; groups with no data any more are dropped."""
    total = 0
    for dimension in Dimension.values:
        rows = compute_rows(dimension, now=now)
        _store(dimension, rows, keys=None)
        total += len(rows)
    return total


def _store(dimension: str, rows: list[ScorecardRow], *, keys: set[str] | None) -> None:
    with transaction.atomic():
        if rows:
            ScorecardRow.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["dimension", "key"],
                update_fields=VALUE_FIELDS,
                batch_size=500,
            )
        gone = ScorecardRow.objects.filter(dimension=dimension).exclude(key__in=[row.key for row in rows])
        if keys is not None:
            gone = gone.filter(key__in=keys)
        gone.delete()
