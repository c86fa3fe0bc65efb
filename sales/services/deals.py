"""A deal's life: open, move, edit, close, reopen, reassign. Every write bumps its version."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import signals
from ..errors import DealConflict, StageMoveNotAllowed
from ..models import Activity, Deal, DealStageChange, LostReason, Pipeline, SalesRep, Stage, StageTransition
from ..pipelines import ensure_default_pipeline, ensure_lost_reasons

EDITABLE_FIELDS = frozenset(
    {"title", "amount", "currency", "expected_close", "contact_name", "contact_email", "contact_phone", "company"}
)
# A close time a little ahead of the server's clock is a skew, not a deal won tomorrow.
CLOCK_SKEW = timedelta(minutes=5)


def default_pipeline() -> Pipeline:
    """The pipeline new deals open in (created with its stages if it is missing)."""
    return ensure_default_pipeline(Pipeline, Stage, StageTransition)


def open_deal(
    *,
    owner_id: int,
    team_id: int | None,
    title: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    company: str = "",
    brief: dict | None = None,
) -> Deal:
    """Open a deal in the first stage of the default pipeline."""
    pipeline = default_pipeline()
    first_stage = pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("order").first()
    now = timezone.now()
    with transaction.atomic():
        deal = Deal.objects.create(
            pipeline=pipeline,
            stage=first_stage,
            owner_id=owner_id,
            team_id=team_id,
            title=title[:200],
            contact_name=contact_name[:200],
            contact_email=contact_email[:254],
            contact_phone=contact_phone[:50],
            company=company[:200],
            brief=brief or {},
            currency=settings.LEADFLOW_CURRENCY,
            last_activity_at=now,
        )
        DealStageChange.objects.create(deal=deal, to_stage=first_stage, changed_at=now)
    return deal


def move_deal(*, deal_id: int, to_stage_id: int, by, expected_version: int) -> Deal:
    """Move an open deal to another open stage, if the pipeline's table allows it."""
    with transaction.atomic():
        deal = _lock_current(deal_id, expected_version)
        to_stage = Stage.objects.filter(pk=to_stage_id, pipeline_id=deal.pipeline_id).first()
        if to_stage is None:
            raise ValidationError({"stage": "That stage is not in this deal's pipeline."})
        if to_stage.is_closed:
            raise StageMoveNotAllowed("Use Won or Lost to close a deal.")
        if deal.is_closed:
            raise StageMoveNotAllowed("This deal is closed; a manager must reopen it first.")
        if to_stage.pk == deal.stage_id:
            raise StageMoveNotAllowed(f"The deal is already in {to_stage.name}.")
        _check_transition(deal.stage, to_stage)
        _set_stage(deal, to_stage, by=by)
        signals.deal_stage_changed.send(sender=Deal, deal_id=deal.pk)
    return deal


def close_deal(
    *,
    deal_id: int,
    won: bool,
    by,
    expected_version: int,
    amount: Decimal | None = None,
    lost_reason: str = "",
    lost_note: str = "",
    rating: int | None = None,
    closed_at: datetime | None = None,
) -> Deal:
    """Close a deal as won (with its final amount) or lost (with a reason from the managed list)."""
    if amount is not None and amount < 0:
        raise ValidationError({"amount": "The amount cannot be negative."})
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the lead from 1 to 5."})
    now = timezone.now()
    if closed_at is not None and closed_at > now + CLOCK_SKEW:
        raise ValidationError({"closed_at": "The close date cannot be in the future."})
    reason = None if won else _lost_reason(lost_reason)
    with transaction.atomic():
        deal = _lock_current(deal_id, expected_version)
        if deal.is_closed:
            raise StageMoveNotAllowed("This deal is already closed.")
        kind = Stage.Kind.WON if won else Stage.Kind.LOST
        to_stage = deal.pipeline.stages.filter(kind=kind).first()
        if to_stage is None:
            raise StageMoveNotAllowed(f"The {deal.pipeline.name} pipeline has no {kind} stage.")
        _check_transition(deal.stage, to_stage)
        if amount is not None:
            deal.amount = amount
        deal.lost_reason = reason.name if reason else ""
        deal.lost_note = "" if won else lost_note.strip()[:1000]
        if rating is not None:
            deal.lead_rating = rating
        deal.closed_at = closed_at or now
        _set_stage(
            deal, to_stage, by=by, extra_fields=["amount", "lost_reason", "lost_note", "lead_rating", "closed_at"]
        )
        signals.deal_closed.send(sender=Deal, deal_id=deal.pk)
    return deal


