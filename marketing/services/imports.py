"""CSV import of leads: upload, map, preview, run in batches, report.

A batch of rows is written in one transaction together with the import's checkpoint and
its refused rows, so the task can die anywhere and run again without doing a row twice.
"""

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import imports
from ..csvio import MIXED, CsvFileError, CsvFormat, count_records, detect_format, header_names, read_records
from ..models import (
    Campaign,
    ImportRowError,
    Lead,
    LeadEmailAlias,
    LeadImport,
    LeadStageChange,
    ScoreChange,
    Stage,
    Touchpoint,
)
from ..scoring import compute_score, load_rules
from .capture import Capture, capture_lead, channel_of, landing, resolve_aliases
from .scoring import qualify_if_over, score_many

logger = logging.getLogger(__name__)

BATCH = 500
PREVIEW_ROWS = 1000
SAMPLE_ROWS = 5
LATIN1_ROWS_SHOWN = 20
ABANDONED_AFTER = timedelta(days=7)  # an upload nobody started is deleted after this


class ImportRefused(Exception):
    """The file cannot be imported at all; the message says why."""

    http_status = 400


def max_bytes() -> int:
    return settings.LEADFLOW_IMPORT_MAX_MB * 1024 * 1024


# --- upload and mapping -------------------------------------------------------------------------


def create_import(*, upload, by, campaign_id: int | None = None, source: str = "") -> LeadImport:
    """Keep the uploaded file and read enough of it to map its columns."""
    if upload.size > max_bytes():
        size, limit = upload.size / 1024 / 1024, settings.LEADFLOW_IMPORT_MAX_MB
        raise ImportRefused(f"The file is {size:.1f} MB; imports take at most {limit} MB.")
    lead_import = LeadImport(
        uploaded_by=by,
        original_name=os.path.basename(upload.name)[:255],
        size=upload.size,
        campaign_id=campaign_id,
        source=source or "other",
        id_namespace=imports.namespace_for(upload.name),
    )
    lead_import.file.save(upload.name, upload, save=False)  # streamed in chunks to disk
    path = Path(lead_import.file.path)
    try:
        fmt = detect_format(path)
        records = read_records(path, fmt)
        header = next(records, None)
        sample = [record.cells for _, record in zip(range(SAMPLE_ROWS), records, strict=False) if not record.problem]
        problem = _header_problem(header)
    except CsvFileError as error:
        problem = str(error)
    if problem:
        lead_import.file.delete(save=False)
        raise ImportRefused(problem)
    headers = header_names(header.cells)
    lead_import.encoding, lead_import.delimiter = fmt.encoding, fmt.delimiter
    lead_import.headers = headers
    lead_import.sample = [[cell[:200] for cell in row] for row in sample]
    lead_import.total_rows = count_records(path, fmt)
    lead_import.mapping = imports.guess_mapping(headers, sample)
    lead_import.save()
    return lead_import


def _header_problem(header) -> str:
    """Why the first record cannot name the columns ("" when it can)."""
    if header is None or not any(cell.strip() for cell in header.cells):
        return "The first row is empty: it should name the columns."
    if header.problem:
        return f"The first row, which names the columns, cannot be read: {header.problem}"
    if len(header.cells) > imports.MAX_COLUMNS:
        return f"The file has {len(header.cells)} columns; imports take at most {imports.MAX_COLUMNS}."
    return " ".join(imports.repeated_field_headers(header.cells))


def save_mapping(
    *, import_id: int, mapping: dict[str, str], empty_values: str, id_namespace: str, campaign_id, source: str
) -> LeadImport:
    """Change what the columns mean before the import runs."""
    with transaction.atomic():
        lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
        if lead_import.status != LeadImport.Status.UPLOADED:
            raise ImportRefused("This import has already started; its mapping can no longer change.")
        problems = imports.mapping_problems(mapping, lead_import.headers)
        if problems:
            raise ImportRefused(" ".join(problems))
        lead_import.mapping = mapping
        lead_import.empty_values = empty_values
        lead_import.id_namespace = id_namespace
        lead_import.campaign_id = campaign_id
        lead_import.source = source
        lead_import.save()
    return lead_import


