"""Campaigns and what they cost: create, edit, log spend (by hand or from a CSV)."""

import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from guards.dates import bounds_message, in_range

from ..csvio import CsvFileError, detect_format, header_names, listed, read_records, repeated_headers
from ..models import Campaign, CampaignSpend

# What a person may edit on a campaign: this one list is the campaign form's, the admin's and
# what create_campaign/update_campaign accept.
CAMPAIGN_FIELDS = (
    "name",
    "channel",
    "status",
    "owner",
    "starts_on",
    "ends_on",
    "budget",
    "goal_leads",
    "goal_mqls",
    "goal_revenue",
    "utm_campaign",
    "description",
)
SPEND_IMPORT_MAX_BYTES = 1024 * 1024
SPEND_IMPORT_MAX_ROWS = 5000
MAX_AMOUNT = Decimal("9999999999.99")  # what max_digits=12, decimal_places=2 holds


def create_campaign(*, by, **fields) -> Campaign:
    """A new campaign owned by `by` unless another owner is given."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Not campaign fields: {', '.join(sorted(unknown))}")
    fields.setdefault("owner", by)
    campaign = Campaign(**fields)
    campaign.full_clean()
    campaign.save()
    return campaign


def update_campaign(*, campaign_id: int, by, **fields) -> Campaign:
    """Change a campaign's plan (dates, budget, goals, status…)."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Not campaign fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.full_clean()
        campaign.save(update_fields=list(fields))
    return campaign


def add_spend(*, campaign_id: int, spent_on: date, amount: Decimal, note: str = "", by=None) -> CampaignSpend:
    """Log one dated amount spent on the campaign."""
    entry = CampaignSpend(campaign_id=campaign_id, spent_on=spent_on, amount=amount, note=note.strip(), created_by=by)
    entry.full_clean()
    entry.save()
    return entry


def delete_spend(*, campaign_id: int, spend_id: int) -> bool:
    """Remove one entry of the campaign's spend log (a typo, a refunded invoice)."""
    deleted, _ = CampaignSpend.objects.filter(pk=spend_id, campaign_id=campaign_id).delete()
    return bool(deleted)


# --- Spend from a CSV file ------------------------------------------------------------------


@dataclass(frozen=True)
class SpendRow:
    row: int
    status: str  # "added", "skipped" or "error"
    message: str
    spent_on: date | None = None
    amount: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class SpendImportReport:
    rows: list[SpendRow]
    file_error: str = ""
    encoding_note: str = ""  # a file mixing UTF-8 and Latin-1 lines says which (each was read in its own)

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def errors(self) -> int:
        return self.count("error")


_COLUMNS = {
    "date": {"date", "spenton", "spenddate", "day", "invoicedate"},
    "amount": {"amount", "spend", "spent", "cost", "total"},
    "note": {"note", "notes", "description", "memo", "comment"},
}


