"""CSV safety (guards/csvsafe.py), cell by cell: what a spreadsheet would run is written as
text, and nothing else changes."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guards.csvsafe import csv_lines, safe_cell

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\x00"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        pytest.param('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")', id="equals"),
        pytest.param("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0", id="plus-dde"),
        pytest.param("-2+3", "'-2+3", id="minus-expression"),
        pytest.param("@SUM(A1:A9)", "'@SUM(A1:A9)", id="at"),
        pytest.param("\t=1+1", "'\t=1+1", id="tab-hides-equals"),
        pytest.param("\r=1+1", "'\r=1+1", id="cr-hides-equals"),
        pytest.param("\x00=1", "'\x00=1", id="nul-hides-equals"),
        pytest.param("=", "'=", id="a-lone-equals"),
        pytest.param("-", "'-", id="a-lone-minus"),
        pytest.param("--5", "'--5", id="two-minuses-is-not-a-number"),
        pytest.param("-5e3", "'-5e3", id="an-exponent-is-not-a-plain-number"),
        pytest.param("-5", "-5", id="a-negative-number-as-text"),
        pytest.param("+44", "+44", id="a-plus-number"),
        pytest.param("-0.25", "-0.25", id="a-negative-decimal"),
        pytest.param("Acme = good", "Acme = good", id="equals-inside"),
        pytest.param(" =1", " =1", id="a-leading-space"),
        pytest.param("'=1", "'=1", id="already-quoted"),
        pytest.param("", "", id="empty"),
        pytest.param("<b>Ada</b>", "<b>Ada</b>", id="markup-stays-text"),
    ],
)
def test_text_is_neutralised_exactly_when_a_spreadsheet_would_run_it(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(None, ""), (True, "yes"), (False, "no"), (-5, -5), (2.5, 2.5), (Decimal("-1200.50"), Decimal("-1200.50"))],
)
def test_values_that_are_not_text_keep_their_meaning(value, written):
    assert safe_cell(value) == written
    assert type(safe_cell(value)) is type(written)


@settings(deadline=None, max_examples=300, database=None)
@given(st.text(max_size=30))
def test_no_text_comes_out_starting_with_a_formula_character_unless_it_is_a_plain_number(text):
    cell = safe_cell(text)
    if cell[:1] in FORMULA_STARTS:
        float(cell)  # only a plain number ("-5", "+44", "-0.25") is left as it was typed
    assert cell in (text, "'" + text)  # at most an apostrophe in front, never anything lost


def test_csv_lines_neutralise_every_cell_and_quote_as_csv_does():
    lines = list(csv_lines([["name", "note"], ["=1+1", 'says "hi", twice'], [None, -3]]))
    assert lines == ["name,note\r\n", '\'=1+1,"says ""hi"", twice"\r\n', ",-3\r\n"]
    assert list(csv.reader(io.StringIO("".join(lines)))) == [
        ["name", "note"],
        ["'=1+1", 'says "hi", twice'],
        ["", "-3"],
    ]


def test_csv_lines_stream_one_line_per_row():
    rows = ([n, f"={n}"] for n in range(10_000))
    lines = csv_lines(rows)
    assert next(lines) == "0,'=0\r\n"  # the first line is out before the rest are read
