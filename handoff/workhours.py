"""Working time: an SLA counts only a team's working hours, in its own time zone.

All arithmetic is done on UTC instants: subtracting two datetimes that share a ZoneInfo
ignores a DST change between them, so local times are only used to find the windows.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A window search never needs more than a week; this bounds a misconfigured calendar.
_MAX_DAYS = 400


@dataclass(frozen=True)
class WorkingHours:
    zone: ZoneInfo
    days: frozenset[int]  # Monday = 0
    starts: time
    ends: time  # time(0): midnight at the end of the day

    @classmethod
    def of(cls, *, time_zone: str, days: set[int], starts: time, ends: time) -> "WorkingHours":
        return cls(ZoneInfo(time_zone), frozenset(days), starts, ends)

    @classmethod
    def around_the_clock(cls) -> "WorkingHours":
        return cls(ZoneInfo("UTC"), frozenset(range(7)), time(0), time(0))

    @property
    def is_around_the_clock(self) -> bool:
        return self.days == frozenset(range(7)) and self.starts == self.ends == time(0)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.starts, tzinfo=self.zone)
        end_day = day + timedelta(days=1) if self.ends == time(0) else day
        end = datetime.combine(end_day, self.ends, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (UTC) that end after `since`, in order; the first may have begun."""
        if not self.days:
            return
        day = since.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(_MAX_DAYS):
            current = day + timedelta(days=offset)
            if current.weekday() not in self.days:
                continue
            start, end = self._window(current)
            if end > since:
                yield max(start, since), end

    def add(self, since: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `since`."""
        if self.is_around_the_clock:
            return since + timedelta(minutes=minutes)
        left = timedelta(minutes=minutes)
        for start, end in self.windows(since.astimezone(UTC)):
            if end - start >= left:
                return start + left
            left -= end - start
        raise ValueError("These working hours have no working time in the next year.")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes from `start` to `end` (0 if `end` is not later)."""
        if end <= start:
            return 0.0
        if self.is_around_the_clock:
            return (end - start).total_seconds() / 60
        total = timedelta()
        for window_start, window_end in self.windows(start.astimezone(UTC)):
            if window_start >= end:
                break
            total += min(window_end, end) - window_start
        return total.total_seconds() / 60

    def is_working(self, moment: datetime) -> bool:
        first = next(self.windows(moment.astimezone(UTC)), None)
        return first is not None and first[0] <= moment
