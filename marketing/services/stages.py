"""A lead's stage moves: the one place stages change, each stay recorded.

Who may move a lead depends on whose it is. Marketing has it until it qualifies (MQL);
from then on it is sales' (docs/RELIABILITY.md: marketing is read-only after handoff):
offered to a rep, accepted, worked as a deal, won. Only sales' answers, which the seam
passes on through `accept_lead`, `disqualify_rejected_lead`, `recycle_lead`, `advance_lead`
and `record_outcome`, move it then; it is marketing's again once sales sends it back
(recycled, or disqualified by sales).
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..errors import LeadNotEditable, StageChangeNotAllowed
from ..models import ACCEPTED_STAGES, FUNNEL, QUALIFIED_STAGES, STAGE_MOVES, Lead, LeadStageChange, Stage

logger = logging.getLogger(__name__)


def _refuse_if_with_sales(lead: Lead) -> None:
    """A person of marketing may not change the stage of a lead that is sales' now."""
    if not lead.is_editable_by_marketing:
        raise LeadNotEditable(
            f"{lead.display_name} is with sales ({lead.get_stage_display()}): only sales can change its stage "
            "until it sends the lead back."
        )


def qualify_lead(*, lead_id: int, by=None, reason: str = "Handed to sales by hand") -> Lead:
    """Hand a lead to sales now (marketer or manager), whatever its score."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.erased_at is not None:
            raise StageChangeNotAllowed("This person's data was erased: there is nobody to hand to sales.")
        if lead.in_cooldown(timezone.now()):
            raise StageChangeNotAllowed(
                f"Sales recycled this lead with a cool-down: it can be handed to sales again "
                f"from {timezone.localtime(lead.nurture_until):%Y-%m-%d %H:%M}."
            )
        move_stage(lead, Stage.MQL, reason=reason, by=by)
        announce_qualified(lead)
    return lead


def announce_qualified(lead: Lead) -> None:
    """Tell whoever listens that `lead` just became MQL (after move_stage, in its transaction)."""
    # Receivers only enqueue after commit, so sending inside the transaction is safe.
    signals.lead_qualified.send(sender=Lead, lead_id=lead.pk, cycle=lead.recycle_count)


def accept_lead(*, lead_id: int, owner_id: int) -> Lead:
    """Sales took the lead: it becomes SAL and belongs to that salesperson."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        lead.owner_id = owner_id
        move_stage(lead, Stage.SAL, reason="Accepted by sales", extra_fields=["owner"])
    return lead


def recycle_lead(*, lead_id: int, reason: str, cooldown_days: int = 0) -> Lead:
    """Send a lead back to marketing nurture with sales' reason; it may qualify again after the cool-down."""
    if cooldown_days < 0:
        raise ValueError("cooldown_days cannot be negative")
    now = timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        lead.owner = None
        lead.recycle_count += 1
        lead.nurture_until = now + timedelta(days=cooldown_days) if cooldown_days else None
        fields = ["owner", "recycle_count", "nurture_until"]
        move_stage(lead, Stage.RECYCLED, reason=reason, now=now, extra_fields=fields)
    return lead


def disqualify_lead(*, lead_id: int, reason: str, by=None) -> Lead:
    """Marketing gives up on a lead it has; a lead with sales is refused (LeadNotEditable)."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        _refuse_if_with_sales(lead)
        move_stage(lead, Stage.DISQUALIFIED, reason=reason, by=by)
    return lead


def disqualify_rejected_lead(*, lead_id: int, reason: str, by=None) -> Lead:
    """Sales rejected a qualified lead for good (spam, bad fit…): disqualified on sales' word."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.stage != Stage.MQL:
            raise StageChangeNotAllowed(f"Sales answers only qualified leads; this one is {lead.get_stage_display()}.")
        move_stage(lead, Stage.DISQUALIFIED, reason=reason, by=by)
    return lead


def advance_lead(*, lead_id: int, stage: str, reason: str) -> Lead:
    """Move a lead forward along the funnel; a lead already at or past `stage` stays put."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.stage in FUNNEL and FUNNEL.index(lead.stage) < FUNNEL.index(stage):
            move_stage(lead, stage, reason=reason)
    return lead


def record_outcome(*, lead_id: int, won: bool, amount: Decimal, closed_at: datetime, reason: str = "") -> Lead:
    """Write sales' final word back on the lead: won → customer, lost → back to nurture.

    The outcome is always recorded. The stage follows when the stage table allows it; a lead
    that left the way meanwhile (disqualified, merged, sent back to nurture) keeps its stage,
    and that is logged rather than raised: the sale happened whatever the lead's stage says,
    and a refusal here would be retried by every reconciliation sweep, for ever.
    """
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        lead.outcome = Lead.Outcome.WON if won else Lead.Outcome.LOST
        lead.outcome_amount = amount
        lead.outcome_at = closed_at
        fields = ["outcome", "outcome_amount", "outcome_at"]
        to_stage = Stage.CUSTOMER if won else Stage.RECYCLED
        # Lost: a lead already back with marketing stays where marketing has it.
        moves = lead.stage != to_stage and (won or lead.stage != Stage.DISQUALIFIED)
        if moves and to_stage not in STAGE_MOVES[lead.stage]:
            logger.warning(
                "lead %s is %s: its deal's outcome (%s) is recorded, its stage stays",
                lead.pk, lead.stage, lead.outcome,
            )  # fmt: skip
            moves = False
        if not moves:
            lead.save(update_fields=[*fields, "updated_at"])
        elif won:
            move_stage(lead, Stage.CUSTOMER, reason="Deal won", extra_fields=fields)
        else:
            lead.owner = None
            lead.recycle_count += 1
            label = f"Deal lost: {reason}" if reason else "Deal lost"
            move_stage(lead, Stage.RECYCLED, reason=label, extra_fields=[*fields, "owner", "recycle_count"])
    return lead


def move_stage(
    lead: Lead,
    to_stage: str,
    *,
    reason: str,
    by=None,
    now: datetime | None = None,
    extra_fields: list[str] | None = None,
) -> None:
    """The single place a lead changes stage: checks the table, closes and opens the stay.

    For marketing's services (stages, scoring, merges, leads), on a lead they locked with
    select_for_update inside their transaction; everyone else calls the use cases above."""
    if to_stage not in STAGE_MOVES[lead.stage]:
        raise StageChangeNotAllowed(f"A lead cannot move from {Stage(lead.stage).label} to {Stage(to_stage).label}.")
    now = now or timezone.now()
    LeadStageChange.objects.filter(lead=lead, exited_at__isnull=True).update(exited_at=now)
    LeadStageChange.objects.create(lead=lead, stage=to_stage, entered_at=now, reason=reason[:300], changed_by=by)
    lead.stage = to_stage
    lead.stage_changed_at = now
    fields = ["stage", "stage_changed_at", "updated_at", *(extra_fields or [])]
    # First arrivals only: a recycled lead that qualifies again keeps its first date.
    if to_stage in QUALIFIED_STAGES and lead.qualified_at is None:
        lead.qualified_at = now
        fields.append("qualified_at")
    if to_stage in ACCEPTED_STAGES and lead.accepted_at is None:
        lead.accepted_at = now
        fields.append("accepted_at")
    lead.save(update_fields=fields)
