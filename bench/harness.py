"""Measure LeadFlow's pages beside bare Django, in the same process and the same run.

Absolute timings move with the machine's load (docs/PERFORMANCE.md, "The machine"), so every product figure
is reported with its ratio to a bare-Django baseline measured in the same repetition:
baseline and product alternate, 3-5 repetitions, and the median and range of the
per-repetition ratio are what to quote. Requests go through Django's full stack (URL
routing, middleware, session, templates, database) with the test client: no network, so
the number is server time.
"""

import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"

# name → (method, URL) of the bare-Django endpoints in leadflow/baseline.py
BASELINES = {
    "tiny view": ("get", "/bench/baseline/tiny/"),
    "50-row HTML list": ("get", "/bench/baseline/rows/"),
    "50-row JSON list": ("get", "/bench/baseline/rows.json"),
    "one-row insert": ("post", "/bench/baseline/insert/"),
}


@dataclass
class Timing:
    """Milliseconds per request over one batch."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.wall, n=20)[-1] if len(self.wall) > 1 else self.wall[0]

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def time_requests(client, method: str, url: str, requests: int, data: dict | None = None) -> Timing:
    """Send `requests` requests (after one warm-up) and time each; a non-2xx answer is an error."""
    send = getattr(client, method)
    warm = send(url, data) if data is not None else send(url)
    if warm.status_code >= 300:
        raise RuntimeError(f"{method.upper()} {url} answered {warm.status_code}")
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = send(url, data) if data is not None else send(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code >= 300:
            raise RuntimeError(f"{method.upper()} {url} answered {response.status_code}")
    return Timing(wall, cpu)


@dataclass
class Comparison:
    name: str
    baseline: str
    product: list[Timing] = field(default_factory=list)
    base: list[Timing] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [p.median / b.median for p, b in zip(self.product, self.base, strict=True)]

    def row(self) -> list[str]:
        product = statistics.median(t.median for t in self.product)
        p95 = statistics.median(t.p95 for t in self.product)
        cpu = statistics.median(t.cpu_median for t in self.product)
        base = statistics.median(t.median for t in self.base)
        ratios = self.ratios
        return [
            self.name,
            f"{product:.1f}",
            f"{p95:.1f}",
            f"{cpu:.1f}",
            f"{base:.2f} ({self.baseline})",
            f"{statistics.median(ratios):.1f}× [{min(ratios):.1f}–{max(ratios):.1f}]",
        ]


def compare(
    client,
    cases: dict[str, str | tuple[str, str]],
    *,
    baseline: str = "50-row HTML list",
    repetitions: int = 3,
    requests: int = 20,
) -> list[Comparison]:
    """Alternate each product URL with a baseline endpoint, `repetitions` times."""
    results = [Comparison(name, baseline) for name in cases]
    base_method, base_url = BASELINES[baseline]
    for _ in range(repetitions):
        for result, target in zip(results, cases.values(), strict=True):
            method, url = ("get", target) if isinstance(target, str) else target
            result.base.append(time_requests(client, base_method, base_url, requests))
            result.product.append(time_requests(client, method, url, requests))
    return results


def table(results: list[Comparison]) -> str:
    head = ["page", "median ms", "p95 ms", "CPU ms", "bare Django ms", "ratio (median [range])"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(result.row()) + " |" for result in results]
    return "\n".join(lines)


def machine_is_quiet(threshold: float = 0.7) -> str:
    """A warning to print when something else is using the CPU (the numbers will be noisy)."""
    load = os.getloadavg()[0]
    return "" if load < threshold else f"WARNING: 1-minute load average is {load:.2f}; numbers will be noisy."


def write_section(section: str, markdown: str) -> None:
    """Replace (or append) one area's section of docs/PERFORMANCE.md, between markers."""
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = REPORT.read_text() if REPORT.exists() else "# LeadFlow performance\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    REPORT.write_text(text)


def timed(label: str, action: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s")
    return value, seconds
