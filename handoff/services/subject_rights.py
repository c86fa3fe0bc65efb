"""A person's rights over their data (GDPR art. 15 and 17) across both teams.

A person's data lives on both sides of the seam: marketing's lead (with its merged
duplicates), handoff's handoffs and feedback, and sales' deals with their own copy of the
contact. Each side exports and erases its own rows; handoff, which alone knows which
deals came from which lead, joins them.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from marketing import services as marketing
from sales import services as sales

from ..models import Erasure, Feedback, Handoff
from ..signals import subject_erasing

EXPORT_FORMAT = "leadflow.personal-data.v1"


@dataclass(frozen=True)
class ErasureResult:
    erasure: Erasure | None
    already_erased: bool


def export_subject(*, lead_id: int) -> dict:
    """Everything stored about the person of `lead_id`, as one JSON-ready document (art. 15)."""
    lead_ids = marketing.person_lead_ids(lead_id=lead_id)
    handoffs = list(
        Handoff.objects.filter(lead_id__in=lead_ids).prefetch_related("offers", "feedback").order_by("created_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "lead_id": lead_ids[0],
        "lead_ids": lead_ids,
        "marketing": marketing.export_person_data(lead_id=lead_ids[0]),
        "handoff": {
            "handoffs": [
                {
                    **_columns(handoff),
                    "offers": [_columns(offer) for offer in handoff.offers.all()],
                    "feedback": [_columns(feedback) for feedback in handoff.feedback.all()],
                }
                for handoff in handoffs
            ],
            "erasures": [_columns(erasure) for erasure in Erasure.objects.filter(lead_id=lead_ids[0])],
        },
        "sales": {"deals": sales.export_deal_data(deal_ids=[h.deal_id for h in handoffs if h.deal_id])},
    }


def erase_subject(*, lead_id: int, by) -> ErasureResult:
    """Erase the person of `lead_id` on both sides in one transaction, and record who did it
    (art. 17). Counts, stages, dates and amounts stay; a second erasure changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        lead_ids = marketing.person_lead_ids(lead_id=lead_id)
        # Handoffs first, then leads, then deals: the order accept_offer locks them in.
        handoffs = list(Handoff.objects.select_for_update().filter(lead_id__in=lead_ids).order_by("pk"))
        subject_erasing.send(
            sender=Erasure, lead_ids=lead_ids, deal_ids=[handoff.deal_id for handoff in handoffs if handoff.deal_id]
        )
        erased = marketing.erase_person_data(lead_id=lead_id, now=now)
        if erased.already_erased:
            return ErasureResult(Erasure.objects.filter(lead_id=erased.lead_ids[0]).first(), already_erased=True)
        if erased.lead_ids != lead_ids:  # a merge landed in between: its handoffs too
            handoffs = list(Handoff.objects.select_for_update().filter(lead_id__in=erased.lead_ids).order_by("pk"))
        handoff_ids = [handoff.pk for handoff in handoffs]
        deal_ids = [handoff.deal_id for handoff in handoffs if handoff.deal_id]
        sales.erase_deal_contacts(deal_ids=deal_ids)
        # The brief sales got is on the deal (cleared by sales); what handoff wrote itself
        # is the routing reason ("Open deal with <address>"), the company domain and sales'
        # free text. Reasons, ratings, states and times stay: the scorecards count them.
        Handoff.objects.filter(pk__in=handoff_ids).update(route_reason="", domain="", rejection_note="")
        Feedback.objects.filter(handoff_id__in=handoff_ids).update(comment="")
        erasure = Erasure.objects.create(
            lead_id=erased.lead_ids[0],
            lead_ids=erased.lead_ids,
            deal_ids=deal_ids,
            erased_by=by,
            erased_by_username=by.get_username() if by else "",
            erased_at=now,
        )
    return ErasureResult(erasure, already_erased=False)


def _columns(row: models.Model) -> dict:
    """Every stored column of a row, by name (foreign keys as ids)."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
