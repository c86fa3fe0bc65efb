"""The crawl's measures, written to test-artifacts/quality.json as the tests run (docs/QUALITY.md)."""

import json
from collections import Counter
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "quality.json"


def record(persona: str, **measures) -> None:
    """Merge these measures into the persona's entry of the report."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report.setdefault(persona, {}).update(measures)
    REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


def by_impact(found: dict[str, list[dict]]) -> dict[str, int]:
    """Violations counted by impact over pages ({url: axe violations})."""
    return dict(Counter(violation["impact"] for violations in found.values() for violation in violations))
