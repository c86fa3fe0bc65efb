"""A person's rights over their data (GDPR art. 15 and 17): what marketing holds about them,
as plain values, and its erasure.

A person is a lead together with every duplicate merged into it, at any depth: a merge
said they are one person, so they are exported and erased together. Handoff calls these
and adds what sales and handoff hold (handoff/services/subject_rights.py).
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from ..emails import erased_address
from ..models import (
    ImportRowError,
    Lead,
    LeadEmailAlias,
    LeadImport,
    LeadMerge,
    LeadStageChange,
    ScoreChange,
    Touchpoint,
)

# Who the person is, how they arrived (referrers, landing pages and UTM tags can carry
# ids), what they wrote and what they agreed to. Country, industry, company size, source
# and campaigns stay: they name nobody, and routing, the scorecards and the dashboard
# group by them, so no number moves when a person goes.
ERASED_LEAD_FIELDS = {
    "first_name": "",
    "last_name": "",
    "company": "",
    "title": "",
    "phone": "",
    "utm_source": "",
    "utm_medium": "",
    "utm_campaign": "",
    "utm_term": "",
    "utm_content": "",
    "first_referrer": "",
    "first_landing_page": "",
    "last_utm_source": "",
    "last_utm_medium": "",
    "last_utm_campaign": "",
    "consent_given_at": None,
    "consent_source": "",
    "consent_text": "",
    "review_reason": "",
}
# JSON fields get a fresh empty value each (a shared dict would be one object on every row).
ERASED_LEAD_JSON = {"attributes": dict, "score_reasons": list}
# A touchpoint keeps its kind, campaign, channel and time: campaign counts and engagement
# history stay true, while the free text (URLs, form answers, notes) goes.
ERASED_TOUCH_FIELDS = {
    "utm_source": "",
    "utm_medium": "",
    "utm_campaign": "",
    "utm_term": "",
    "utm_content": "",
    "referrer": "",
    "landing_page": "",
    "details": {},
}
ERASED_IMPORT_REASON = "(erased on the person's request)"
MAX_MERGE_DEPTH = 50


@dataclass(frozen=True)
class ErasedPerson:
    lead_ids: list[int]  # the lead first, then its merged duplicates
    erased_at: datetime
    already_erased: bool


def person_lead_ids(*, lead_id: int) -> list[int]:
    """The person's leads: the one the others were merged into first, then every duplicate
    merged into it (raises Lead.DoesNotExist)."""
    pk, parent = Lead.objects.values_list("pk", "merged_into_id").get(pk=lead_id)
    for _ in range(MAX_MERGE_DEPTH):
        if parent is None:
            break
        pk, parent = Lead.objects.values_list("pk", "merged_into_id").get(pk=parent)
    ids, frontier = [pk], [pk]
    while frontier:
        frontier = list(
            Lead.objects.filter(merged_into__in=frontier)
            .exclude(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids += frontier
    return ids


def export_person_data(*, lead_id: int) -> dict:
    """Everything marketing stores about the person, as plain values (GDPR art. 15)."""
    ids = person_lead_ids(lead_id=lead_id)
    by_id = Lead.objects.select_related("first_touch_campaign", "last_touch_campaign").in_bulk(ids)
    leads = [by_id[pk] for pk in ids]
    return {
        **_lead_data(leads[0]),
        "merged_duplicates": [_lead_data(duplicate) for duplicate in leads[1:]],
        "import_rows": [
            {"import": lead_import.pk, "file": lead_import.original_name, "row": number, "cells": cells, "refused": ""}
            for lead_import, number, cells in _sample_rows(leads)
        ]
        + [
            {
                "import": row.lead_import_id,
                "file": row.lead_import.original_name,
                "row": row.row_number,
                "cells": row.cells,
                "refused": row.reason,
            }
            for row in _refused_rows(leads)
        ],
    }


def erase_person_data(*, lead_id: int, now: datetime | None = None) -> ErasedPerson:
    """Anonymise the person's leads and everything written about them (GDPR art. 17).

    The rows stay with their stages, dates, scores and outcome, so funnel counts, campaign
    numbers and revenue do not change; a lead already erased is left as it is.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids, leads = _lock_person(lead_id)
        if leads[0].erased_at is not None:
            return ErasedPerson(lead_ids=ids, erased_at=leads[0].erased_at, already_erased=True)
        # Found while the addresses and import references are still there.
        samples, refused = _sample_rows(leads), _refused_rows(leads)
        for lead in leads:
            _anonymise(lead, now)
        LeadStageChange.objects.filter(lead_id__in=ids).update(reason="")
        Touchpoint.objects.filter(lead_id__in=ids).update(**ERASED_TOUCH_FIELDS)
        ScoreChange.objects.filter(lead_id__in=ids).update(reasons=[], cause="")
        # Without the aliases, a later capture of an old address is a new person, not this row.
        LeadEmailAlias.objects.filter(lead_id__in=ids).delete()
        for merge in LeadMerge.objects.filter(duplicate_id__in=ids):
            merge.duplicate_email = erased_address(merge.duplicate_id)
            merge.save(update_fields=["duplicate_email"])
        _erase_import_rows(samples, refused)
    return ErasedPerson(lead_ids=ids, erased_at=now, already_erased=False)


