"""The campaign calendar: campaigns laid out as bars over a year or a quarter (SVG geometry).

Pure functions from campaigns and a period to coordinates; the template draws them. SVG
attributes carry the geometry, so the page needs no inline styles (CSP).
"""

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

LABEL_WIDTH = 260
CHART_WIDTH = 740
WIDTH = LABEL_WIDTH + CHART_WIDTH
HEAD = 44
ROW = 34
BAR = 20


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    year: int
    quarter: int | None  # None: the whole year

    @classmethod
    def of(cls, year: int, quarter: int | None) -> "Period":
        if quarter:
            first = date(year, 3 * quarter - 2, 1)
            last_month = 3 * quarter
            last = date(year, last_month, _calendar.monthrange(year, last_month)[1])
        else:
            first, last = date(year, 1, 1), date(year, 12, 31)
        return cls(first, last, year, quarter)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)

    def previous(self) -> "Period":
        if self.quarter:
            return Period.of(self.year - 1, 4) if self.quarter == 1 else Period.of(self.year, self.quarter - 1)
        return Period.of(self.year - 1, None)

    def next(self) -> "Period":
        if self.quarter:
            return Period.of(self.year + 1, 1) if self.quarter == 4 else Period.of(self.year, self.quarter + 1)
        return Period.of(self.year + 1, None)

    def x(self, day: date) -> float:
        """Horizontal position of the start of `day`, clamped to the period."""
        day = min(max(day, self.first), self.last + timedelta(days=1))
        return round(LABEL_WIDTH + CHART_WIDTH * (day - self.first).days / self.days, 2)


@dataclass(frozen=True)
class Bar:
    campaign: object
    y: float
    x: float
    width: float
    label: str
    open_start: bool  # began before the period
    open_end: bool  # goes on after it (or has no end)

    @property
    def text_y(self) -> float:
        return self.y + BAR / 2 + 4

    @property
    def row_y(self) -> float:
        return self.y - (ROW - BAR) / 2


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool

    @property
    def label_x(self) -> float:
        return self.x + 6


@dataclass(frozen=True)
class QuarterTotal:
    label: str
    running: int
    starting: int
    budget: Decimal  # budget of the campaigns that start in the quarter


@dataclass
class Timeline:
    period: Period
    bars: list[Bar]
    ticks: list[Tick]
    today_x: float | None
    quarters: list[QuarterTotal] = field(default_factory=list)

    @property
    def height(self) -> int:
        return HEAD + ROW * max(len(self.bars), 1) + 8

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def label_width(self) -> int:
        return LABEL_WIDTH

    @property
    def grid_bottom(self) -> int:
        return self.height - 4

    @property
    def head(self) -> int:
        return HEAD


def build(campaigns, period: Period, *, today: date) -> Timeline:
    """Lay out `campaigns` (already limited to those overlapping the period) as bars."""
    bars = []
    for index, campaign in enumerate(sorted(campaigns, key=lambda c: (c.starts_on, c.name))):
        end = campaign.ends_on or period.last
        x = period.x(campaign.starts_on)
        width = max(period.x(end + timedelta(days=1)) - x, 4)
        name = campaign.name if len(campaign.name) <= 34 else campaign.name[:33] + "…"
        bars.append(
            Bar(
                campaign=campaign,
                y=HEAD + index * ROW + (ROW - BAR) / 2,
                x=x,
                width=round(width, 2),
                label=name,
                open_start=campaign.starts_on < period.first,
                open_end=campaign.ends_on is None or campaign.ends_on > period.last,
            )
        )
    today_x = period.x(today) if period.first <= today <= period.last else None
    timeline = Timeline(period, bars, _ticks(period), today_x)
    if not period.quarter:
        timeline.quarters = _quarters(campaigns, period.year)
    return timeline


def _ticks(period: Period) -> list[Tick]:
    ticks = []
    month = period.first
    while month <= period.last:
        ticks.append(Tick(period.x(month), month.strftime("%b" if not period.quarter else "%B"), True))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    if period.quarter:
        # Mondays, for planning week by week within the quarter.
        monday = period.first + timedelta(days=(7 - period.first.weekday()) % 7)
        while monday <= period.last:
            if monday.day != 1:
                ticks.append(Tick(period.x(monday), str(monday.day), False))
            monday += timedelta(days=7)
    return ticks


def _quarters(campaigns, year: int) -> list[QuarterTotal]:
    totals = []
    for quarter in range(1, 5):
        span = Period.of(year, quarter)
        running = [c for c in campaigns if c.starts_on <= span.last and (c.ends_on is None or c.ends_on >= span.first)]
        starting = [c for c in running if c.starts_on >= span.first]
        totals.append(
            QuarterTotal(span.label, len(running), len(starting), sum((c.budget for c in starting), Decimal(0)))
        )
    return totals
