"""Keyset pagination and a capped count: pages of a million rows without OFFSET or COUNT(*).

A page is "the next 50 rows after this (sort key, id)"; PostgreSQL answers that from the
(sort key, id) index whatever the page, where OFFSET 500,000 reads half a million rows
first. The total is counted up to COUNT_CAP and shown as "10,000+" beyond it.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.dateparse import parse_datetime

COUNT_CAP = 10_000


class BadCursor(ValueError):
    """A page link that was not made by this list (edited by hand, or from another sort)."""


@dataclass(frozen=True)
class Sort:
    label: str
    fields: tuple[str, ...]  # without the id tie-breaker
    descending: bool

    def order_by(self, *, reverse: bool = False) -> list[str]:
        descending = self.descending != reverse
        return [("-" if descending else "") + name for name in (*self.fields, "id")]


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def paginate(queryset: QuerySet, sort: Sort, *, after: str = "", before: str = "", size: int = 50) -> Page:
    """One page of `queryset` in `sort` order, after or before a cursor of a previous page."""
    backwards = bool(before) and not after
    cursor = _decode(before if backwards else after, sort)
    columns = Tuple(*[F(name) for name in (*sort.fields, "id")])
    if cursor is not None:
        # Forward in a descending sort means smaller keys; backwards flips it.
        smaller = sort.descending != backwards
        lookup = TupleLessThan if smaller else TupleGreaterThan
        queryset = queryset.filter(lookup(columns, tuple(cursor)))
    rows = list(queryset.order_by(*sort.order_by(reverse=backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        return Page(rows, _encode(rows[-1], sort) if rows else "", _encode(rows[0], sort) if more and rows else "")
    return Page(
        rows,
        _encode(rows[-1], sort) if more else "",
        _encode(rows[0], sort) if cursor is not None and rows else "",
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP, *, sort: Sort | None = None) -> tuple[int, bool]:
    """(count, capped): counts at most `cap` rows, so a million-row table costs a bounded scan.

    With the page's `sort`, PostgreSQL may walk the same index as the page and stop at the
    cap (a common search term); unsorted, it bitmap-scanned every match first.
    """
    ordering = sort.order_by() if sort else []
    count = queryset.order_by(*ordering).values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


def _encode(row, sort: Sort) -> str:
    values = [_plain(getattr(row, name)) for name in (*sort.fields, "id")]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _decode(token: str, sort: Sort) -> list | None:
    if not token:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        raise BadCursor("This page link is broken; start again from the first page.") from None
    if not isinstance(values, list) or len(values) != len(sort.fields) + 1:
        raise BadCursor("This page link belongs to another sort order; start again from the first page.")
    decoded = []
    for name, value in zip((*sort.fields, "id"), values, strict=True):
        decoded.append(_typed(name, value))
    return decoded


def _typed(name: str, value):
    if name in ("id", "score"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadCursor("This page link is broken; start again from the first page.")
        return value
    if name.endswith("_at"):
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise BadCursor("This page link is broken; start again from the first page.")
        return moment
    if not isinstance(value, str) or "\x00" in value:
        raise BadCursor("This page link is broken; start again from the first page.")
    return value
