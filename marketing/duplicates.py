"""Groups of leads that are likely one person, found by the keys in marketing/dedupe.py. Reads only."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from .emails import normalize_email
from .models import Lead

# (why they look alike, the keys that must all match and be non-blank)
RULES = (
    ("Same phone number", ("phone_key",)),
    ("Same name at the same company domain", ("name_key", "work_domain")),
    ("Same person under another email (same name and company)", ("name_key", "company_key")),
)
GROUPS_PER_RULE = 25
LEADS_PER_RULE = 300
# Written on both leads by migration 0012 when a punycode and a Unicode spelling of one
# address were stored as two leads: never merged automatically, so a person decides here.
SAME_ADDRESS = "Another lead has this email in another spelling (punycode or Unicode); see Duplicates."
SAME_ADDRESS_REASON = "Same email address, spelled in punycode and in Unicode"


@dataclass(frozen=True)
class Group:
    reason: str
    leads: list[Lead]

    @property
    def suggested_keep(self) -> Lead:
        """The lead to keep by default: the furthest along, then the oldest."""
        return min(self.leads, key=lambda lead: (-_progress(lead), lead.created_at))


def _progress(lead: Lead) -> int:
    return {"customer": 6, "opportunity": 5, "sql": 4, "sal": 3, "mql": 2}.get(lead.stage, 0) + bool(lead.outcome)


def likely_groups() -> list[Group]:
    """Up to GROUPS_PER_RULE groups per rule, biggest first; a set of leads appears once."""
    groups: list[Group] = _same_address_groups()
    seen: set[frozenset[int]] = {frozenset(lead.pk for lead in group.leads) for group in groups}
    for reason, keys in RULES:
        candidates = Lead.objects.active().exclude(reduce(or_, [Q(**{key: ""}) for key in keys]))
        clusters = list(
            candidates.values(*keys).annotate(n=Count("*")).filter(n__gt=1).order_by("-n", *keys)[:GROUPS_PER_RULE]
        )
        if not clusters:
            continue
        matching = reduce(or_, [Q(**{key: row[key] for key in keys}) for row in clusters])
        by_key: dict[tuple, list[Lead]] = {}
        for lead in (
            candidates.filter(matching).select_related("first_touch_campaign").order_by("created_at")[:LEADS_PER_RULE]
        ):
            by_key.setdefault(tuple(getattr(lead, key) for key in keys), []).append(lead)
        for members in by_key.values():
            ids = frozenset(lead.pk for lead in members)
            if len(members) > 1 and ids not in seen:
                seen.add(ids)
                groups.append(Group(reason, members))
    return groups


def _same_address_groups() -> list[Group]:
    """Leads flagged as one address in two spellings, grouped by the address they now read as."""
    # The partial index lead_needs_review holds only flagged leads: no scan of the table.
    flagged = Lead.objects.active().exclude(review_reason="").filter(review_reason__startswith=SAME_ADDRESS)
    by_address: dict[str, list[Lead]] = {}
    for lead in flagged.select_related("first_touch_campaign").order_by("created_at")[:LEADS_PER_RULE]:
        try:
            address = normalize_email(lead.email_normalized)
        except ValidationError:
            continue
        by_address.setdefault(address, []).append(lead)
    groups = [Group(SAME_ADDRESS_REASON, members) for members in by_address.values() if len(members) > 1]
    return groups[:GROUPS_PER_RULE]
