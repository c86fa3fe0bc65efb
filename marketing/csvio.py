"""Reading CSV files people actually have, and writing CSV that spreadsheets cannot execute.

Reading streams from disk (bounded memory whatever the size): the encoding (UTF-8 with or
without BOM, UTF-16 with BOM, else Windows-1252/Latin-1) and the delimiter (`,` `;` tab
`|`) are detected first, then rows are read one at a time, quoted newlines included.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# A cell may be this long before the reader refuses the row (csv's default is 128 KiB and
# raises mid-file); oversized cells are then reported by the importer, row by row.
MAX_CELL_CHARS = 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)

_CHUNK = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
# What a renamed binary file starts with, and what to call it in the error.
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or a zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
)


class CsvFileError(Exception):
    """The file as a whole cannot be read as CSV; the message says why, for a person."""


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str

    @property
    def delimiter_label(self) -> str:
        return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[self.delimiter]


def detect_format(path: Path) -> CsvFormat:
    """Work out how to read the file, or raise CsvFileError naming the problem."""
    with open(path, "rb") as file:
        head = file.read(_CHUNK)
    if not head.strip():
        raise CsvFileError("The file is empty.")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise CsvFileError(f"This is not a CSV file: it looks like {kind}. Save it as CSV and upload that.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in head:
        raise CsvFileError("This is not a CSV file: it contains binary data.")
    else:
        encoding = _text_encoding(path)
    with open(path, encoding=encoding, newline="") as file:
        sample = file.read(_CHUNK)
    return CsvFormat(encoding=encoding, delimiter=_delimiter(sample))


def _text_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) if every byte of the file decodes as such, else Windows-1252/Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as file:
                while chunk := file.read(_CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # decodes any byte


def _delimiter(sample: str) -> str:
    """The delimiter that splits the header line into the most columns (quoted parts aside)."""
    header = _first_record(sample)
    counts = {delimiter: len(next(csv.reader([header], delimiter=delimiter), [])) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 1 else ","


def _first_record(sample: str) -> str:
    """The text of the first CSV record: up to the first line break outside quotes."""
    quoted = False
    for index, char in enumerate(sample):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return sample[:index]
    return sample


def read_rows(path: Path, fmt: CsvFormat) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) one record at a time; the header is row 1.

    A record the csv module cannot parse (an unterminated quote swallowing the rest of the
    file past MAX_CELL_CHARS) raises CsvFileError naming the row: nothing after it can be
    trusted.
    """
    with open(path, encoding=fmt.encoding, newline="") as file:
        reader = csv.reader(file, delimiter=fmt.delimiter)
        row_number = 0
        while True:
            row_number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise CsvFileError(
                    f"Row {row_number} cannot be read ({error}); the file stops making sense there."
                ) from None
            yield row_number, cells


def header_names(cells: list[str]) -> list[str]:
    """Usable, unique column names: blanks become "Column N", repeats get " (2)", " (3)"…"""
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells, start=1):
        name = " ".join(cell.split())[:100] or f"Column {index}"
        key = name.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            name = f"{name} ({seen[key]})"
        names.append(name)
    return names


def count_records(path: Path, fmt: CsvFormat) -> int:
    """Data rows in the file (records after the header), read the same way the import reads."""
    total = -1
    try:
        for total, _ in enumerate(read_rows(path, fmt)):  # noqa: B007 (the last index is the count)
            pass
    except CsvFileError:
        pass  # the import itself reports the unreadable row
    return max(total, 0)


# --- Writing ------------------------------------------------------------------------------

# Spreadsheets run a cell starting with these as a formula (RELIABILITY.md: CSV export).
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


def csv_lines(rows) -> Iterator[str]:
    """Encode rows of cells as CSV text lines, neutralising every cell on the way."""
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
