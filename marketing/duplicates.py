"""Groups of leads that are likely one person, found by the keys in marketing/dedupe.py. Reads only."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Q

from .models import Lead

# (why they look alike, the keys that must all match and be non-blank)
RULES = (
    ("Same phone number", ("phone_key",)),
    ("Same name at the same company domain", ("name_key", "work_domain")),
    ("Same person under another email (same name and company)", ("name_key", "company_key")),
)
GROUPS_PER_RULE = 25
LEADS_PER_RULE = 300


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
    groups: list[Group] = []
    seen: set[frozenset[int]] = set()
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
