"""Marketing's use cases. Every write to a marketing model goes through here."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import signals
from .emails import normalize_email, review_reason_for
from .errors import StageChangeNotAllowed
from .models import FUNNEL, STAGE_MOVES, Campaign, Channel, Lead, LeadStageChange, Stage, Touchpoint
from .scoring import compute_score

# Fields a capture may fill on a lead; a repeat capture fills only the blanks.
PROFILE_FIELDS = ("first_name", "last_name", "company", "title", "phone", "country", "industry", "company_size")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass
class Capture:
    """What one form post, API call or import row says about a person."""

    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    phone: str = ""
    country: str = ""
    industry: str = ""
    company_size: str = ""
    source: str = ""
    campaign: Campaign | None = None
    utm: dict[str, str] = field(default_factory=dict)
    referrer: str = ""
    landing_page: str = ""
    consent_text: str = ""
    consent_source: str = ""
    touch_kind: str = Touchpoint.Kind.FORM_SUBMIT
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    created: bool


def capture_lead(*, capture: Capture, now: datetime | None = None) -> CaptureResult:
    """Create the lead or merge into the existing one (same normalized email), with a touchpoint."""
    now = now or timezone.now()
    email_normalized = normalize_email(capture.email)
    source = capture.source or (capture.campaign.channel if capture.campaign else Channel.DIRECT)
    utm = {key: capture.utm.get(key, "") for key in UTM_FIELDS}
    with transaction.atomic():
        # The unique column makes this safe under concurrent submits of one address:
        # the losing insert waits for the winner and then reads its row (RELIABILITY #2).
        lead, created = Lead.objects.get_or_create(
            email_normalized=email_normalized,
            defaults={
                "email": capture.email.strip(),
                **{name: getattr(capture, name) for name in PROFILE_FIELDS},
                "source": source,
                "first_touch_campaign": capture.campaign,
                **utm,
                "attributes": capture.attributes,
                "stage": Stage.LEAD,
                "stage_changed_at": now,
                "review_reason": review_reason_for(email_normalized),
                **_consent(capture, now),
            },
        )
        if created:
            LeadStageChange.objects.create(lead=lead, stage=lead.stage, entered_at=now, reason="Captured")
        else:
            lead = _merge_into(lead, capture, now)
        Touchpoint.objects.create(
            lead=lead,
            kind=capture.touch_kind,
            campaign=capture.campaign,
            channel=source,
            occurred_at=now,
            referrer=capture.referrer,
            landing_page=capture.landing_page,
            **utm,
        )
        from .tasks import score_lead as score_lead_task

        score_lead_task.delay_on_commit(lead.pk)
    return CaptureResult(lead=lead, created=created)


def _consent(capture: Capture, now: datetime) -> dict:
    if not capture.consent_text:
        return {}
    return {
        "consent_given_at": now,
        "consent_text": capture.consent_text,
        "consent_source": capture.consent_source or "web form",
    }


def _merge_into(lead: Lead, capture: Capture, now: datetime) -> Lead:
    """Fill what the lead lacks; never overwrite what someone already gave or edited.

    Returns the locked, updated row: the caller's copy was read before the lock and
    would hand back stale fields.
    """
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    changed = [name for name in PROFILE_FIELDS if not getattr(lead, name) and getattr(capture, name)]
    for name in changed:
        setattr(lead, name, getattr(capture, name))
    new_attributes = {k: v for k, v in capture.attributes.items() if k not in lead.attributes}
    if new_attributes:
        lead.attributes = {**lead.attributes, **new_attributes}
        changed.append("attributes")
    if capture.consent_text and not lead.consent_given_at:
        for name, value in _consent(capture, now).items():
            setattr(lead, name, value)
            changed.append(name)
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])
    return lead


def score_lead(*, lead_id: int, now: datetime | None = None) -> Lead | None:
    """Recompute the score with its reasons; qualify the lead when it crosses the MQL bar."""
    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
        if lead is None:
            return None
        score, reasons = compute_score(lead)
        lead.score = score
        lead.score_reasons = [reason.as_dict() for reason in reasons]
        lead.scored_at = now
        lead.save(update_fields=["score", "score_reasons", "scored_at", "updated_at"])
        qualifies = score >= settings.LEADFLOW_MQL_THRESHOLD and not lead.in_cooldown(now)
        if qualifies and lead.stage in (Stage.SUBSCRIBER, Stage.LEAD):
            _move(lead, Stage.MQL, reason=f"Score {score} reached the MQL threshold", now=now)
            _announce_qualified(lead)
    return lead


def qualify_lead(*, lead_id: int, by=None, reason: str = "Handed to sales by hand") -> Lead:
    """Hand a lead to sales now (marketer or manager), whatever its score."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.in_cooldown(timezone.now()):
            raise StageChangeNotAllowed(
                f"Sales recycled this lead with a cool-down: it can be handed to sales again "
                f"from {timezone.localtime(lead.nurture_until):%Y-%m-%d %H:%M}."
            )
        _move(lead, Stage.MQL, reason=reason, by=by)
        _announce_qualified(lead)
    return lead


