"""Folding a duplicate into the lead it duplicates, keeping both histories."""

from django.db import transaction
from django.utils import timezone

from ..errors import MergeNotAllowed
from ..models import STAGE_MOVES, Lead, LeadEmailAlias, LeadMerge, LeadStageChange, ScoreChange, Stage, Touchpoint
from . import stages
from .capture import PROFILE_FIELDS

FIRST_TOUCH_FIELDS = (
    "source",
    "first_touch_campaign_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "first_referrer",
    "first_landing_page",
)
LAST_TOUCH_FIELDS = (
    "last_touch_at",
    "last_touch_campaign_id",
    "last_touch_channel",
    "last_utm_source",
    "last_utm_medium",
    "last_utm_campaign",
)
CONSENT_FIELDS = ("consent_given_at", "consent_source", "consent_text")
MERGED_DOMAIN = "merged.invalid"  # where a merged duplicate's own address goes (RFC 2606)


def merge_leads(*, keep_id: int, duplicate_id: int, by=None, marketings_duplicate: bool = False) -> Lead:
    """Fold the duplicate into the kept lead: its touchpoints and stage history move over,
    the kept lead's blanks are filled from it, and the duplicate stays (other apps point at
    it) marked merged, disqualified and out of every list. Its address becomes an alias, so
    the next capture of it lands on the kept lead.

    `marketings_duplicate`: marketing merges away only a lead it has; one with sales (offered,
    accepted, a deal) is theirs (docs/RELIABILITY.md: marketing is read-only after handoff).
    Sales' own reject-as-duplicate merges the lead it was offered, so it leaves this off.
    """
    if keep_id == duplicate_id:
        raise MergeNotAllowed("A lead cannot be merged into itself.")
    now = timezone.now()
    with transaction.atomic():
        # Both rows locked, lowest id first, so two merges of one pair cannot deadlock.
        locked = {
            lead.pk: lead
            for lead in Lead.objects.select_for_update().filter(pk__in=[keep_id, duplicate_id]).order_by("pk")
        }
        if len(locked) < 2:
            raise Lead.DoesNotExist("Both leads must exist to merge them.")
        keep, duplicate = locked[keep_id], locked[duplicate_id]
        for lead in (keep, duplicate):
            if lead.merged_into_id:
                raise MergeNotAllowed(f"{lead.display_name} was already merged into another lead.")
            if lead.erased_at:
                raise MergeNotAllowed(f"{lead.display_name}: this person's data was erased.")
        if marketings_duplicate and not duplicate.is_editable_by_marketing:
            raise MergeNotAllowed(
                f"{duplicate.display_name} is with sales ({duplicate.get_stage_display()}): merge the other lead "
                "into it instead."
            )
        old_address = duplicate.email_normalized
        LeadStageChange.objects.filter(lead=duplicate, exited_at__isnull=True).update(exited_at=now)
        LeadStageChange.objects.filter(lead=duplicate).update(lead=keep)
        Touchpoint.objects.filter(lead=duplicate).update(lead=keep)
        ScoreChange.objects.filter(lead=duplicate).update(lead=keep)
        LeadEmailAlias.objects.filter(lead=duplicate).update(lead=keep)
        changed = _fill_from(keep, duplicate)
        # The duplicate leaves every flow (no sweep may route it) with a closed history of its own.
        duplicate.merged_into = keep
        duplicate.email_normalized = f"lead-{duplicate.pk}@{MERGED_DOMAIN}"
        duplicate.owner = None
        duplicate.save(update_fields=["merged_into", "email_normalized", "owner", "updated_at"])
        if Stage.DISQUALIFIED in STAGE_MOVES[duplicate.stage]:
            stages.move_stage(duplicate, Stage.DISQUALIFIED, reason=f"Merged into {keep.email}", by=by, now=now)
            # That stay belongs to the duplicate alone: it is not part of the person's story.
        LeadEmailAlias.objects.update_or_create(email_normalized=old_address, defaults={"lead": keep})
        LeadMerge.objects.create(
            kept=keep, duplicate=duplicate, duplicate_email=duplicate.email, merged_by=by, merged_at=now
        )
        if changed:
            keep.save(update_fields=[*changed, "updated_at"])
        from ..tasks import score_lead as score_lead_task

        score_lead_task.delay_on_commit(keep.pk)  # more touchpoints, maybe a fuller profile
    return keep


def _fill_from(keep: Lead, duplicate: Lead) -> list[str]:
    """Blanks of the kept lead filled from the duplicate; the earlier first touch and the later
    last touch win; the first arrivals at MQL / acceptance are the earliest of the two."""
    changed = [name for name in PROFILE_FIELDS if not getattr(keep, name) and getattr(duplicate, name)]
    for name in changed:
        setattr(keep, name, getattr(duplicate, name))
    missing = {key: value for key, value in duplicate.attributes.items() if key not in keep.attributes}
    if missing:
        keep.attributes = {**keep.attributes, **missing}
        changed.append("attributes")
    if duplicate.consent_given_at and not keep.consent_given_at:
        for name in CONSENT_FIELDS:
            setattr(keep, name, getattr(duplicate, name))
        changed += CONSENT_FIELDS
    if duplicate.created_at < keep.created_at:
        for name in FIRST_TOUCH_FIELDS:
            setattr(keep, name, getattr(duplicate, name))
        changed += FIRST_TOUCH_FIELDS
    if duplicate.last_touch_at and (keep.last_touch_at is None or duplicate.last_touch_at > keep.last_touch_at):
        for name in LAST_TOUCH_FIELDS:
            setattr(keep, name, getattr(duplicate, name))
        changed += LAST_TOUCH_FIELDS
    for name in ("qualified_at", "accepted_at"):
        theirs = getattr(duplicate, name)
        if theirs and (getattr(keep, name) is None or theirs < getattr(keep, name)):
            setattr(keep, name, theirs)
            changed.append(name)
    if duplicate.outcome and not keep.outcome:
        keep.outcome, keep.outcome_amount, keep.outcome_at = (
            duplicate.outcome,
            duplicate.outcome_amount,
            duplicate.outcome_at,
        )
        changed += ["outcome", "outcome_amount", "outcome_at"]
    return [name.removesuffix("_id") if name.endswith("campaign_id") else name for name in changed]
