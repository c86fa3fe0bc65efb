"""Reading CSV files people actually have (writing CSV that spreadsheets cannot execute is
guards/csvsafe.py's).

Reading streams from disk (bounded memory whatever the size): the encoding and the
delimiter (`,` `;` tab `|`) are detected first, then records are read one at a time,
quoted newlines included, each with the file line it starts on.

Two kinds of damage are reported where they are instead of spoiling the rest of the file:
- A quote that never closes (or closes only lines later, followed by junk) would swallow
  the following rows into one value. That record is refused, naming its line, and reading
  starts again on the line after the one where it began, so the rows after it still land.
- A file that mixes UTF-8 with Windows-1252/Latin-1 (rows pasted from two exports) is
  read line by line, each line in its own encoding: decoding the whole file as Latin-1 turned
  "José" into "JosÃ©" on every UTF-8 line, and as UTF-8 it could not be read at all. Lines
  with only letters of both kinds cannot be mistaken for each other (a Latin-1 accent
  byte is never followed by the continuation bytes UTF-8 needs); the import still says
  the file was mixed and which rows were read as Latin-1, so a person can check them.
"""

import codecs
import csv
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# A cell may be this long before the reader refuses the row (csv's default is 128 KiB and
# raises mid-file); oversized cells are then reported by the importer, row by row.
MAX_CELL_CHARS = 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)

# The encoding of a file mixing UTF-8 lines with Windows-1252 ones (see the module's doc).
MIXED = "utf-8+cp1252"
_LABELS = {
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "Latin-1",
    "utf-16": "UTF-16",
    MIXED: "UTF-8 with some Latin-1 lines",
}

_CHUNK = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_EXAMPLES = 5  # lines named in a message about many
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
    # A mixed file's lines that are not UTF-8: the first few, and how many (detect_format).
    latin1_lines: tuple[int, ...] = ()
    latin1_count: int = 0

    @property
    def delimiter_label(self) -> str:
        return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[self.delimiter]

    @property
    def encoding_label(self) -> str:
        return encoding_label(self.encoding)

    @property
    def mixed_note(self) -> str:
        """What a person should know about a mixed file ("" for any other)."""
        if self.encoding != MIXED:
            return ""
        count, named = self.latin1_count, ", ".join(f"{line:,}" for line in self.latin1_lines)
        more = f" and {count - len(self.latin1_lines):,} more" if count > len(self.latin1_lines) else ""
        lines = f"{count:,} lines (lines {named}{more}) are" if count > 1 else f"line {named} is"
        return (
            f"This file mixes two encodings: most of it is UTF-8, but {lines} Windows-1252 (Latin-1). "
            "Each line was read in its own encoding; check the accents on those rows, or save the file as "
            "UTF-8 and upload it again."
        )


def encoding_label(encoding: str) -> str:
    """How to name an encoding to a person ("UTF-8", "UTF-8 with some Latin-1 lines"…)."""
    return _LABELS.get(encoding, encoding.upper())


@dataclass(slots=True)
class Record:
    """One CSV record: its number (the header is 1), the file line it starts on, its cells.

    A record that cannot be read has a `problem` (for a person, naming the line) and the
    cells of its first line alone; the lines after that line are read again as records.
    """

    number: int
    line: int
    cells: list[str]
    problem: str = ""
    latin1: bool = False  # a line of it was not UTF-8 and was read as Windows-1252/Latin-1


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
        fmt = CsvFormat(encoding=_utf16(path), delimiter=",")
    elif b"\x00" in head:
        raise CsvFileError("This is not a CSV file: it contains binary data.")
    else:
        fmt = _text_encoding(path)
    sample = []
    for _, text, _ in _decoded_lines(path, fmt.encoding):
        sample.append(text)
        if sum(map(len, sample)) >= _CHUNK:
            break
    return CsvFormat(fmt.encoding, _delimiter("".join(sample)), fmt.latin1_lines, fmt.latin1_count)


def _utf16(path: Path) -> str:
    if not _decodes_all(path, "utf-16"):
        raise CsvFileError(
            "The file starts like UTF-16 text but is not UTF-16 all through. Save it as CSV UTF-8 and upload that."
        )
    return "utf-16"


