"""A handoff's life: routed, offered with an SLA clock, accepted or rejected (and recycled)."""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guards.emails import normalize_email
from marketing import services as marketing
from marketing.errors import MergeNotAllowed
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales import services as sales
from sales.models import SalesRep

from ..brief import build_brief
from ..errors import OfferConflict
from ..models import Feedback, Handoff, Offer, RejectionReason, TeamSettings
from ..recycling import Action, rule_for
from ..routing import company_domain, pick_rep, route_for
from ..signals import handoff_changed
from ..workhours import WorkingHours
from . import notify

logger = logging.getLogger(__name__)


def route_lead(*, lead_id: int, cycle: int) -> Handoff | None:
    """Create the lead's handoff for this qualification and offer it to a rep."""
    with transaction.atomic():
        lead = Lead.objects.filter(pk=lead_id).first()
        if lead is None or lead.stage != LeadStage.MQL or lead.recycle_count != cycle or lead.erased_at:
            return None  # no longer waiting for sales (accepted, recycled, erased, deleted…)
        handoff = Handoff.objects.filter(lead=lead, cycle=cycle).first()
        if handoff is None:
            route = route_for(lead)
            handoff, created = Handoff.objects.get_or_create(
                lead=lead,
                cycle=cycle,
                defaults={
                    "team": route.team,
                    "route_reason": route.reason[:200],
                    "preferred_assignee_id": route.preferred_user_id,
                    "domain": company_domain(lead.email_normalized),
                },
            )
            if created:
                handoff_changed.send(sender=Handoff, lead=lead, rep_id=None)
        return offer_handoff(handoff_id=handoff.pk)


def hours_and_sla(team_id: int | None) -> tuple[WorkingHours, int, int | None]:
    """The team's working hours, SLA minutes and offer cap (defaults for a team with no settings)."""
    sla = TeamSettings.objects.sla_of(team_id)
    return sla.hours, sla.minutes, sla.max_open_offers


def offer_handoff(*, handoff_id: int, now: datetime | None = None) -> Handoff | None:
    """Offer a queued or expired handoff to the next rep; a no-op for any other state.

    Must run inside a transaction (it locks the handoff, then the team's routing slots).
    """
    now = now or timezone.now()
    handoff = Handoff.objects.select_for_update().get(pk=handoff_id)
    if handoff.state not in (Handoff.State.QUEUED, Handoff.State.EXPIRED):
        return handoff
    lead = Lead.objects.get(pk=handoff.lead_id)
    # Withdrawn, not left to every sweep for ever: nobody is offered it again.
    if gone := "the person's data was erased" if lead.erased_at else unsellable(lead):
        withdraw(handoff, why=gone, now=now)
        return handoff
    if handoff.team_id is None:
        route = route_for(handoff.lead)
        handoff.team, handoff.route_reason = route.team, route.reason[:200]
        handoff.preferred_assignee_id = route.preferred_user_id
        handoff.save(update_fields=["team", "route_reason", "preferred_assignee"])
        if handoff.team is None:
            return handoff  # no team yet: the sweep tries again
    previous = set(handoff.offers.values_list("assignee_id", flat=True))
    hours, sla_minutes, cap = hours_and_sla(handoff.team_id)
    user_id = _preferred(handoff, previous) or pick_rep(handoff.team, exclude_user_ids=previous, cap=cap)
    if user_id is None:
        return handoff  # nobody available (away, or every rep at the cap): the sweep tries again
    due_at = hours.add(now, sla_minutes)
    Offer.objects.create(
        handoff=handoff,
        assignee_id=user_id,
        offered_at=now,
        due_at=due_at,
        remind_at=hours.add(now, sla_minutes / 2),
    )
    handoff.state = Handoff.State.OFFERED
    handoff.assignee_id = user_id
    handoff.offered_at = now
    handoff.due_at = due_at
    handoff.save(update_fields=["state", "assignee", "offered_at", "due_at"])
    transaction.on_commit(lambda: notify.offered(handoff), robust=True)
    return handoff


def _preferred(handoff: Handoff, previous: set[int]) -> int | None:
    """The owner dedupe found, for the first offer only (a breach goes to the team's next rep)."""
    from sales.models import SalesRep

    user_id = handoff.preferred_assignee_id
    if user_id is None or user_id in previous:
        return None
    return user_id if SalesRep.objects.available().filter(user_id=user_id).exists() else None


MOVED_ON = "This offer expired and went to someone else."
WITHDRAWN = "This offer was withdrawn: {why}."


def moved_on_from(*, handoff_id: int, user) -> bool:
    """Did the SLA sweep take this offer from `user` and give it to someone else?"""
    return Offer.objects.filter(handoff_id=handoff_id, assignee=user, state=Offer.State.EXPIRED).exists()


def unsellable(lead: Lead) -> str:
    """Why sales can no longer take this lead ("" when it can): it must still be qualified,
    waiting for sales (MQL), and a person of its own."""
    if lead.merged_into_id:
        return "the lead was merged into another lead"
    if lead.stage != LeadStage.MQL:
        return f"the lead's stage is now {lead.get_stage_display()}"
    return ""