def reopen_deal(*, deal_id: int, by, expected_version: int) -> Deal:
    """Managers only: put a closed deal back in the open stage it was closed from."""
    if not by.has_perm("sales.reopen_deal"):
        raise PermissionDenied("Only a sales manager can reopen a closed deal.")
    with transaction.atomic():
        deal = _lock_current(deal_id, expected_version)
        if not deal.is_closed:
            raise StageMoveNotAllowed("This deal is not closed.")
        # Back where it was, not to the pipeline's last open stage: a deal lost in
        # discovery reopened at negotiation would jump to 75 % and inflate the forecast.
        closing = deal.stage_changes.filter(to_stage=deal.stage, from_stage__kind=Stage.Kind.OPEN).last()
        to_stage = (
            closing.from_stage
            if closing
            else deal.pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("-order").first()
        )
        deal.closed_at = None
        deal.lost_reason = ""
        deal.lost_note = ""
        _set_stage(deal, to_stage, by=by, extra_fields=["closed_at", "lost_reason", "lost_note"])
        signals.deal_stage_changed.send(sender=Deal, deal_id=deal.pk)
    return deal


def update_deal(*, deal_id: int, by, expected_version: int, **changes) -> Deal:
    """Edit a deal's own fields; refused if someone saved a newer version meanwhile."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    if changes.get("amount") is not None and changes["amount"] < 0:
        raise ValidationError({"amount": "The amount cannot be negative."})
    if "currency" in changes:
        changes["currency"] = (changes["currency"] or "").strip().upper()
        if len(changes["currency"]) != 3 or not changes["currency"].isalpha():
            raise ValidationError({"currency": "Use a three-letter currency code, such as USD or EUR."})
    _check_field_values(changes)
    with transaction.atomic():
        deal = _lock_current(deal_id, expected_version)
        if deal.is_closed:
            # Its outcome already went back to marketing; editing it would quietly
            # change revenue and ROI figures after the fact.
            raise StageMoveNotAllowed("This deal is closed; a manager must reopen it before it can be edited.")
        for name, value in changes.items():
            setattr(deal, name, value)
        deal.last_activity_at = timezone.now()
        deal.version = F("version") + 1
        deal.save(update_fields=[*changes, "version", "last_activity_at", "updated_at"])
        deal.refresh_from_db(fields=["version"])
    return deal


def reassign_deal(*, deal_id: int, owner_id: int, by, expected_version: int) -> Deal:
    """Managers only: give a deal (and its open activities) to another salesperson of their team."""
    if not by.has_perm("sales.reassign_deal"):
        raise PermissionDenied("Only a sales manager can change a deal's owner.")
    rep = SalesRep.objects.filter(user_id=owner_id, user__is_active=True).select_related("team").first()
    if rep is None or not (by.is_superuser or rep.team.manager_id == by.pk):
        raise ValidationError({"owner": "Choose a salesperson of a team you manage."})
    with transaction.atomic():
        deal = _lock_current(deal_id, expected_version)
        if deal.owner_id == owner_id:
            raise ValidationError({"owner": "The deal already belongs to them."})
        Activity.objects.filter(deal=deal, owner_id=deal.owner_id, done_at__isnull=True).update(owner_id=owner_id)
        deal.owner_id = owner_id
        deal.team_id = rep.team_id
        deal.version = F("version") + 1
        deal.save(update_fields=["owner", "team", "version", "updated_at"])
        deal.refresh_from_db(fields=["version"])
    return deal


def transition_table(*, pipeline_id: int) -> dict[int, set[int]]:
    """The pipeline's allowed moves, {from stage id: {to stage ids}}: the one reading of StageTransition."""
    # The services' checks, the deal page and the board all ask here, so a page never offers
    # a move the services would refuse (issue 10: "Mark won" was offered, then answered 409).
    table: dict[int, set[int]] = {}
    for from_id, to_id in StageTransition.objects.filter(from_stage__pipeline_id=pipeline_id).values_list(
        "from_stage_id", "to_stage_id"
    ):
        table.setdefault(from_id, set()).add(to_id)
    return table


@dataclass(frozen=True)
class NextSteps:
    """What `user` may do with a deal now, and why a closing action is not possible yet."""

    moves: list[Stage] = field(default_factory=list)
    can_win: bool = False
    can_lose: bool = False
    can_reopen: bool = False
    why_not_won: str = ""
    why_not_lost: str = ""
    why_not_reopen: str = ""


