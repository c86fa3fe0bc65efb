"""Link patterns that can never come back, checked in the template sources themselves."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# `{% querystring %}` renders its own leading "?"; one written before it makes "??after=…",
# which every browser reads as a parameter named "?after" and ignores (page 1 again).
DOUBLE_QUESTION_MARK = re.compile(r"\?\s*\{%\s*querystring")


def template_sources() -> list[Path]:
    roots = [ROOT / "templates", *(ROOT / app for app in ("marketing", "sales", "handoff", "leadflow"))]
    return sorted({path for root in roots for path in root.rglob("*.html")} | set((ROOT / "templates").rglob("*.txt")))


def test_the_project_has_templates_to_check():
    assert len(template_sources()) > 50


def test_no_template_writes_a_question_mark_before_querystring():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in template_sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DOUBLE_QUESTION_MARK.search(line)
    ]
    assert offenders == [], "write href=\"{% querystring … %}\" (the tag adds the '?'):\n" + "\n".join(offenders)


def test_the_guard_recognises_the_broken_pattern():
    assert DOUBLE_QUESTION_MARK.search('<a href="?{% querystring page=2 %}">')
    assert DOUBLE_QUESTION_MARK.search('<a href="?{%querystring page=2 %}">')
    assert not DOUBLE_QUESTION_MARK.search('<a href="{% querystring page=2 %}">')
