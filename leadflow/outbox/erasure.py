"""Stored mail forgets an erased person (GDPR art. 17): the outbox keeps copies of what was
sent, and a message still waiting would otherwise carry their name out after the erasure.

- A message addressed to them (to, cc, bcc or reply-to) is deleted, whatever its state:
  nothing more goes to an erased person, and no copy of what went stays.
- A sent message that names them is deleted too: it is only a copy (forget_sent would drop
  it after LEADFLOW_EMAIL_KEEP_DAYS anyway).
- A waiting or given-up message that names them, addressed to someone else (a rep's
  reminder), keeps going with each mention replaced: the rep still needs the reminder.
"""

import json
import re
from dataclasses import dataclass
from email.utils import getaddresses
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils.html import escape

from .models import OutboundEmail

REDACTED = "(erased)"
RECIPIENT_FIELDS = ("to", "cc", "bcc", "reply_to")
TEXT_FIELDS = ("subject", "body", "html_body")


@dataclass(frozen=True)
class Forgotten:
    deleted: int
    redacted: int


def forget_person(*, addresses: list[str], texts: list[str]) -> Forgotten:
    """Delete or redact every stored message to `addresses` or mentioning them or `texts`
    (names, phone numbers), matched without regard to case."""
    addresses = _distinct(addresses)
    texts = _distinct([*addresses, *texts])
    if not texts:
        return Forgotten(0, 0)
    # In HTML a name may be escaped: O'Brien is O&#x27;Brien there.
    spellings = _distinct([variant for text in texts for variant in (text, escape(text))])
    pattern = mention_pattern(spellings)
    to_delete, to_redact = [], []
    with transaction.atomic():
        candidates = OutboundEmail.objects.select_for_update().filter(_mentioning(spellings)).order_by("pk")
        for email in candidates:
            if _addressed_to(email, addresses):
                to_delete.append(email.pk)
            elif not _redact(email, pattern):
                continue  # the coarse filter's false positive ("Jane Doerr" for "Jane Doe")
            elif email.state == OutboundEmail.State.SENT:
                to_delete.append(email.pk)
            else:
                to_redact.append(email)
        OutboundEmail.objects.filter(pk__in=to_delete).delete()
        OutboundEmail.objects.bulk_update(to_redact, [*TEXT_FIELDS, "headers"])
    return Forgotten(deleted=len(to_delete), redacted=len(to_redact))


def mention_pattern(texts: list[str]) -> re.Pattern:
    """Any of `texts`, whole (not jane@example.com inside mary.jane@example.com, nor Jane Doe
    in Jane Doerr), any case; longest first, so that a longer text is replaced whole."""
    alternatives = "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))
    return re.compile(rf"(?<![\w.+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)


def _distinct(values: list[str]) -> list[str]:
    return sorted({value.strip().casefold(): value.strip() for value in values if value and value.strip()}.values())


def _mentioning(spellings: list[str]) -> Q:
    """The rows that may mention them: a coarse filter in the database, checked exactly here.
    A JSON column may hold an address with its non-ASCII letters escaped (SQLite's JSON text)."""
    variants = {variant for text in spellings for variant in (text, json.dumps(text)[1:-1])}
    fields = (*TEXT_FIELDS, *RECIPIENT_FIELDS, "headers")
    return reduce(or_, (Q(**{f"{field}__icontains": text}) for text in variants for field in fields))


def _addressed_to(email: OutboundEmail, addresses: list[str]) -> bool:
    folded = {address.casefold() for address in addresses}
    recipients = [str(value) for field in RECIPIENT_FIELDS for value in getattr(email, field)]
    return any(address.casefold() in folded for _, address in getaddresses(recipients))


def _redact(email: OutboundEmail, pattern: re.Pattern) -> bool:
    """Replace each mention in `email`'s texts and header values; whether anything changed."""
    changed = False
    for field in TEXT_FIELDS:
        value = getattr(email, field)
        redacted = pattern.sub(REDACTED, value)
        if redacted != value:
            setattr(email, field, redacted)
            changed = True
    headers = {
        name: pattern.sub(REDACTED, value) if isinstance(value, str) else value for name, value in email.headers.items()
    }
    if headers != email.headers:
        email.headers = headers
        changed = True
    return changed