def next_steps(*, deal: Deal, user, stages: list[Stage] | None = None) -> NextSteps:
    """The moves, closes and reopen the rules allow for this deal and user: what its page offers."""
    stages = stages if stages is not None else list(deal.pipeline.stages.all())
    if deal.is_closed:
        if user.has_perm("sales.reopen_deal"):
            return NextSteps(can_reopen=True)
        return NextSteps(why_not_reopen="Only a sales manager can reopen a closed deal.")
    if not user.has_perm("sales.change_deal"):
        return NextSteps()
    table = transition_table(pipeline_id=deal.pipeline_id)
    allowed = table.get(deal.stage_id, set())
    moves = [stage for stage in stages if stage.kind == Stage.Kind.OPEN and stage.pk in allowed]
    closing = {}
    for kind in (Stage.Kind.WON, Stage.Kind.LOST):
        target = next((stage for stage in stages if stage.kind == kind), None)
        if target is not None and target.pk in allowed:
            closing[kind] = ""
            continue
        sources = [stage.name for stage in stages if target is not None and target.pk in table.get(stage.pk, ())]
        label = target.name if target else kind.label
        closing[kind] = (
            f"{label} is possible from {_either(sources)}: move the deal there first."
            if sources
            else f"The {deal.pipeline.name} pipeline has no move to {label}; a manager can add one in Sales settings."
        )
    return NextSteps(
        moves=moves,
        can_win=not closing[Stage.Kind.WON],
        can_lose=not closing[Stage.Kind.LOST],
        why_not_won=closing[Stage.Kind.WON],
        why_not_lost=closing[Stage.Kind.LOST],
    )


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def active_lost_reasons():
    """The reasons a salesperson may choose when losing a deal, in the managers' order."""
    ensure_lost_reasons(LostReason)
    return LostReason.objects.filter(is_active=True)


def reassignable_owners(*, by):
    """The users a manager may hand a deal to: active reps of the teams they manage."""
    reps = SalesRep.objects.filter(user__is_active=True)
    if not by.is_superuser:
        reps = reps.filter(team__manager=by)
    return get_user_model().objects.filter(pk__in=reps.values("user_id")).order_by("first_name", "username")


def _lost_reason(name: str) -> LostReason:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"lost_reason": "Say why the deal was lost: choose a reason."})
    reason = active_lost_reasons().filter(name__iexact=name).first()
    if reason is None:
        raise ValidationError({"lost_reason": "Choose one of the lost reasons on the list."})
    return reason


def _check_field_values(changes: dict) -> None:
    # The model fields' own rules (max_length, max_digits, blank): without them a 201-char
    # title or an 11-digit amount reaches PostgreSQL and comes back as a DataError (a 500).
    errors = {}
    for name, value in changes.items():
        try:
            Deal._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def _lock_current(deal_id: int, expected_version: int) -> Deal:
    # Row lock + version check: two edits started from one version cannot both land
    # (RELIABILITY #4 lost 17 of 20 concurrent edits without it).
    # The deal row alone: joined in the same statement, its stage and pipeline rows would be
    # locked too (serialising every move in a stage), and with FOR UPDATE OF a row whose
    # stage changed while we waited drops out of the join (DoesNotExist under contention).
    deal = Deal.objects.select_for_update().get(pk=deal_id)
    if deal.version != expected_version:
        raise DealConflict("Someone else changed this deal while you were editing it. Reload to see their changes.")
    return deal


def _check_transition(from_stage: Stage, to_stage: Stage) -> None:
    if to_stage.pk not in transition_table(pipeline_id=from_stage.pipeline_id).get(from_stage.pk, ()):
        raise StageMoveNotAllowed(f"A deal cannot move from {from_stage.name} to {to_stage.name}.")


def _set_stage(deal: Deal, to_stage: Stage, *, by, extra_fields: list[str] | None = None) -> None:
    now = timezone.now()
    DealStageChange.objects.create(deal=deal, from_stage=deal.stage, to_stage=to_stage, changed_at=now, changed_by=by)
    deal.stage = to_stage
    deal.last_activity_at = now
    deal.version = F("version") + 1
    deal.save(update_fields=["stage", "version", "last_activity_at", "updated_at", *(extra_fields or [])])
    deal.refresh_from_db(fields=["version"])