def _decodes_all(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_encoding(path: Path) -> CsvFormat:
    """UTF-8 (BOM or not) if the whole file decodes as such; Windows-1252 (else Latin-1, which
    decodes any byte) if no line does; MIXED when some lines are UTF-8 and others are not."""
    if _decodes_all(path, "utf-8-sig"):  # the usual case, at the speed of the codec
        return CsvFormat("utf-8-sig", ",")
    utf8_seen, not_utf8, count, cp1252 = False, [], 0, True
    with open(path, "rb") as file:
        for number, line in enumerate(_byte_lines(file), start=1):
            if line.isascii():
                continue
            if _decodes(line, "utf-8"):
                utf8_seen = True  # a BOM counts: the file says it is UTF-8
                continue
            count += 1
            if len(not_utf8) < _EXAMPLES:
                not_utf8.append(number)
            cp1252 = cp1252 and _decodes(line, "cp1252")
    if utf8_seen:
        return CsvFormat(MIXED, ",", tuple(not_utf8), count)
    return CsvFormat("cp1252" if cp1252 else "latin-1", ",")


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _byte_lines(file) -> Iterator[bytes]:
    """The lines of a binary file, each with its break (\n, \r\n or a lone \r, as csv reads
    them), read in chunks: a line is never longer in memory than it is in the file."""
    pieces: list[bytes] = []
    while chunk := file.read(_CHUNK):
        if pieces and pieces[-1].endswith(b"\r"):  # the last chunk ended on \r: a break, with \n or alone
            if chunk.startswith(b"\n"):
                pieces.append(b"\n")
                chunk = chunk[1:]
            yield b"".join(pieces)
            pieces = []
        start = 0
        for match in _LINE_BREAK.finditer(chunk):
            if match.end() == len(chunk) and match.group() == b"\r":
                break  # perhaps the first half of \r\n: the next chunk says
            pieces.append(chunk[start : match.end()])
            yield b"".join(pieces)
            pieces, start = [], match.end()
        if start < len(chunk):
            pieces.append(chunk[start:])
    if pieces:
        yield b"".join(pieces)


def _decoded_lines(path: Path, encoding: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, read as Latin-1) for each line of the file, in the detected encoding.

    Text mode (newline="" splits lines as csv does) for a file in one encoding; a mixed one is
    split as bytes and each line decoded on its own.
    """
    if encoding != MIXED:
        number = 0
        with open(path, encoding=encoding, newline="") as file:
            try:
                for number, text in enumerate(file, start=1):
                    yield number, text, False
            except UnicodeDecodeError:
                label = encoding_label(encoding)
                raise CsvFileError(
                    f"Line {number + 1} is not {label} text; the file stops making sense there."
                ) from None
        return
    with open(path, "rb") as file:
        for number, line in enumerate(_byte_lines(file), start=1):
            yield number, *_decoded(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)


def _decoded(line: bytes) -> tuple[str, bool]:
    """A line of a mixed file: UTF-8 if it is, else Windows-1252 (Latin-1 for its 5 unused bytes)."""
    try:
        return line.decode("utf-8"), False
    except UnicodeDecodeError:
        return (line.decode("cp1252") if _decodes(line, "cp1252") else line.decode("latin-1")), True


def _delimiter(sample: str) -> str:
    """The delimiter that splits the header line into the most columns (quoted parts aside)."""
    header = _first_record(sample)
    counts = {delimiter: _width(header, delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 1 else ","


def _width(header: str, delimiter: str) -> int:
    """How many columns `delimiter` splits the header into (0 if csv cannot read it that way:
    a quote that is only a quote for another delimiter can leave a line break unquoted)."""
    try:
        return len(next(csv.reader([header], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _first_record(sample: str) -> str:
    """The text of the first CSV record: up to the first line break outside quotes."""
    quoted = False
    for index, char in enumerate(sample):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return sample[:index]
    return sample


class _Lines:
    """The file's lines for csv.reader, one record at a time, able to give lines back to be
    read again (after a broken record). Holds at most one record's lines: bounded memory."""

    def __init__(self, source: Iterator[tuple[int, str, bool]]):
        self._source = source
        self._again: deque[tuple[int, str, bool]] = deque()
        self.taken: list[tuple[int, str, bool]] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._source)
        self.taken.append(line)
        return line[1]

    def read_again(self, lines: Iterable[tuple[int, str, bool]]) -> None:
        self._again.extendleft(reversed(list(lines)))


def read_records(path: Path, fmt: CsvFormat) -> Iterator[Record]:
    """Yield the file's records one at a time; the header is record 1.

    A record whose quote never closes, or closes lines later followed by junk, or that holds
    a value over MAX_CELL_CHARS, comes with a `problem`; reading goes on at the line after
    the one where it began. Raises CsvFileError only when the text itself cannot be decoded.
    """
    lines = _Lines(_decoded_lines(path, fmt.encoding))
    # One reader for the whole file: csv starts every record afresh, even after an error,
    # and it only ever sees the lines _Lines hands it (some of them a second time).
    reader = csv.reader(lines, delimiter=fmt.delimiter)
    headers: list[str] = []
    number = 0
    while True:
        lines.taken = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        number += 1
        taken = lines.taken
        problem = ""
        if cells is None or len(taken) > 1 or _open_at_the_end(taken[0][1], cells):
            problem = _problem(taken, cells, fmt.delimiter, headers)
        if problem:
            lines.read_again(taken[1:])
            cells = _cells_of(taken[0][1].rstrip("\r\n"), fmt.delimiter)
        if number == 1:
            headers = cells
        latin1 = fmt.encoding == MIXED and any(read_as_latin1 for _, _, read_as_latin1 in taken)
        yield Record(number, taken[0][0], cells, problem, latin1)


