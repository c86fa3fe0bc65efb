"""Marketers change what a good lead is: fit rules, engagement rules, the MQL bar.

Every change bumps the rules' version and re-scores all leads in the background. Where a
captured lead's source comes from is set here too, but re-scores nothing: it applies to
leads captured from then on.
"""

from django.db import transaction
from django.db.models import Max

from ..models import EngagementRule, FitRule, RescoreRun, ScoringSettings, SourceFrom
from ..scoring_defaults import save_defaults_if_none
from .scoring import start_rescoring

FIT_FIELDS = ("label", "field", "attribute_key", "operator", "value", "points", "group", "is_active")


def _changed(*, by, cause: str) -> RescoreRun:
    row = save_defaults_if_none()
    row.version += 1
    row.updated_by = by
    row.save(update_fields=["version", "updated_by", "updated_at"])
    return start_rescoring(cause=cause, by=by)


def save_fit_rule(*, rule_id: int | None = None, by=None, **fields) -> FitRule:
    """Add a fit rule, or change one; then re-score every lead."""
    unknown = set(fields) - set(FIT_FIELDS)
    if unknown:
        raise TypeError(f"Not fit rule fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        save_defaults_if_none()
        if rule_id is None:
            position = (FitRule.objects.aggregate(top=Max("position"))["top"] or 0) + 1
            rule = FitRule(position=position, **fields)
        else:
            rule = FitRule.objects.select_for_update().get(pk=rule_id)
            for name, value in fields.items():
                setattr(rule, name, value)
        rule.full_clean()
        rule.save()
        _changed(by=by, cause=f"Fit rule “{rule.label}” {'added' if rule_id is None else 'changed'}")
    return rule


def delete_fit_rule(*, rule_id: int, by=None) -> bool:
    with transaction.atomic():
        save_defaults_if_none()
        rule = FitRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            return False
        rule.delete()
        _changed(by=by, cause=f"Fit rule “{rule.label}” removed")
    return True


def save_engagement_rule(
    *, kind: str, points: int, max_count: int, half_life_days: int | None = None, is_active: bool = True, by=None
) -> EngagementRule:
    """Set what one kind of touchpoint is worth (and how fast it fades); then re-score every lead."""
    with transaction.atomic():
        save_defaults_if_none()
        rule = EngagementRule.objects.select_for_update().filter(kind=kind).first() or EngagementRule(kind=kind)
        rule.points, rule.max_count, rule.half_life_days, rule.is_active = points, max_count, half_life_days, is_active
        rule.full_clean(validate_unique=False)
        rule.save()
        _changed(by=by, cause=f"Engagement rule “{rule.get_kind_display()}” changed")
    return rule


def set_mql_threshold(*, threshold: int | None, by=None) -> ScoringSettings:
    """Move the MQL bar (None: back to the LEADFLOW_MQL_THRESHOLD setting); then re-score."""
    with transaction.atomic():
        row = save_defaults_if_none()
        row.mql_threshold = threshold
        row.save(update_fields=["mql_threshold", "updated_at"])
        label = "the default" if threshold is None else str(threshold)
        _changed(by=by, cause=f"MQL threshold set to {label}")
        row.refresh_from_db()
    return row


def set_source_from(*, source_from: str, by=None) -> ScoringSettings:
    """Choose whether a captured lead's source is its campaign's channel or its UTM medium's (marketing/sources.py)."""
    if source_from not in SourceFrom.values:
        raise ValueError(f"Not a choice of where the source comes from: {source_from!r}")
    with transaction.atomic():
        row = save_defaults_if_none()
        row.source_from, row.updated_by = source_from, by
        row.save(update_fields=["source_from", "updated_by", "updated_at"])
    return row
