"""An erasure (GDPR art. 17) reaches the project's own copies too: the audit log, Django's
admin log and the outbox.

Handoff records each erasure as a handoff.Erasure row, in the transaction that anonymised
the person's leads and deals. When one is created, those objects' history rows (the
triggers' copies, leadflow/audit/models.py) lose every text they kept, and the entries of
the signal-based log before them every value and their name; who changed which field, and
when, stays.

Before it anonymises anything, handoff announces `subject_erasing` in that transaction: the
names and addresses are read then, while they are still there, and every admin log entry and
stored email that carries them is scrubbed (see leadflow/outbox/erasure.py for the mail).
If scrubbing fails, the erasure fails with it, rather than leaving a copy behind.
"""

import json
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from leadflow.outbox import erasure as outbox
from marketing.models import Lead, LeadEmailAlias, LeadMerge
from sales.models import Deal

from . import tracking
from .models import EVENT_MODELS, AuditEntry

ERASED = "(erased)"
# History columns scrubbed on erasure: free text and JSON. Choices (a stage, a source),
# numbers, dates and keys name nobody and stay, so that the history still adds up; short
# codes (a currency) cannot hold a name.
MIN_SCRUBBED_LENGTH = 20
# Shorter names or numbers would match other people's ("Jo", "112"): a one-word name is not
# searched for, and a phone number only with at least this many digits.
MIN_PHONE_DIGITS = 7


def scrub_erased(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    for model, ids in ((Lead, instance.lead_ids), (Deal, instance.deal_ids)):
        scrub_history(model, ids)
        entries = list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
            ).only("pk", "object_id", "changes")
        )
        for entry in entries:
            entry.object_repr = f"{model._meta.verbose_name.capitalize()} #{entry.object_id} (erased)"
            entry.changes = {name: [ERASED if value else "" for value in pair] for name, pair in entry.changes.items()}
        AuditEntry.objects.bulk_update(entries, ["object_repr", "changes"])


def scrubbed_columns(event) -> list[str]:
    return [
        field.name
        for field in event._meta.concrete_fields
        if not field.name.startswith("pgh_")
        and not field.choices
        and (
            isinstance(field, models.JSONField | models.TextField)
            or (isinstance(field, models.CharField) and field.max_length >= MIN_SCRUBBED_LENGTH)
        )
    ]


def scrub_history(model, ids: list[int]) -> int:
    """Every text and JSON value in the history rows of these objects becomes "(erased)",
    numbered per distinct value ("(erased 2)") so that a change still shows as one. How many rows."""
    event = EVENT_MODELS.get(model)
    if event is None or not ids or not tracking.records():  # SQLite keeps no history
        return 0
    columns = scrubbed_columns(event)
    rows = list(
        event.objects.filter(pgh_obj_id__in=ids).order_by("pgh_obj_id", "pgh_id").only("pk", "pgh_obj", *columns)
    )
    stand_ins: dict[tuple, str] = {}
    for row in rows:
        for column in columns:
            value = getattr(row, column)
            if value in ("", None, {}, []):
                continue
            key = (row.pgh_obj_id, column, json.dumps(value, sort_keys=True, default=str))
            if key not in stand_ins:
                number = 1 + sum(1 for other in stand_ins if other[:2] == key[:2])
                stand_ins[key] = ERASED if number == 1 else f"(erased {number})"
            setattr(row, column, stand_ins[key])
    event.objects.bulk_update(rows, columns, batch_size=500)
    return len(rows)


@dataclass(frozen=True)
class Traces:
    """What identifies the person in text written elsewhere."""

    addresses: list[str]
    texts: list[str]  # full names, phone numbers


def person_traces(*, lead_ids: list[int], deal_ids: list[int]) -> Traces:
    """The person's addresses, full names and phone numbers, from their leads not yet erased
    (with the addresses they were merged from or are known by) and their deals' contact copies."""
    leads = list(Lead.objects.filter(pk__in=lead_ids, erased_at__isnull=True))
    live = [lead.pk for lead in leads]
    addresses = [address for lead in leads for address in (lead.email, lead.email_normalized)]
    addresses += LeadEmailAlias.objects.filter(lead_id__in=live).values_list("email_normalized", flat=True)
    addresses += LeadMerge.objects.filter(duplicate_id__in=live).values_list("duplicate_email", flat=True)
    names = [f"{lead.first_name.strip()} {lead.last_name.strip()}" for lead in leads]
    phones = [lead.phone for lead in leads]
    for deal in Deal.objects.filter(pk__in=deal_ids).only("contact_name", "contact_email", "contact_phone"):
        addresses.append(deal.contact_email)
        names.append(deal.contact_name)
        phones.append(deal.contact_phone)
    return Traces(
        addresses=sorted({address.strip() for address in addresses if "@" in address}),
        texts=sorted(
            {" ".join(name.split()) for name in names if len(name.split()) > 1}
            | {phone.strip() for phone in phones if sum(char.isdigit() for char in phone) >= MIN_PHONE_DIGITS}
        ),
    )


def on_subject_erasing(sender, lead_ids: list[int], deal_ids: list[int], **kwargs) -> None:
    traces = person_traces(lead_ids=lead_ids, deal_ids=deal_ids)
    scrub_admin_log(lead_ids=lead_ids, deal_ids=deal_ids, traces=traces)
    outbox.forget_person(addresses=traces.addresses, texts=traces.texts)


def scrub_admin_log(*, lead_ids: list[int], deal_ids: list[int], traces: Traces) -> int:
    """Django's admin log: the entries about the person's leads and deals lose their name and
    the names of the objects they added or changed with them (inline rows); any other entry
    loses each mention of the person. Which fields changed, who and when stay. How many."""
    about = Q()
    for model, ids in ((Lead, lead_ids), (Deal, deal_ids)):
        if ids:
            about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids])
    texts = [*traces.addresses, *traces.texts]
    mentions = outbox.mention_pattern(texts) if texts else None
    naming = Q()
    for text in texts:
        naming |= Q(object_repr__icontains=text) | Q(change_message__icontains=text)
    if not about and not naming:
        return 0
    entries = list(LogEntry.objects.select_related("content_type").filter(about | naming))
    changed = []
    for entry in entries:
        repr_, message = entry.object_repr, entry.change_message
        if _is_about(entry, lead_ids, deal_ids):
            model = entry.content_type.model_class()
            entry.object_repr = f"{model._meta.verbose_name.capitalize()} #{entry.object_id} (erased)"
            entry.change_message = _without_object_names(entry.change_message)
        if mentions is not None:
            entry.object_repr = mentions.sub(ERASED, entry.object_repr)
            entry.change_message = mentions.sub(ERASED, entry.change_message)
        if (entry.object_repr, entry.change_message) != (repr_, message):
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"])
    return len(changed)


def _is_about(entry: LogEntry, lead_ids: list[int], deal_ids: list[int]) -> bool:
    model = entry.content_type.model_class() if entry.content_type_id else None
    ids = lead_ids if model is Lead else deal_ids if model is Deal else []
    return entry.object_id in {str(pk) for pk in ids}


def _without_object_names(message: str) -> str:
    """The admin's JSON change message ([{"changed": {"fields": [...]}}, {"added": {"name":
    "touchpoint", "object": "…"}}]) with each related object's name erased; free text, all."""
    if not message:
        return message
    try:
        parts = json.loads(message)
    except ValueError:
        return ERASED
    if not isinstance(parts, list):
        return ERASED
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else []:
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = ERASED
    return json.dumps(parts)