def _announce_qualified(lead: Lead) -> None:
    # Receivers only enqueue after commit, so sending inside the transaction is safe.
    signals.lead_qualified.send(sender=Lead, lead_id=lead.pk, cycle=lead.recycle_count)


def accept_lead(*, lead_id: int, owner_id: int) -> Lead:
    """Sales took the lead: it becomes SAL and belongs to that salesperson."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        lead.owner_id = owner_id
        _move(lead, Stage.SAL, reason="Accepted by sales", extra_fields=["owner"])
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
        _move(lead, Stage.RECYCLED, reason=reason, now=now, extra_fields=["owner", "recycle_count", "nurture_until"])
    return lead


def disqualify_lead(*, lead_id: int, reason: str, by=None) -> Lead:
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        _move(lead, Stage.DISQUALIFIED, reason=reason, by=by)
    return lead


def advance_lead(*, lead_id: int, stage: str, reason: str) -> Lead:
    """Move a lead forward along the funnel; a lead already at or past `stage` stays put."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.stage in FUNNEL and FUNNEL.index(lead.stage) < FUNNEL.index(stage):
            _move(lead, stage, reason=reason)
    return lead


def record_outcome(*, lead_id: int, won: bool, amount: Decimal, closed_at: datetime, reason: str = "") -> Lead:
    """Write sales' final word back on the lead: won → customer, lost → back to nurture."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        lead.outcome = Lead.Outcome.WON if won else Lead.Outcome.LOST
        lead.outcome_amount = amount
        lead.outcome_at = closed_at
        fields = ["outcome", "outcome_amount", "outcome_at"]
        if won and lead.stage != Stage.CUSTOMER:
            _move(lead, Stage.CUSTOMER, reason="Deal won", extra_fields=fields)
        elif not won and lead.stage not in (Stage.RECYCLED, Stage.DISQUALIFIED):
            lead.owner = None
            lead.recycle_count += 1
            label = f"Deal lost: {reason}" if reason else "Deal lost"
            _move(lead, Stage.RECYCLED, reason=label, extra_fields=[*fields, "owner", "recycle_count"])
        else:
            lead.save(update_fields=[*fields, "updated_at"])
    return lead


def _move(
    lead: Lead,
    to_stage: str,
    *,
    reason: str,
    by=None,
    now: datetime | None = None,
    extra_fields: list[str] | None = None,
) -> None:
    """The single place a lead changes stage: checks the table, closes and opens the stay."""
    if to_stage not in STAGE_MOVES[lead.stage]:
        raise StageChangeNotAllowed(f"A lead cannot move from {Stage(lead.stage).label} to {Stage(to_stage).label}.")
    now = now or timezone.now()
    LeadStageChange.objects.filter(lead=lead, exited_at__isnull=True).update(exited_at=now)
    LeadStageChange.objects.create(lead=lead, stage=to_stage, entered_at=now, reason=reason[:300], changed_by=by)
    lead.stage = to_stage
    lead.stage_changed_at = now
    lead.save(update_fields=["stage", "stage_changed_at", "updated_at", *(extra_fields or [])])