def withdraw(handoff: Handoff, *, why: str, now: datetime) -> None:
    """Take back a handoff whose lead sales can no longer take; nobody is offered it again.

    Its open offer goes: the rep never had a chance to answer it, and the SLA metrics count
    offers that were answered or expired. The handoff keeps who had it and when.
    """
    handoff.offers.filter(state=Offer.State.OPEN).delete()
    handoff.state, handoff.decided_at = Handoff.State.WITHDRAWN, now
    handoff.save(update_fields=["state", "decided_at"])
    logger.info("handoff %s withdrawn: %s", handoff.pk, why)


def offer_for(*, handoff_id: int, by) -> Handoff:
    """The offer `by` may decide, read before anything else about the request: someone else's
    offer does not exist for them (404), whatever they asked to do with it."""
    if not by.has_perm("handoff.decide_offer"):
        raise PermissionDenied("Only sales can accept or reject offers.")
    handoff = Handoff.objects.visible_to(by).filter(pk=handoff_id).first()
    if handoff is None:
        if moved_on_from(handoff_id=handoff_id, user=by):
            raise OfferConflict(MOVED_ON)
        raise Handoff.DoesNotExist("No such offer.")
    return handoff


def _decidable(handoff_id: int, by) -> Handoff:
    """Lock the handoff if `by` may decide it; someone else's offer does not exist for them."""
    if not by.has_perm("handoff.decide_offer"):
        raise PermissionDenied("Only sales can accept or reject offers.")
    try:
        handoff = (
            Handoff.objects.visible_to(by).select_for_update(of=("self",)).select_related("lead").get(pk=handoff_id)
        )
    except Handoff.DoesNotExist:
        # The SLA sweep may have re-offered it to a teammate while this rep was deciding:
        # they had this offer, so say what happened (409) rather than pretend it never was.
        if moved_on_from(handoff_id=handoff_id, user=by):
            raise OfferConflict(MOVED_ON) from None
        raise
    if handoff.state == Handoff.State.WITHDRAWN:
        raise OfferConflict(WITHDRAWN.format(why="the lead is no longer with sales"))
    if handoff.state != Handoff.State.OFFERED:
        raise OfferConflict(f"This offer is already {handoff.get_state_display().lower()}.")
    return handoff


def close_open_offer(handoff: Handoff, state: str, now: datetime) -> None:
    """Close the handoff's open offer (accepted, rejected or expired); answers record how long
    the rep took in the team's working hours. The caller holds the handoff's lock."""
    offer = handoff.offers.filter(state=Offer.State.OPEN).first()
    if offer is None:
        return
    offer.state, offer.decided_at = state, now
    if state in (Offer.State.ACCEPTED, Offer.State.REJECTED):
        hours, _sla, _cap = hours_and_sla(handoff.team_id)
        offer.response_minutes = round(hours.minutes_between(offer.offered_at, now))
    offer.save(update_fields=["state", "decided_at", "response_minutes"])


def _check_rating(rating: int | None) -> None:
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the lead from 1 to 5."})


def _record_rating(handoff: Handoff, by, moment: str, rating: int | None, comment: str) -> None:
    if rating is None and not comment:
        return
    Feedback.objects.create(handoff=handoff, author=by, moment=moment, rating=rating, comment=comment[:1000])


def accept_offer(*, handoff_id: int, by, rating: int | None = None, comment: str = "") -> Handoff:
    """The assignee (or their manager) takes the lead: a deal opens, the lead becomes SAL."""
    _check_rating(rating)
    now = timezone.now()
    with transaction.atomic():
        handoff = _decidable(handoff_id, by)
        lead = (
            Lead.objects.select_related("first_touch_campaign")
            .prefetch_related("touchpoints__campaign", "merged_duplicates")
            .get(pk=handoff.lead_id)
        )
        if lead.erased_at:
            raise OfferConflict("This person's data was erased: the offer can only be rejected.")
        if gone := unsellable(lead):
            withdraw(handoff, why=gone, now=now)
        else:
            _open_deal(handoff, lead, by=by, rating=rating, comment=comment, now=now)
    if gone:
        raise OfferConflict(WITHDRAWN.format(why=gone))  # after the commit: the withdrawal stays
    return handoff


def _open_deal(handoff: Handoff, lead: Lead, *, by, rating: int | None, comment: str, now: datetime) -> None:
    deal = sales.open_deal(
        owner_id=handoff.assignee_id,
        team_id=handoff.team_id,
        title=f"{lead.company or lead.display_name}",
        contact_name=lead.display_name,
        contact_email=lead.email,
        contact_phone=lead.phone,
        company=lead.company,
        brief=build_brief(lead, handoff=handoff),
    )
    close_open_offer(handoff, Offer.State.ACCEPTED, now)
    handoff.state = Handoff.State.ACCEPTED
    handoff.decided_at = now
    handoff.deal = deal
    handoff.save(update_fields=["state", "decided_at", "deal"])
    _record_rating(handoff, by, Feedback.Moment.ACCEPT, rating, comment)
    marketing.accept_lead(lead_id=lead.pk, owner_id=handoff.assignee_id)
    handoff_changed.send(sender=Handoff, lead=lead, rep_id=handoff.assignee_id)


