"""Keeping the scorecard rollup current: events mark groups stale, a sweep every minute
recomputes them, and a nightly rebuild recomputes everything (and drops empty groups).

Groups are computed and stored many at once; when that fails, the work is split in halves
until the group that cannot be done (a mark no event writes, a sum too large for its
column) is alone: it is logged and skipped, and every other group is still current.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from marketing.models import Lead

from ..models import Dimension, ScorecardDirty, ScorecardRow
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
logger = logging.getLogger(__name__)


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
        _refresh(dimension, sorted(keys), now)
    # Exactly the marks read: one added meanwhile (even with a smaller id) waits for the next sweep.
    # A group that failed loses its marks too: the nightly rebuild recomputes it anyway.
    ScorecardDirty.objects.filter(pk__in=[pk for pk, _d, _k in marks]).delete()
    return RefreshReport(groups=sum(len(keys) for keys in groups.values()), marks=len(marks))


def _refresh(dimension: str, keys: list[str], now: datetime | None) -> None:
    try:
        with transaction.atomic():
            _store(dimension, compute_rows(dimension, keys=set(keys), now=now), keys=set(keys))
    except Exception:
        if len(keys) == 1:
            logger.exception("scorecards: group %s %r could not be refreshed; skipped", dimension, keys[0])
            return
        half = len(keys) // 2
        _refresh(dimension, keys[:half], now)
        _refresh(dimension, keys[half:], now)


def rebuild_all(*, now: datetime | None = None) -> int:
    """Recompute every group of every dimension; groups with no data any more are dropped."""
    total = 0
    for dimension in Dimension.values:
        try:
            total += _store(dimension, compute_rows(dimension, now=now), keys=None)
        except Exception:
            logger.exception("scorecards: dimension %s could not be rebuilt; skipped", dimension)
    return total


def _store(dimension: str, rows: list[ScorecardRow], *, keys: set[str] | None) -> int:
    """Write the rows and drop the groups (among `keys`; None: all) that have none; how many were written."""
    with transaction.atomic():
        written = _upsert(rows)
        # A row that could not be written keeps its last value rather than vanishing.
        gone = ScorecardRow.objects.filter(dimension=dimension).exclude(key__in=[row.key for row in rows])
        if keys is not None:
            gone = gone.filter(key__in=keys)
        gone.delete()
    return written


def _upsert(rows: list[ScorecardRow]) -> int:
    if not rows:
        return 0
    try:
        with transaction.atomic():
            ScorecardRow.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["dimension", "key"],
                update_fields=VALUE_FIELDS,
                batch_size=500,
            )
        return len(rows)
    except DatabaseError:
        if len(rows) == 1:
            logger.exception("scorecards: group %s %r could not be stored; skipped", rows[0].dimension, rows[0].key)
            return 0
        half = len(rows) // 2
        return _upsert(rows[:half]) + _upsert(rows[half:])
