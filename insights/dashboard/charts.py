"""Geometry for the server-rendered SVG charts (the templates draw; nothing here is HTML).

The CSP forbids inline styles, so sizes are SVG attributes computed here and colours are
classes in static/css/dashboard.css.
"""

import math
from dataclasses import dataclass


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above value, for a chart's top gridline."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_number(value, money: bool = False) -> str:
    """1234567 → "1.2M"; 48200 → "48.2k" (with "$" for money)."""
    value = float(value or 0)
    sign, value = ("-" if value < 0 else ""), abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{value:.0f}"
    return f"{sign}{'$' if money else ''}{text}"


@dataclass
class Column:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    title: str
    url: str = ""
    label_x: float = 0
    count: int | None = None  # what the bar's link opens: its rows and their sum
    total: float | None = None


@dataclass
class Tick:
    y: float
    label: str


def columns(points: list[tuple[str, float, str, str]], *, width: int = 640, height: int = 220, money: bool = True):
    """Vertical bars for (label, value, title, url) points, with gridlines; returns (columns, ticks)."""
    left, bottom, top = 48, 24, 8
    plot_height = height - bottom - top
    ceiling = nice_ceiling(max((float(value) for _l, value, _t, _u in points), default=0))
    slot = (width - left) / max(len(points), 1)
    bar = min(slot * 0.64, 56)
    bars = []
    for index, (label, value, title, url) in enumerate(points):
        bar_height = plot_height * float(value) / ceiling
        x = left + index * slot + (slot - bar) / 2
        bars.append(
            Column(label, float(value), round(x, 1), round(top + plot_height - bar_height, 1), round(bar, 1),
                   round(max(bar_height, 0), 1), title, url, round(x + bar / 2, 1))
        )  # fmt: skip
    ticks = [
        Tick(round(top + plot_height * (1 - share), 1), short_number(ceiling * share, money)) for share in (0, 0.5, 1)
    ]
    return bars, ticks


def share(value, whole) -> float:
    """A bar's length in percent of the longest (0–100, for a viewBox 100 wide)."""
    whole = float(whole or 0)
    return round(100 * float(value or 0) / whole, 2) if whole else 0.0


def donut(parts: list[tuple[str, float]], *, radius: float = 15.9155) -> list[dict]:
    """Arcs of a ring chart (circumference 100 at this radius) as stroke-dasharray/offset pairs."""
    total = sum(float(value) for _key, value in parts) or 1.0
    arcs, start = [], 0.0
    for key, value in parts:
        length = 100 * float(value) / total
        arcs.append({"key": key, "dasharray": f"{length:.2f} {100 - length:.2f}", "dashoffset": f"{25 - start:.2f}"})
        start += length
    return arcs


def spark_y(value: float, *, height: int = 64, floor: float = 50, ceiling: float = 100) -> float:
    """Where a percentage sits on a sparkline showing floor…ceiling (values outside are clamped)."""
    clamped = min(max(float(value), floor), ceiling)
    return round(height - 4 - (height - 8) * (clamped - floor) / (ceiling - floor), 1)


def sparkline(values: list[float | None], *, width: int = 240, height: int = 64) -> str:
    """SVG polyline points for a series of percentages (None values are skipped)."""
    known = [(index, value) for index, value in enumerate(values) if value is not None]
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{index * step:.1f},{spark_y(value, height=height)}" for index, value in known)
