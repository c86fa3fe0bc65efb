"""Keep the facts and cells current: a full rebuild, and a cheap refresh of what changed.

The refresh finds what changed since it last ran from append-only rows (stage changes of
leads and deals, offers) read past a watermark, plus deals saved since then. The
watermark only moves past rows older than SETTLE: ids are handed out before commit, so a
transaction still open can commit an id below one already seen, and the rows of the last
moments are read again next time. Recomputing a fact or a day twice changes nothing, so
reading some rows again is harmless. Whatever a refresh cannot see (a lead's
source edited by hand, a deleted campaign) the nightly rebuild puts right.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from handoff.models import Handoff, Offer
from marketing.models import LeadStageChange
from sales.models import Deal, DealStageChange

from ..models import (
    AttributionCell,
    DealCell,
    DealFact,
    DurationCell,
    FunnelCell,
    LeadFact,
    LeadTimeCell,
    OfferCell,
    RejectionCell,
    RollupState,
)
from . import attribution, cells, facts

logger = logging.getLogger(__name__)
SETTLE = timedelta(seconds=60)
# Past this many changed leads and deals a full rebuild is cheaper (and SQLite's limit on
# query parameters is near).
TOO_MANY = 20_000
# Deals saved this long before the last refresh are read again (clock skew between hosts).
DEAL_SLACK = timedelta(minutes=2)


@dataclass
class RefreshReport:
    full: bool = False
    leads: int = 0
    deals: int = 0
    days: dict[str, int] = field(default_factory=dict)
    version: int = 0


def _state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


# watermark field → (model, its timestamp field)
SOURCES = {
    "lead_change_id": (LeadStageChange, "entered_at"),
    "deal_change_id": (DealStageChange, "changed_at"),
    "offer_id": (Offer, "offered_at"),
}


def _marks() -> dict:
    return {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, (model, _field) in SOURCES.items()}


def _settled_marks(state: RollupState, now) -> dict:
    """How far each watermark may move: the newest id among rows older than SETTLE."""
    marks = {}
    for name, (model, stamp) in SOURCES.items():
        settled = model.objects.filter(pk__gt=getattr(state, name), **{f"{stamp}__lt": now - SETTLE})
        marks[name] = max(settled.aggregate(m=Max("pk"))["m"] or 0, getattr(state, name))
    return marks


def _timed(step: str, work):
    started = time.perf_counter()
    result = work()
    logger.info("dashboard rebuild: %s in %.1f s", step, time.perf_counter() - started)
    return result


def rebuild_all() -> RefreshReport:
    """Throw every fact and cell away and derive them again from the raw tables."""
    with transaction.atomic():
        state = _state()
        marks, now = _marks(), timezone.now()
        for model in (AttributionCell, DealCell, LeadTimeCell, OfferCell, RejectionCell, DurationCell, FunnelCell):
            model.objects.all().delete()
        DealFact.objects.all().delete()
        leads = _timed("lead facts", facts.rebuild_lead_facts)
        deals = _timed("deal facts", facts.rebuild_deal_facts)
        _timed("funnel cells", lambda: cells.funnel(None))
        _timed("deal cells", lambda: cells.deals(None))
        _timed("attribution cells", lambda: attribution.rebuild(None))
        _timed("offer cells", lambda: cells.offers(None))
        _timed("rejection cells", lambda: cells.rejections(None))
        _timed("monthly cells", lambda: cells.monthly(None))
        for name, value in marks.items():
            setattr(state, name, value)
        state.deals_seen_at = state.refreshed_at = state.rebuilt_at = now
        state.version += 1
        state.save()
    return RefreshReport(full=True, leads=leads, deals=deals, version=state.version)


def refresh() -> RefreshReport:
    """Bring the facts and cells up to date with whatever changed since the last run."""
    with transaction.atomic():
        state = _state()
        if state.rebuilt_at is not None:
            report = _refresh(state)
            if report is not None:
                return report
    return rebuild_all()  # never built, or so much changed that starting over is cheaper


def _refresh(state: RollupState) -> RefreshReport | None:
    now = timezone.now()
    marks = _settled_marks(state, now)
    lead_ids = set(LeadStageChange.objects.filter(pk__gt=state.lead_change_id).values_list("lead_id", flat=True))
    deal_ids = set(DealStageChange.objects.filter(pk__gt=state.deal_change_id).values_list("deal_id", flat=True))
    seen_at = state.deals_seen_at or now
    edited = set(Deal.objects.filter(updated_at__gte=seen_at - DEAL_SLACK).values_list("pk", flat=True))
    changed = bool(lead_ids or deal_ids) or Deal.objects.filter(updated_at__gt=seen_at).exists()
    deal_ids |= edited
    new_offers = Offer.objects.filter(pk__gt=state.offer_id)
    offer_leads = set(new_offers.values_list("handoff__lead_id", flat=True))
    changed = changed or bool(offer_leads)
    lead_ids |= offer_leads
    # A deal's facts carry its lead's first MQL, a lead's carry its latest handoff's team:
    # follow the handoffs both ways.
    linked = Handoff.objects.filter(lead_id__in=lead_ids, deal__isnull=False).values_list("deal_id", flat=True)
    deal_ids |= set(linked)
    lead_ids |= set(Handoff.objects.filter(deal_id__in=deal_ids).values_list("lead_id", flat=True))
    if len(lead_ids) + len(deal_ids) > TOO_MANY:
        return None

    old_deal_days = set(DealFact.objects.filter(deal_id__in=deal_ids, day__isnull=False).values_list("day", flat=True))
    facts.rebuild_lead_facts(lead_ids)
    facts.rebuild_deal_facts(deal_ids)
    lead_days = set(LeadFact.objects.filter(lead_id__in=lead_ids).values_list("day", flat=True))
    deal_days = old_deal_days | set(
        DealFact.objects.filter(deal_id__in=deal_ids, day__isnull=False).values_list("day", flat=True)
    )
    offer_days = _offer_days(new_offers, lead_ids)
    rejection_days = _local_days(
        Handoff.objects.filter(lead_id__in=lead_ids, state=Handoff.State.REJECTED).values_list("decided_at", flat=True)
    )
    cells.funnel(sorted(lead_days))
    cells.deals(sorted(deal_days))
    attribution.rebuild(sorted(deal_days))
    cells.offers(sorted(offer_days))
    cells.rejections(sorted(rejection_days))
    cells.monthly(cells.months_of(lead_days | deal_days | offer_days | rejection_days))

    for name, value in marks.items():
        setattr(state, name, value)
    state.deals_seen_at = state.refreshed_at = now
    if changed:
        state.version += 1
    state.save()
    days = {"funnel": len(lead_days), "deals": len(deal_days), "offers": len(offer_days)}
    days["rejections"] = len(rejection_days)
    return RefreshReport(leads=len(lead_ids), deals=len(deal_ids), days=days, version=state.version)


def _offer_days(new_offers, lead_ids: set[int]) -> set[date]:
    """Days of new offers, of the offers of touched leads, and of offers still open.

    An offer that expires or is answered changes no row the watermarks see except through
    its lead (answered) or a new offer (re-offered); one that expires with nobody left to
    re-offer to shows up only as an open offer turning expired, hence the open days.
    """
    stamps = set(new_offers.values_list("offered_at", flat=True))
    stamps |= set(Offer.objects.filter(handoff__lead_id__in=lead_ids).values_list("offered_at", flat=True))
    return _local_days(stamps) | set(OfferCell.objects.filter(open__gt=0).values_list("day", flat=True))


def _local_days(stamps) -> set[date]:
    return {timezone.localdate(stamp) for stamp in stamps if stamp is not None}