def _team_leads(team_id: int | None) -> Q:
    """The leads a team has had: owned by one of its reps, or handed to it."""
    members = SalesRep.objects.filter(team_id=team_id).values("user_id")
    return Q(owner__in=members) | Q(pk__in=Handoff.objects.filter(team_id=team_id).values("lead_id"))


def _original_lead(original_email: str, reason: str, *, handoff: Handoff, by) -> Lead | None:
    """The lead a rejected duplicate is merged into: one `by` sees, of the offer's own team.

    A lead outside that scope gets the same answer as no lead at all, so the field never
    tells a rep who else is in the CRM, and a merge never crosses teams.
    """
    original_email = (original_email or "").strip()
    if not original_email:
        return None
    if reason != RejectionReason.DUPLICATE:
        raise ValidationError({"original_email": "Name an original lead only when rejecting a duplicate."})
    try:
        normalized = normalize_email(original_email)
    except ValidationError:
        raise ValidationError({"original_email": "Enter the original lead's email address."}) from None
    # An address merged away before now means the lead it was merged into.
    normalized = marketing.resolve_alias(normalized)
    if normalized == handoff.lead.email_normalized:
        raise ValidationError({"original_email": "That is this lead itself: name the lead it duplicates."})
    original = Lead.objects.visible_to(by).filter(_team_leads(handoff.team_id), email_normalized=normalized).first()
    if original is None:
        raise ValidationError({"original_email": "None of your team's leads that you can see has this address."})
    return original


def reject_offer(
    *,
    handoff_id: int,
    by,
    reason: str,
    note: str = "",
    rating: int | None = None,
    original_email: str = "",
) -> Handoff:
    """Sales sends the lead back with a reason; the reason's rule says what becomes of it.

    Whose offer it is comes first: someone else's is a 404 whatever the rest of the request
    says (its reason, or an original lead that may or may not exist elsewhere).
    """
    note = note.strip()
    now = timezone.now()
    with transaction.atomic():
        handoff = _decidable(handoff_id, by)
        if gone := unsellable(handoff.lead):
            withdraw(handoff, why=gone, now=now)
        else:
            if reason not in RejectionReason.values:
                raise ValidationError({"reason": "Choose why you are rejecting this lead."})
            if reason == RejectionReason.OTHER and not note:
                raise ValidationError({"note": "Say why, when the reason is Other."})
            _check_rating(rating)
            original = _original_lead(original_email, reason, handoff=handoff, by=by)
            _reject(handoff, reason=reason, note=note, rating=rating, original=original, by=by, now=now)
    if gone:
        raise OfferConflict(WITHDRAWN.format(why=gone))  # after the commit: the withdrawal stays
    return handoff


def _reject(handoff: Handoff, *, reason: str, note: str, rating: int | None, original: Lead | None, by, now) -> None:
    close_open_offer(handoff, Offer.State.REJECTED, now)
    handoff.state = Handoff.State.REJECTED
    handoff.decided_at = now
    handoff.rejection_reason = reason
    handoff.rejection_note = note[:500]
    handoff.duplicate_of = original
    handoff.recycle_action = _apply_rule(handoff, rule_for(reason), note=note, original=original, by=by)
    handoff.save(
        update_fields=[
            "state",
            "decided_at",
            "rejection_reason",
            "rejection_note",
            "duplicate_of",
            "recycle_action",
        ]
    )
    _record_rating(handoff, by, Feedback.Moment.REJECT, rating, note)
    handoff_changed.send(sender=Handoff, lead=handoff.lead, rep_id=handoff.assignee_id)


def _apply_rule(handoff: Handoff, rule, *, note: str, original: Lead | None, by) -> str:
    """Do to marketing's lead what the reason's rule says; returns what was done."""
    label = RejectionReason(rule.reason).label + (f": {note}" if note else "")
    reason = f"Rejected by sales — {label}"
    if rule.action == Action.DISQUALIFY:
        marketing.disqualify_rejected_lead(lead_id=handoff.lead_id, reason=reason, by=by)
        return "disqualified"
    if rule.action == Action.DUPLICATE:
        if original is not None:
            # Marketing folds it into the original: its touchpoints and history move over
            # and the duplicate itself is closed (disqualified, merged) by the merge.
            try:
                marketing.merge_leads(keep_id=original.pk, duplicate_id=handoff.lead_id, by=by)
            except MergeNotAllowed as error:
                raise ValidationError({"original_email": str(error)}) from None
            return "merged"
        marketing.recycle_lead(lead_id=handoff.lead_id, reason=f"{reason} — flagged as a duplicate: merge it")
        return "flagged"
    marketing.recycle_lead(lead_id=handoff.lead_id, reason=reason, cooldown_days=rule.cooldown_days)
    return "nurture"