def _lock_person(lead_id: int) -> tuple[list[int], list[Lead]]:
    """Lock every lead of the person, lowest id first (as merge_leads does), so a capture,
    edit or merge waits for the erasure and then sees it. Read again under the lock: a merge
    that committed between reading and locking would otherwise leave its duplicate behind."""
    ids = person_lead_ids(lead_id=lead_id)
    while True:
        locked = {lead.pk: lead for lead in Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        again = person_lead_ids(lead_id=lead_id)
        if again == ids:
            return ids, [locked[pk] for pk in ids]
        ids = again


def _anonymise(lead: Lead, now: datetime) -> None:
    for name, value in ERASED_LEAD_FIELDS.items():
        setattr(lead, name, value)
    for name, empty in ERASED_LEAD_JSON.items():
        setattr(lead, name, empty())
    lead.email = lead.email_normalized = erased_address(lead.pk)
    lead.erased_at = now
    # save() recomputes the duplicate keys from the blanks, and the search text is built from
    # these columns: neither can match the person's old name, phone or address any more.
    lead.save(
        update_fields=[*ERASED_LEAD_FIELDS, *ERASED_LEAD_JSON, "email", "email_normalized", "erased_at", "updated_at"]
    )


def _lead_data(lead: Lead) -> dict:
    return {
        "lead": {
            **_columns(lead),
            "first_touch_campaign": _name(lead.first_touch_campaign),
            "last_touch_campaign": _name(lead.last_touch_campaign),
        },
        "stage_changes": [_columns(change) for change in lead.stage_changes.all()],
        "touchpoints": [
            {**_columns(touch), "campaign": _name(touch.campaign)}
            for touch in lead.touchpoints.select_related("campaign")
        ],
        "score_changes": [_columns(change) for change in lead.score_changes.all()],
        "email_aliases": [_columns(alias) for alias in lead.email_aliases.all()],
        "merges": [_columns(merge) for merge in lead.merges.all()],
    }


def _columns(row: models.Model) -> dict:
    """Every stored column of a row, by name (foreign keys as ids)."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def _name(campaign) -> str:
    return campaign.name if campaign else ""


# --- CSV imports: the first rows kept to map columns, and the rows an import refused -------


def _addresses(leads: list[Lead]) -> set[str]:
    """Every address the person is or was known by (erased rows have none left)."""
    ids = [lead.pk for lead in leads]
    found = {lead.email for lead in leads} | {lead.email_normalized for lead in leads}
    found |= set(LeadEmailAlias.objects.filter(lead_id__in=ids).values_list("email_normalized", flat=True))
    found |= set(LeadMerge.objects.filter(duplicate_id__in=ids).values_list("duplicate_email", flat=True))
    return {_folded(address) for address in found if address and not address.endswith(".invalid")}


def _folded(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip().casefold()


def _sample_rows(leads: list[Lead]) -> list[tuple[LeadImport, int, list[str]]]:
    """(import, row number, cells) of the person's rows among the first rows imports keep.

    A row is theirs when their touchpoints say it was (which also finds rows without an
    email), or when it holds one of their addresses (a row the import refused).
    """
    addresses = _addresses(leads)
    imported = Touchpoint.objects.filter(lead__in=leads, details__has_key="import").values_list("details", flat=True)
    rows_of: dict[int, set[int]] = {}
    for details in imported:
        if isinstance(details.get("import"), int) and isinstance(details.get("row"), int):
            rows_of.setdefault(details["import"], set()).add(details["row"])
    found = []
    for lead_import in LeadImport.objects.only("pk", "original_name", "sample").order_by("pk"):
        for index, cells in enumerate(lead_import.sample or []):
            number = index + 2  # the header is row 1
            if number in rows_of.get(lead_import.pk, ()) or any(_folded(str(c)) in addresses for c in cells):
                found.append((lead_import, number, cells))
    return found


def _refused_rows(leads: list[Lead]) -> list[ImportRowError]:
    """Rows an import refused that hold one of the person's addresses."""
    addresses = _addresses(leads)
    if not addresses:
        return []
    # The database narrows by domain (stored JSON may escape other characters); each
    # candidate's cells are then compared whole.
    domains = {address.rpartition("@")[2] for address in addresses}
    candidates = (
        ImportRowError.objects.annotate(text=Cast("cells", models.TextField()))
        .filter(reduce(or_, [Q(text__icontains=domain) for domain in domains]))
        .select_related("lead_import")
        .order_by("pk")
    )
    return [row for row in candidates if any(_folded(str(cell)) in addresses for cell in row.cells or [])]


def _erase_import_rows(samples: list[tuple[LeadImport, int, list[str]]], refused: list[ImportRowError]) -> None:
    by_import: dict[int, tuple[LeadImport, set[int]]] = {}
    for lead_import, number, _cells in samples:
        by_import.setdefault(lead_import.pk, (lead_import, set()))[1].add(number)
    for lead_import, numbers in by_import.values():
        # Blanked in place, not removed: the rows after it keep their positions (row numbers).
        lead_import.sample = [
            ["" for _ in cells] if index + 2 in numbers else cells for index, cells in enumerate(lead_import.sample)
        ]
        LeadImport.objects.filter(pk=lead_import.pk).update(sample=lead_import.sample)
    ImportRowError.objects.filter(pk__in=[row.pk for row in refused]).update(cells=[], reason=ERASED_IMPORT_REASON)
