"""The inventory gate: every URL pattern of the project has a row in the permission table."""

from django.urls import URLPattern, URLResolver, get_resolver

from .matrix import ROWS


def pattern_names(resolver=None, namespace: str = "") -> set[str]:
    """Each pattern's name with its namespace (an unnamed one: its route); Django's admin is "admin"."""
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            names |= pattern_names(entry, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or str(entry.pattern)
            names.add("admin" if namespace == "admin" else f"{namespace}:{name}" if namespace else name)
    return names


def test_every_url_pattern_has_a_row_in_the_permission_table():
    missing = pattern_names() - {row.name for row in ROWS}
    assert not missing, f"URL patterns no row of tests/permissions/matrix.py covers: {sorted(missing)}"


def test_every_row_of_the_permission_table_names_a_url_pattern_that_exists():
    stale = {row.name for row in ROWS} - pattern_names()
    assert not stale, f"rows of tests/permissions/matrix.py for patterns that no longer exist: {sorted(stale)}"


def test_the_table_covers_more_than_a_handful_of_patterns():
    # Guards the gate itself: a resolver walk that found nothing would pass the first test.
    assert len(pattern_names()) > 100


def test_each_row_of_the_permission_table_is_told_apart_by_what_it_asks():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted({row_id for row_id in ids if ids.count(row_id) > 1})
