"""What comes back from sales: deal progress mirrored on the lead, outcomes and ratings."""

from django.db import transaction

from marketing import services as marketing
from marketing.models import Stage as LeadStage
from sales.models import Deal
from sales.models import Stage as DealStage

from ..models import Feedback, Handoff
from ..signals import handoff_changed


def record_deal_outcome(*, deal_id: int) -> bool:
    """Write a closed deal's outcome (and sales' rating of the lead) back, once per close."""
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().select_related("lead").filter(deal_id=deal_id).first()
        if handoff is None:
            return False  # a deal sales opened by itself: nothing to tell marketing
        deal = Deal.objects.select_related("stage").get(pk=deal_id)
        if deal.closed_at is None or handoff.outcome_closed_at == deal.closed_at:
            return False
        marketing.record_outcome(
            lead_id=handoff.lead_id,
            won=deal.stage.kind == DealStage.Kind.WON,
            amount=deal.amount,
            closed_at=deal.closed_at,
            reason=deal.lost_reason,
        )
        rating = getattr(deal, "lead_rating", None)
        if rating is not None:
            # The latest close's verdict: a deal reopened and closed again is rated again.
            Feedback.objects.update_or_create(
                handoff=handoff,
                moment=Feedback.Moment.CLOSE,
                defaults={"author_id": deal.owner_id, "rating": rating},
            )
        handoff.outcome_closed_at = deal.closed_at
        handoff.save(update_fields=["outcome_closed_at"])
        handoff_changed.send(sender=Handoff, lead=handoff.lead, rep_id=handoff.assignee_id)
    return True


def sync_lead_stage(*, deal_id: int) -> None:
    """Mirror an open deal's progress on the lead: 2nd open stage → SQL, later → opportunity."""
    handoff = Handoff.objects.select_related("lead").filter(deal_id=deal_id).first()
    if handoff is None:
        return
    deal = Deal.objects.select_related("stage").get(pk=deal_id)
    if deal.stage.is_closed:
        return  # the outcome path handles closed deals
    position = deal.pipeline.stages.filter(kind=DealStage.Kind.OPEN, order__lt=deal.stage.order).count()
    if position >= 1:
        stage = LeadStage.SQL if position == 1 else LeadStage.OPPORTUNITY
        marketing.advance_lead(lead_id=handoff.lead_id, stage=stage, reason=f"Deal moved to {deal.stage.name}")
        handoff_changed.send(sender=Handoff, lead=handoff.lead, rep_id=handoff.assignee_id)
