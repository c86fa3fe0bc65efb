"""CSV that spreadsheets cannot execute: every export (marketing's lists, the dashboard's)
writes its cells through here.

A cell starting with = + - @ is run as a formula by Excel, LibreOffice and Google Sheets
(`=HYPERLINK(...)` in a lead's company name phones home when a colleague opens the export),
and a leading TAB, CR or NUL hides such a start from the common escaping libraries
(docs/RELIABILITY.md, trap 10).
"""

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

# Spreadsheets run a cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value) -> str | int | float | Decimal:
    """A value as a CSV cell that no spreadsheet will evaluate.

    Numbers stay numbers (and a text that is only a plain number, like "-5", is left as
    is: it cannot be a formula). Any other text starting with = + - @ TAB CR or NUL gets a
    leading apostrophe, which spreadsheets show as text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class Echo:
    """A file-like object whose write() returns the line, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Encode rows of cells as CSV text lines, neutralising every cell on the way."""
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