def import_spend(*, campaign_id: int, upload, by=None) -> SpendImportReport:
    """Add each valid row of a CSV (date, amount, note) to the log; report every row.

    A row equal to an entry already logged (same date, amount and note) is skipped, so
    importing the same file twice adds nothing the second time.
    """
    if upload.size > SPEND_IMPORT_MAX_BYTES:
        return SpendImportReport([], f"The file is {upload.size:,} bytes; spend files are at most 1 MB.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spend.csv"
        with open(path, "wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        try:
            return _import_spend_file(campaign_id, path, by)
        except CsvFileError as error:
            return SpendImportReport([], str(error))


def _import_spend_file(campaign_id: int, path: Path, by) -> SpendImportReport:
    fmt = detect_format(path)
    records = read_records(path, fmt)
    header = next(records, None)
    if header is not None and header.problem:
        raise CsvFileError(f"The first row, which names the columns, cannot be read: {header.problem}")
    cells = header.cells if header else []
    columns = _spend_columns(header_names(cells), cells)
    report: list[SpendRow] = []
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign_id)  # one import at a time per campaign
        logged = set(CampaignSpend.objects.filter(campaign_id=campaign_id).values_list("spent_on", "amount", "note"))
        for record in records:
            row_number, cells = record.number, record.cells
            if len(report) >= SPEND_IMPORT_MAX_ROWS:
                report.append(SpendRow(row_number, "error", f"Stopped: at most {SPEND_IMPORT_MAX_ROWS:,} rows a file."))
                break
            if record.problem:  # a quote that never closes: refused, and the rows after it still count
                report.append(SpendRow(row_number, "error", record.problem))
                continue
            if not any(cell.strip() for cell in cells):
                continue
            row = _spend_row(row_number, cells, columns)
            if row.status == "error":
                report.append(row)
            elif (row.spent_on, row.amount, row.note) in logged:
                report.append(SpendRow(row_number, "skipped", "Already in the spend log.", row.spent_on, row.amount))
            else:
                add_spend(campaign_id=campaign_id, spent_on=row.spent_on, amount=row.amount, note=row.note, by=by)
                logged.add((row.spent_on, row.amount, row.note))
                report.append(row)
    return SpendImportReport(report, encoding_note=fmt.mixed_note)


def _column_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


def _spend_columns(names: list[str], cells: list[str]) -> dict[str, int]:
    """Which column holds the date, the amount and the note; a file naming one of them twice is
    refused (the second column was silently ignored, and nobody can tell which one is right)."""
    known = set().union(*_COLUMNS.values())
    repeats = repeated_headers(cells, key=lambda cell: key if (key := _column_key(cell)) in known else "")
    if repeats:
        header, where = repeats[0]
        raise CsvFileError(
            f"The column “{header}” appears {len(where)} times (columns {listed(where)}): keep one and "
            "upload the file again."
        )
    keys = [_column_key(name) for name in names]
    columns = {}
    for field, synonyms in _COLUMNS.items():
        for index, key in enumerate(keys):
            if key in synonyms and field not in columns:
                columns[field] = index
    missing = [field for field in ("date", "amount") if field not in columns]
    if missing:
        found = ", ".join(names) or "nothing"
        raise CsvFileError(f"The file needs a “date” and an “amount” column (found: {found}).")
    return columns


def _spend_row(row_number: int, cells: list[str], columns: dict[str, int]) -> SpendRow:
    def cell(field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    note = cell("note")
    if len(note) > 200:
        return SpendRow(row_number, "error", f"The note is {len(note):,} characters; at most 200.")
    if "\x00" in note:
        return SpendRow(row_number, "error", "The note contains a NUL character.")
    try:
        spent_on = parse_date(cell("date"))
        amount = parse_amount(cell("amount"))
    except ValidationError as error:
        return SpendRow(row_number, "error", error.messages[0])
    return SpendRow(row_number, "added", "Added.", spent_on, amount, note)


def parse_date(text: str) -> date:
    """ISO dates (2026-03-31, 2026/03/31) or day-first with dots (31.03.2026); nothing ambiguous."""
    if not text:
        raise ValidationError("The date is missing.")
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not in_range(day):
            raise ValidationError(f"The date {text[:40]} is out of range. {bounds_message()}")
        return day
    raise ValidationError(f"“{text[:40]}” is not a date; write it as YYYY-MM-DD (2026-03-31).")


_THOUSANDS_COMMA = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_THOUSANDS_DOT = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")


def parse_amount(text: str) -> Decimal:
    """A non-negative amount: 1234.5, 1,234.50, $1,234.50, 1.234,50 € or 1234,50."""
    raw = text
    text = re.sub(r"[\s$€£¥]|USD|EUR|GBP", "", text)
    if not text:
        raise ValidationError("The amount is missing.")
    if _THOUSANDS_COMMA.fullmatch(text):
        text = text.replace(",", "")
    elif _THOUSANDS_DOT.fullmatch(text) or re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValidationError(f"“{raw[:40]}” is not an amount.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"“{raw[:40]}” is not an amount.") from None
    if amount < 0:
        raise ValidationError(f"The amount {raw[:40]} is negative; spend is never below 0.")
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(f"The amount {raw[:40]} has too many digits (at most 10 before and 2 after the point).")
    return amount.quantize(Decimal("0.01"))
