"""Every row of the bad-input table: its status (never a 5xx), the field its error names, the
rows it adds, and nothing else changed anywhere."""

import pytest
from django.apps import apps
from django.test import override_settings

from tests.permissions.snapshot import fingerprint

from .table import TABLE
from .vocabulary import is_json, named_fields, text_of


def bookkeeping(table: str) -> bool:
    """Rows a stated change brings along: the audit log's (who changed what) and the marks
    that tell the scorecards' refresh what to recompute."""
    return table.startswith("audit_") or table == "handoff_scorecarddirty"


def _cases():
    for case in TABLE:
        marks = list(case.marks)
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        yield pytest.param(case, id=case.id, marks=marks)


def table_of(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def summary(response) -> str:
    where = response.request["PATH_INFO"]
    text = " ".join(text_of(response).split())
    return f"{response.status_code} from {where}: {text[:400]}"


@pytest.mark.parametrize("case", list(_cases()))
def test_a_bad_input_gets_its_answer_and_changes_only_what_the_table_says(cast, db, case):
    world = cast.world
    if case.setup:
        case.setup(world)
    before = fingerprint()

    with override_settings(**(case.settings or {})):
        response = case.send(cast.client("anonymous" if case.by == "visitor" else case.by), world)

    assert response.status_code < 500, summary(response)
    assert response.status_code == case.status, summary(response)
    if response.request["PATH_INFO"].startswith("/api/"):
        assert is_json(response), f"the API answered {response.get('Content-Type')}"
    if case.field:
        named = named_fields(response)
        assert named == {case.field}, f"the answer names {sorted(named) or 'no field'}: {summary(response)}"
    if case.says:
        assert case.says in text_of(response), summary(response)
    after = fingerprint()
    stated = {table_of(label): added for label, added in (case.changes or {}).items()}
    for table, added in stated.items():
        assert after[table][0] - before[table][0] == added, f"{table}: {before[table][0]} → {after[table][0]} rows"
    changed = sorted(
        table
        for table in after
        if before.get(table) != after[table] and table not in stated and not (case.changes and bookkeeping(table))
    )
    assert not changed, f"changed, though the table does not say so: {changed}"
    if case.then:
        case.then(cast, response)


# Each bad input docs/RELIABILITY.md names, as the table's rows word it: a row must still
# say it (a row renamed or dropped takes the rule's case out of CI).
NAMED_BY_THE_RULES = {
    "oversized field": "a 1 MB first name",
    "body over the limit": "a body over the 1 MB limit",
    "deeply nested JSON": "nested 5,000 deep",
    "malformed JSON": "malformed JSON",
    "top-level array": "a top-level array",
    "wrong content type": "instead of JSON",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "NUL bytes": "NUL byte",
    "lone surrogates": "lone surrogate",
    "invalid email": "an invalid email",
    "CRLF-injected email": "CRLF-injected",
    ">254-character email": "255-character email",
    "same email in other case": "in capitals",
    "…whitespace": "in spaces",
    "…NFC/NFD": "decomposed (NFD)",
    "…full-width": "full-width",
    "mixed-script look-alike domain": "look-alike",
    "<script> in any text": "<script>",
    "search with %": "a search for %",
    "search with _": "a search for _",
    "search with quotes": "quote",
    "mass assignment": "is_staff",
    "skipped transition": "three steps",
    "discovery → won": "Discovery to Won",
    "lost → won by a salesperson": "Lost to Won by the salesperson",
    "accepting someone else's offer": "accepting another team's offer",
    "reject without a reason": "a rejection without a reason",
    "rating outside 1–5": "rated 6",
    "unknown enum": "an unknown",
    "impossible dates": "30 February",
    "page_size=10⁶": "page_size=10^6",
    "ordering on a non-whitelisted field": "ordered by",
    "CSV with a BOM": "byte-order mark",
    "CSV in Latin-1": "Latin-1",
    "CSV with ;": "`;`",
    "CSV with quoted newlines": "quoted line break",
    "CSV with a missing header": "a header left empty",
    "CSV with a duplicate header": "named twice",
    "CSV with a 200 KB field": "200 KB",
    "binary renamed .csv": "renamed .csv",
    "CSV over the limit": "a file over the limit",
    "CSV export formulas": "formulas",
}


def test_the_table_has_a_row_for_every_bad_input_the_rules_name():
    missing = [rule for rule, words in NAMED_BY_THE_RULES.items() if not any(words in case.what for case in TABLE)]
    assert not missing, f"no row of the bad-input table covers: {missing}"


def test_each_row_of_the_table_is_told_apart_by_what_it_sends():
    ids = [case.id for case in TABLE]
    assert len(ids) == len(set(ids)), sorted({case_id for case_id in ids if ids.count(case_id) > 1})
