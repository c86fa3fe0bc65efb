"""Small exact statistics shared by the rollups and the widgets."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal


def whole_days(start: datetime, end: datetime) -> int:
    """Whole days between two moments, counted in whole seconds (as rollups.sql.WholeDays)."""
    return (int(end.timestamp()) - int(start.timestamp())) // 86400


def median(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times): the middle one, or the mean of two."""
    counts = sorted((value, n) for value, n in histogram if n)
    total = sum(n for _value, n in counts)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # positions of the middle value(s), 0-based
    found, seen = [], 0
    for value, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return (found[0] + found[1]) / 2


def percent(part, whole) -> float | None:
    return round(100 * float(part) / float(whole), 1) if whole else None


def ratio(part, whole) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01")) if whole else None
