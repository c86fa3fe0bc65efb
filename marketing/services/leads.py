"""What marketers do to leads by hand: edit, add activity, disqualify, re-nurture, in bulk too."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..errors import LeadNotEditable, StageChangeNotAllowed
from ..models import Campaign, Lead, Stage, Touchpoint
from . import stages
from .capture import PROFILE_FIELDS

BULK_LIMIT = 500  # leads one bulk action may touch (a page of the list is 50)


def _rescore_on_commit(lead_id: int) -> None:
    from ..tasks import score_lead as score_lead_task

    score_lead_task.delay_on_commit(lead_id)


def _refuse_erased(lead: Lead) -> None:
    # A form opened before the erasure must not write the person back into the row.
    if lead.erased_at is not None:
        raise LeadNotEditable("This person's data was erased; their lead can no longer be changed.")


def update_lead_profile(*, lead_id: int, by, **fields) -> Lead:
    """Correct a lead's profile while marketing has it; read-only once it is with sales."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        _refuse_erased(lead)
        if not lead.is_editable_by_marketing:
            raise LeadNotEditable(
                f"{lead.display_name} is with sales ({lead.get_stage_display()}); its profile is read-only."
            )
        changed = [name for name, value in fields.items() if getattr(lead, name) != value]
        for name in changed:
            setattr(lead, name, fields[name])
        if changed:
            lead.full_clean(exclude=["email", "email_normalized", "stage_changed_at"], validate_unique=False)
            lead.save(update_fields=[*changed, "updated_at"])
            _rescore_on_commit(lead.pk)  # fit rules read the profile
    return lead


def add_touchpoint(
    *,
    lead_id: int,
    kind: str,
    campaign_id: int | None = None,
    by=None,
    note: str = "",
    occurred_at: datetime | None = None,
) -> Touchpoint:
    """Record something a lead did that LeadFlow did not see (attended the booth, a webinar…)."""
    if kind not in Touchpoint.Kind.values:
        raise ValueError(f"Unknown touchpoint kind {kind!r}")
    now = occurred_at or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        _refuse_erased(lead)
        campaign = Campaign.objects.get(pk=campaign_id) if campaign_id else None
        details = {"added_by": by.get_username() if by else "", **({"note": note[:500]} if note else {})}
        touch = Touchpoint.objects.create(
            lead=lead,
            kind=kind,
            campaign=campaign,
            channel=campaign.channel if campaign else "",
            occurred_at=now,
            details=details,
        )
        if lead.last_touch_at is None or now >= lead.last_touch_at:
            lead.last_touch_at, lead.last_touch_campaign = now, campaign
            lead.last_touch_channel = campaign.channel if campaign else ""
            lead.last_utm_source = lead.last_utm_medium = lead.last_utm_campaign = ""
            lead.save(
                update_fields=[
                    "last_touch_at",
                    "last_touch_campaign",
                    "last_touch_channel",
                    "last_utm_source",
                    "last_utm_medium",
                    "last_utm_campaign",
                    "updated_at",
                ]
            )
        _rescore_on_commit(lead.pk)  # engagement rules read the touchpoints
    return touch


def renurture_lead(*, lead_id: int, by=None) -> Lead:
    """Take a recycled lead back into nurture: a lead again, which scoring may qualify later."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.stage != Stage.RECYCLED:
            raise StageChangeNotAllowed(
                f"Only recycled leads go back to nurture; this one is {lead.get_stage_display()}."
            )
        stages.move_stage(lead, Stage.LEAD, reason="Back to nurture", by=by)
        _rescore_on_commit(lead.pk)
    return lead


@dataclass
class BulkResult:
    done: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (lead id, why)

    def summary(self, verb: str) -> str:
        text = f"{self.done} lead{'' if self.done == 1 else 's'} {verb}"
        if self.skipped:
            reasons = sorted({why for _, why in self.skipped})
            text += f"; {len(self.skipped)} skipped ({'; '.join(reasons[:3])})"
        return text + "."


def _bulk(lead_ids: list[int], action) -> BulkResult:
    """Run `action(lead_id)` for each lead, each in its own transaction; refusals are collected."""
    if len(lead_ids) > BULK_LIMIT:
        raise ValueError(f"At most {BULK_LIMIT} leads at a time.")
    result = BulkResult()
    existing = set(Lead.objects.active().filter(pk__in=lead_ids).values_list("pk", flat=True))
    for lead_id in dict.fromkeys(lead_ids):
        if lead_id not in existing:
            result.skipped.append((lead_id, "no such lead"))
            continue
        try:
            action(lead_id)
        except (StageChangeNotAllowed, LeadNotEditable) as refusal:
            result.skipped.append((lead_id, _short(str(refusal))))
        else:
            result.done += 1
    return result


def _short(message: str) -> str:
    """ "A lead cannot move from Sales accepted to …" → "already Sales accepted"-style labels."""
    if message.startswith("A lead cannot move from "):
        return "already " + message.removeprefix("A lead cannot move from ").split(" to ")[0].lower()
    return message.split(":")[0][:80]


def bulk_qualify(*, lead_ids: list[int], by) -> BulkResult:
    """Hand each lead to sales now; leads already with sales are skipped, not failed."""
    return _bulk(lead_ids, lambda lead_id: stages.qualify_lead(lead_id=lead_id, by=by))


def bulk_disqualify(*, lead_ids: list[int], reason: str, by) -> BulkResult:
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why these leads are disqualified.")
    return _bulk(lead_ids, lambda lead_id: stages.disqualify_lead(lead_id=lead_id, reason=reason, by=by))


def bulk_add_touchpoint(
    *, lead_ids: list[int], kind: str, campaign_id: int | None = None, by=None, note: str = ""
) -> BulkResult:
    return _bulk(
        lead_ids,
        lambda lead_id: add_touchpoint(lead_id=lead_id, kind=kind, campaign_id=campaign_id, by=by, note=note),
    )


def bulk_renurture(*, lead_ids: list[int], by) -> BulkResult:
    return _bulk(lead_ids, lambda lead_id: renurture_lead(lead_id=lead_id, by=by))