def _open_at_the_end(line: str, cells: list[str]) -> bool:
    """Whether a record of one line may have ended inside a quote: its line break landed in its
    last value, or the file ended without one. (Anything else ends inside quotes only at
    the end of the file: csv reads on to the next line otherwise.)"""
    return not line.endswith(("\n", "\r")) or bool(cells and cells[-1].endswith(("\n", "\r")))


def _problem(taken, cells, delimiter: str, headers: list[str]) -> str:
    """Why the record read from `taken` lines cannot be trusted, for a person ("" if it can)."""
    first, last = taken[0][0], taken[-1][0]
    if cells is None:
        return (
            f"A value on line {first} is over {MAX_CELL_CHARS:,} characters long (a quote that never closes?). "
            f"Reading went on at line {first + 1}."
        )
    text = "".join(line for _, line, _ in taken)
    opened = _column(taken[0][1], delimiter, headers)
    if _ends_inside_quotes(text, delimiter):  # only at the end of the file: csv reads on otherwise
        if len(taken) == 1:
            return f"A quote opens {opened} on line {first}, the last line, and is never closed."
        return (
            f"A quote opens {opened} on line {first} and is never closed, so it would swallow the rest of the file. "
            f"Close the quote; the lines after line {first} were read as rows of their own."
        )
    if len(taken) == 1:
        return ""  # one whole line, stray quotes and all: read as it always was
    try:
        whole = list(csv.reader([line for _, line, _ in taken], delimiter=delimiter, strict=True))
    except csv.Error:
        whole = []
    if len(whole) != 1:
        return (
            f"A quote opens {opened} on line {first} and runs on to line {last} without closing cleanly: a closing "
            f"quote is probably missing. The lines after line {first} were read as rows of their own."
        )
    if headers and len(cells) != len(headers):  # it closed, but on a later row's quote
        return (
            f"A quote opens {opened} on line {first} and runs on to line {last}, where the row ends with "
            f"{len(cells)} values for {len(headers)} columns: a closing quote is probably missing. The lines after "
            f"line {first} were read as rows of their own."
        )
    return ""  # a quoted value over several lines, closed properly


def _cells_of(line: str, delimiter: str) -> list[str]:
    """The cells of one line read alone (an open quote ends with the line)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line[: MAX_CELL_CHARS // 2]]


def _column(line: str, delimiter: str, headers: list[str]) -> str:
    """ "“Notes”" (or "column 4"): the column whose value opens the quote on `line`."""
    index = len(_cells_of(line, delimiter)) - 1
    return f"“{headers[index]}”" if 0 <= index < len(headers) and headers[index].strip() else f"column {index + 1}"


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether csv would still be inside a quoted value at the end of `text`: a quote opens a
    value only at its start, and inside one a doubled quote is a literal quote."""
    inside, at_start, index = False, True, 0
    while index < len(text):
        char = text[index]
        if inside:
            if char == '"':
                if text.startswith('"', index + 1):
                    index += 1  # "" is a quote inside the value
                else:
                    inside, at_start = False, False
        elif char == '"' and at_start:
            inside = True
        else:
            at_start = char == delimiter or char in "\r\n"
        index += 1
    return inside


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


def repeated_headers(cells: list[str], key) -> list[tuple[str, list[int]]]:
    """(the header as first written, its 1-based column positions) for every header that
    appears more than once, compared by `key` (a function of the header's text)."""
    positions: dict[str, list[int]] = {}
    written: dict[str, str] = {}
    for index, cell in enumerate(cells, start=1):
        name = key(cell)
        if name:
            positions.setdefault(name, []).append(index)
            written.setdefault(name, " ".join(cell.split())[:100])
    return [(written[name], where) for name, where in positions.items() if len(where) > 1]


def listed(numbers: list[int]) -> str:
    """[1, 3, 5] → "1, 3 and 5", for messages naming lines or columns."""
    *rest, last = [f"{number:,}" for number in numbers]
    return f"{', '.join(rest)} and {last}" if rest else last


def count_records(path: Path, fmt: CsvFormat) -> int:
    """Data rows in the file (records after the header), read the same way the import reads."""
    total = 0
    try:
        for total, _ in enumerate(read_records(path, fmt)):  # noqa: B007 (the last index is the count)
            pass
    except CsvFileError:
        pass  # the import itself reports the unreadable line
    return total