@dataclass
class Preview:
    checked: int = 0
    creates: int = 0
    merges: int = 0
    blank: int = 0
    refused: list[imports.Refused] = field(default_factory=list)
    rows: list[imports.Row] = field(default_factory=list)  # the first few, as they will land
    file_error: str = ""
    latin1_rows: list[int] = field(default_factory=list)  # of a mixed file: rows read as Latin-1 (the first few)
    latin1_count: int = 0

    @property
    def latin1_more(self) -> int:
        return self.latin1_count - len(self.latin1_rows)


def preview(lead_import: LeadImport, *, limit: int = PREVIEW_ROWS) -> Preview:
    """A dry run over the first `limit` rows: what would be created, merged, refused. Writes nothing."""
    result, emails = Preview(), []
    try:
        for record, parsed in _parsed(lead_import, stop_after=limit):
            result.checked += 1
            if record.latin1:
                result.latin1_count += 1
                if len(result.latin1_rows) < LATIN1_ROWS_SHOWN:
                    result.latin1_rows.append(record.number)
            if parsed is None:
                result.blank += 1
            elif isinstance(parsed, imports.Refused):
                result.refused.append(parsed)
            else:
                emails.append(parsed.email_normalized)
                if len(result.rows) < 5:
                    result.rows.append(parsed)
    except CsvFileError as error:
        result.file_error = str(error)
    known = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        known |= set(Lead.objects.filter(email_normalized__in=chunk).values_list("email_normalized", flat=True))
        known |= set(
            LeadEmailAlias.objects.filter(email_normalized__in=chunk).values_list("email_normalized", flat=True)
        )
    seen = set()
    for email in emails:
        if email in known or email in seen:
            result.merges += 1
        else:
            result.creates += 1
        seen.add(email)
    return result


def start_import(*, import_id: int) -> LeadImport:
    """Queue the import; a task runs it (and a sweep re-drives it if the message is lost)."""
    with transaction.atomic():
        lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
        if lead_import.status != LeadImport.Status.UPLOADED:
            return lead_import  # already queued, running or finished: starting twice is a no-op
        problems = imports.mapping_problems(lead_import.mapping, lead_import.headers)
        if problems:
            raise ImportRefused(" ".join(problems))
        lead_import.status = LeadImport.Status.QUEUED
        lead_import.save(update_fields=["status", "updated_at"])
        from ..tasks import run_import

        run_import.delay_on_commit(lead_import.pk)
    return lead_import


# --- running ------------------------------------------------------------------------------------


def _parsed(lead_import: LeadImport, *, after: int = 1, stop_after: int | None = None) -> Iterator:
    """(record, what it says: Row, Refused or None for blank) after row number `after`, read from disk.

    A record the CSV reader could not trust (a quote that never closes…) is refused with its
    reason; the rows after it are read as usual.
    """
    path = Path(lead_import.file.path)
    records = read_records(path, _format(lead_import))
    next(records, None)  # the header
    options = imports.options_of(lead_import)
    produced = 0
    for record in records:
        if record.number <= after:
            continue
        if record.problem:
            yield record, imports.Refused(record.number, record.problem, record.cells)
        else:
            yield record, imports.parse_row(record.number, record.cells, options)
        produced += 1
        if stop_after is not None and produced >= stop_after:
            return


def _format(lead_import: LeadImport) -> CsvFormat:
    return CsvFormat(encoding=lead_import.encoding, delimiter=lead_import.delimiter)


def is_mixed(lead_import: LeadImport) -> bool:
    """Whether the file mixed UTF-8 and Latin-1 lines (each was read in its own encoding)."""
    return lead_import.encoding == MIXED


def import_rows(*, import_id: int, seconds: float = 20.0, size: int = BATCH) -> bool:
    """Import batches of `size` rows for about `seconds`; True while rows remain.

    The file is opened once and read straight through; each batch is written in its own
    transaction with the checkpoint, under the import's row lock. If another copy of the
    task moved the checkpoint meanwhile, this one stops and lets the caller start over.
    """
    started = time.monotonic()
    lead_import = LeadImport.objects.filter(pk=import_id).first()
    if lead_import is None or not lead_import.is_active:
        return False
    expected = lead_import.checkpoint
    try:
        reader = _parsed(lead_import, after=expected)
    except FileNotFoundError:
        return _stop(import_id, error="The uploaded file is gone from the server.")
    while True:  # at least one batch, then as many as fit in `seconds`
        batch, error = [], ""
        try:
            for _, parsed in reader:
                batch.append(parsed)
                if len(batch) >= size:
                    break
        except CsvFileError as problem:
            error = str(problem)
        now = timezone.now()
        with transaction.atomic():
            lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
            if not lead_import.is_active or lead_import.checkpoint != expected:
                return lead_import.is_active  # stopped, or another task got ahead: start over
            if lead_import.status == LeadImport.Status.QUEUED:
                lead_import.status, lead_import.started_at = LeadImport.Status.RUNNING, now
            if batch:
                lead_import.checkpoint = expected = _write(lead_import, batch, now)
            if error or not batch:
                _finish(lead_import, now, error=error)
                return False
            lead_import.save()
        if time.monotonic() - started >= seconds:
            return True


