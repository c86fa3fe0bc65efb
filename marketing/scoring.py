"""Lead scoring: fit (who they are) plus engagement (what they did), from rules marketers edit.

The rules are rows (FitRule, EngagementRule, ScoringSettings); this module turns a lead and
its touchpoints into a score and the reasons that produced it, so every lead can say why.
Pure computation: reading and writing leads is services/scoring.py's job.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from django.conf import settings
from django.utils import timezone

from guards.emails import email_domain

from . import scoring_defaults
from .emails import is_placeholder
from .models import EngagementRule, FitRule, Lead, ScoringSettings, Touchpoint

__all__ = ["Rules", "ScoreReason", "compute_score", "load_rules", "mql_threshold"]

Op = FitRule.Operator


@dataclass(frozen=True)
class ScoreReason:
    rule: str
    points: int

    def as_dict(self) -> dict:
        return {"rule": self.rule, "points": self.points}


@dataclass(frozen=True)
class Rules:
    fit: tuple[FitRule, ...]
    engagement: dict[str, EngagementRule]
    threshold: int
    version: int


def load_rules() -> Rules:
    """The active rules and the MQL bar, as they are now (three small queries)."""
    row = ScoringSettings.objects.filter(pk=1).first()
    if row is None:
        # Nothing saved yet (a flushed test database): the rules a new LeadFlow starts with.
        return Rules(
            fit=tuple(scoring_defaults.fit_rules()),
            engagement={rule.kind: rule for rule in scoring_defaults.engagement_rules()},
            threshold=_threshold(None),
            version=1,
        )
    return Rules(
        fit=tuple(FitRule.objects.filter(is_active=True).order_by("position", "id")),
        engagement={rule.kind: rule for rule in EngagementRule.objects.filter(is_active=True)},
        threshold=_threshold(row),
        version=row.version if row else 1,
    )


def mql_threshold() -> int:
    """The score at which a lead becomes marketing qualified."""
    return _threshold(ScoringSettings.objects.filter(pk=1).first())


def _threshold(row: ScoringSettings | None) -> int:
    if row is not None and row.mql_threshold is not None:
        return row.mql_threshold
    return settings.LEADFLOW_MQL_THRESHOLD


def compute_score(
    lead: Lead,
    rules: Rules | None = None,
    touches: Iterable[tuple[str, datetime]] | None = None,
    now: datetime | None = None,
) -> tuple[int, list[ScoreReason]]:
    """The lead's score and the rules that fired; `touches` are its (kind, occurred_at) pairs."""
    rules = rules or load_rules()
    if touches is None:
        touches = lead.touchpoints.values_list("kind", "occurred_at")
    reasons = fit_reasons(lead, rules.fit) + engagement_reasons(touches, rules.engagement, now or timezone.now())
    return sum(reason.points for reason in reasons), reasons


# --- fit --------------------------------------------------------------------------------------


def field_value(lead: Lead, rule: FitRule) -> str:
    if rule.field == FitRule.Field.EMAIL_DOMAIN:
        # A stand-in address of an imported row says nothing about the person.
        return "" if is_placeholder(lead.email_normalized) else email_domain(lead.email_normalized)
    if rule.field == FitRule.Field.ATTRIBUTE:
        value = (lead.attributes or {}).get(rule.attribute_key, "")
        return "" if value is None else str(value)
    return str(getattr(lead, rule.field, "") or "")


def fit_reasons(lead: Lead, rules: Iterable[FitRule]) -> list[ScoreReason]:
    reasons, fired_groups = [], set()
    for rule in rules:
        if rule.group and rule.group in fired_groups:
            continue
        if matches(rule, field_value(lead, rule)):
            reasons.append(ScoreReason(rule.label, rule.points))
            if rule.group:
                fired_groups.add(rule.group)
    return reasons


def matches(rule: FitRule, value: str) -> bool:
    """Does `value` satisfy the rule? A blank value matches only "is empty"."""
    value = value.strip()
    if rule.operator == Op.IS_BLANK:
        return not value
    if not value:
        return False
    if rule.operator == Op.IS_SET:
        return True
    folded, wanted = value.casefold(), rule.value.strip().casefold()
    if rule.operator == Op.EQUALS:
        return folded == wanted
    if rule.operator == Op.NOT_EQUALS:
        return folded != wanted
    if rule.operator == Op.CONTAINS:
        return bool(wanted) and wanted in folded
    if rule.operator == Op.HAS_WORD:
        return bool(_words_pattern(rule.value).search(folded))
    if rule.operator in (Op.IN_LIST, Op.NOT_IN_LIST):
        inside = folded in _items(rule.value)
        return inside if rule.operator == Op.IN_LIST else not inside
    if rule.operator in (Op.GREATER, Op.LESS):
        number, bound = parse_number(value), parse_number(rule.value)
        if number is None or bound is None:
            return False
        return number > bound if rule.operator == Op.GREATER else number < bound
    return False


@cache
def _items(text: str) -> frozenset[str]:
    return frozenset(item.strip().casefold() for item in re.split(r"[,\n]", text) if item.strip())


@cache
def _words_pattern(text: str) -> re.Pattern:
    # Whole words (an optional plural s): as substrings "coo" made a Coordinator senior.
    words = sorted(_items(text), key=len, reverse=True) or ["(?!)"]
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")s?\b")


def parse_number(text: str) -> Decimal | None:
    """A finite number written with optional thousands commas ("1,200"); None for anything else.
    The scoring form refuses a numeric rule whose value this cannot read."""
    try:
        number = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- engagement -------------------------------------------------------------------------------


def engagement_reasons(
    touches: Iterable[tuple[str, datetime]], rules: dict[str, EngagementRule], now: datetime
) -> list[ScoreReason]:
    """Per kind: the most recent touches up to the cap, each worth its points times its decay."""
    by_kind: dict[str, list[datetime]] = defaultdict(list)
    for kind, occurred_at in touches:
        if kind in rules:
            by_kind[kind].append(occurred_at)
    reasons = []
    for rule in sorted(rules.values(), key=lambda r: (-r.points, r.kind)):
        moments = sorted(by_kind.get(rule.kind, ()), reverse=True)[: rule.max_count]
        if not moments:
            continue
        label = f"{Touchpoint.Kind(rule.kind).label} ×{len(moments)}"
        if rule.half_life_days:
            worth = sum(rule.points * _decay(now - moment, rule.half_life_days) for moment in moments)
            points = math.floor(worth + 0.5)
            if points != rule.points * len(moments):
                label += " (fading)"
        else:
            points = rule.points * len(moments)
        if points:
            reasons.append(ScoreReason(label, points))
    return reasons


def _decay(age, half_life_days: int) -> float:
    days = max(age.total_seconds(), 0) / 86400
    return 0.5 ** (days / half_life_days)