def _stop(import_id: int, *, error: str) -> bool:
    with transaction.atomic():
        lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
        if lead_import.is_active:
            _finish(lead_import, timezone.now(), error=error)
    return False


def _finish(lead_import: LeadImport, now: datetime, *, error: str = "") -> bool:
    lead_import.status = LeadImport.Status.FAILED if error else LeadImport.Status.DONE
    lead_import.error = error
    lead_import.finished_at = now
    _discard_upload(lead_import)
    lead_import.save()
    return False


def _discard_upload(lead_import: LeadImport) -> None:
    """Forget the uploaded file once nothing will read it again.

    It is a copy of people's data nobody needs any more (the leads, the preview and the
    refused rows are in the database), and it would outlive an erasure of those people.
    Deleted after the commit, so a rolled-back finish keeps the file it still needs.
    """
    name, storage = lead_import.file.name, lead_import.file.storage
    if not name:
        return
    lead_import.file = ""
    # robust: a file that cannot be deleted is logged, and the sweep goes on with the next.
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def discard_abandoned_uploads(*, now: datetime | None = None) -> int:
    """Uploads never started within ABANDONED_AFTER: stop them and delete their files."""
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    stopped = 0
    for import_id in LeadImport.objects.filter(status=LeadImport.Status.UPLOADED, created_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
            if lead_import.status == LeadImport.Status.UPLOADED:  # not started meanwhile
                _finish(
                    lead_import,
                    timezone.now(),
                    error=f"Never started; the upload was deleted after {ABANDONED_AFTER.days} days.",
                )
                stopped += 1
    return stopped


def _write(lead_import: LeadImport, batch: list, now: datetime) -> int:
    """Write one batch: refusals, new leads, merges into existing ones, their touchpoints and scores."""
    rows = [parsed for parsed in batch if isinstance(parsed, imports.Row)]
    refused = [parsed for parsed in batch if isinstance(parsed, imports.Refused)]
    numbers = [parsed.number for parsed in rows + refused]
    lead_import.blank_count += sum(parsed is None for parsed in batch)
    if refused:
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(lead_import=lead_import, row_number=r.number, reason=r.reason[:500], cells=r.cells)
                for r in refused
            ],
            ignore_conflicts=True,  # a batch retried after a crash refuses the same rows again
        )
    created, merged = _land(lead_import, rows, now) if rows else (0, 0)
    lead_import.created_count += created
    lead_import.merged_count += merged
    lead_import.rejected_count += len(refused)
    lead_import.processed_rows += len(batch)
    return max(numbers, default=lead_import.checkpoint) if batch else lead_import.checkpoint


def _land(lead_import: LeadImport, rows: list[imports.Row], now: datetime) -> tuple[int, int]:
    """Each row is a verified capture (capture.landing decides what its lead gets), written in
    bulk: the batch's aliases and leads are read in two queries, new leads are inserted
    together, and a merge costs one UPDATE of its lead."""
    campaign = Campaign.objects.filter(pk=lead_import.campaign_id).first() if lead_import.campaign_id else None
    aliases = resolve_aliases([row.email_normalized for row in rows])
    for row in rows:
        row.email_normalized = aliases.get(row.email_normalized, row.email_normalized)
    first: dict[str, imports.Row] = {}
    repeats: list[imports.Row] = []
    for row in rows:
        if row.email_normalized in first:
            repeats.append(row)  # the same person twice in one batch: the first row creates
        else:
            first[row.email_normalized] = row
    existing = {
        lead.email_normalized: lead
        for lead in Lead.objects.select_for_update().filter(email_normalized__in=list(first)).order_by("pk")
    }
    new_rows = [row for email, row in first.items() if email not in existing]
    try:
        with transaction.atomic():  # a savepoint: a capture racing for the same address falls back below
            created = _create(lead_import, new_rows, campaign, now)
    except IntegrityError:
        created = []
        for row in new_rows:
            repeats.append(row)
    by_email = {**existing, **{lead.email_normalized: lead for lead in created}}
    merged_rows = [row for email, row in first.items() if email in existing] + repeats
    touchpoints = []
    for row in merged_rows:
        capture = _capture_of(row, lead_import, campaign)
        lead = by_email.get(row.email_normalized)
        if lead is None:  # lost the race for a new address: the capture path merges it
            capture_lead(capture=capture, now=now)
            continue
        merge = landing(capture, email_normalized=row.email_normalized, channel=channel_of(capture), now=now, lead=lead)
        merge.apply_to(lead)  # locked above, or inserted by this batch
        merge.touchpoint.lead = lead
        touchpoints.append(merge.touchpoint)
    Touchpoint.objects.bulk_create(touchpoints, batch_size=BATCH)
    touched = {}  # new leads were scored on the way in
    for row in merged_rows:
        if row.email_normalized in by_email:
            touched[by_email[row.email_normalized].pk] = by_email[row.email_normalized]
    score_many(list(touched.values()), load_rules(), now, cause=f"Imported from {lead_import.original_name}"[:200])
    return len(created), len(merged_rows)


def _create(lead_import: LeadImport, rows: list[imports.Row], campaign, now: datetime) -> list[Lead]:
    """Insert new leads already scored (their only touch is this import), with their first
    stage and touchpoint: bulk inserts for the whole batch."""
    rules = load_rules()
    cause = f"Imported from {lead_import.original_name}"[:200]
    leads, touchpoints = [], []
    for row in rows:
        capture = _capture_of(row, lead_import, campaign)
        new = landing(capture, email_normalized=row.email_normalized, channel=channel_of(capture), now=now)
        lead = Lead(email_normalized=row.email_normalized, **new.fields)
        lead.refresh_keys()
        score, reasons = compute_score(lead, rules, [(Touchpoint.Kind.IMPORT, now)], now)
        lead.score, lead.score_reasons, lead.scored_at = score, [reason.as_dict() for reason in reasons], now
        leads.append(lead)
        touchpoints.append(new.touchpoint)
    leads = Lead.objects.bulk_create(leads, batch_size=BATCH)
    LeadStageChange.objects.bulk_create(
        [
            LeadStageChange(
                lead=lead, stage=Stage.LEAD, entered_at=now, reason=f"Imported from {lead_import.original_name}"[:300]
            )
            for lead in leads
        ],
        batch_size=BATCH,
    )
    for lead, touchpoint in zip(leads, touchpoints, strict=True):
        touchpoint.lead = lead
    Touchpoint.objects.bulk_create(touchpoints, batch_size=BATCH)
    ScoreChange.objects.bulk_create(
        [
            ScoreChange(
                lead=lead, changed_at=now, old_score=0, new_score=lead.score, reasons=lead.score_reasons, cause=cause
            )
            for lead in leads
            if lead.score
        ],
        batch_size=BATCH,
    )
    for lead in leads:
        qualify_if_over(lead, rules, now)
    return leads


def _capture_of(row: imports.Row, lead_import: LeadImport, campaign) -> Capture:
    """What a row says, as a capture: a marketer's own file vouches for it (verified)."""
    return Capture(
        email=row.email,
        **{name: row.fields.get(name, "") for name in imports.PROFILE},
        source=lead_import.source,
        campaign=campaign,
        touch_kind=Touchpoint.Kind.IMPORT,
        attributes=row.attributes,
        details={"import": lead_import.pk, "file": lead_import.original_name[:100], "row": row.number},
        verified=True,
    )


def stalled_imports(*, now: datetime | None = None) -> list[int]:
    """Imports queued or running that nobody has moved for a while: the sweep re-drives them."""
    quiet = (now or timezone.now()) - timedelta(seconds=settings.LEADFLOW_RECONCILE_GRACE_SECONDS)
    return list(
        LeadImport.objects.filter(
            status__in=[LeadImport.Status.QUEUED, LeadImport.Status.RUNNING], updated_at__lt=quiet
        ).values_list("pk", flat=True)
    )
