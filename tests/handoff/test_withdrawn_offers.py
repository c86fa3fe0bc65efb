"""An offer whose lead left sales' hands (disqualified, merged away) while it was open: deciding
it is a clear 409, never a 500, and it is withdrawn, not re-offered by every sweep for ever.
And a won deal's outcome reaches marketing whatever stage its lead is in by then."""

import datetime
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains
from rest_framework.test import APIClient

from handoff import services
from handoff.errors import OfferConflict
from handoff.models import Handoff, Offer
from marketing import services as marketing_services
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales import services as sales_services
from sales.models import Deal
from tests import factories
from tests.conftest import logged_in
from tests.marketing.pages import form_with_button

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=3)


def left_sales(handoff: Handoff) -> Lead:
    """The lead disqualified behind the offer's back, as marketing could before it was refused
    (a row today's services would not write)."""
    Lead.objects.filter(pk=handoff.lead_id).update(stage=LeadStage.DISQUALIFIED)
    return Lead.objects.get(pk=handoff.lead_id)


def merged_away(handoff: Handoff, marketer) -> Lead:
    """A marketer folds the offered lead into another lead of the same person."""
    keep = factories.capture(email="ada.lovelace@elsewhere.example")
    marketing_services.merge_leads(keep_id=keep.pk, duplicate_id=handoff.lead_id, by=marketer)
    return Lead.objects.get(pk=handoff.lead_id)


def withdrawn(handoff: Handoff) -> bool:
    handoff = Handoff.objects.get(pk=handoff.pk)
    return handoff.state == Handoff.State.WITHDRAWN and not handoff.offers.filter(state=Offer.State.OPEN).exists()


# --- the outcome of a deal -------------------------------------------------------------------


def test_a_won_deal_reaches_marketing_though_its_lead_was_disqualified_meanwhile(rep, caplog):
    deal = factories.accepted_deal(rep, stage="negotiation")
    handoff = Handoff.objects.get(deal=deal)
    left_sales(handoff)
    sales_services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=deal.version, amount=1200)

    with caplog.at_level(logging.WARNING, logger="marketing.services.stages"):
        assert services.record_deal_outcome(deal_id=deal.pk) is True

    lead = Lead.objects.get(pk=handoff.lead_id)
    assert (lead.outcome, lead.outcome_amount, lead.stage) == ("won", 1200, LeadStage.DISQUALIFIED)
    assert f"lead {lead.pk} is disqualified" in caplog.text
    assert services.reconcile(now=timezone.now() + LATER).outcomes == 0  # nothing left to re-drive


def test_a_lost_deal_reaches_marketing_though_its_lead_went_back_to_nurture_meanwhile(rep):
    deal = factories.accepted_deal(rep, stage="negotiation")
    handoff = Handoff.objects.get(deal=deal)
    Lead.objects.filter(pk=handoff.lead_id).update(stage=LeadStage.LEAD)
    sales_services.close_deal(
        deal_id=deal.pk, won=False, by=rep, expected_version=deal.version, lost_reason="Chose a competitor"
    )
    report = services.reconcile(now=timezone.now() + LATER)
    assert (report.outcomes, report.failed) == (1, 0)
    assert Lead.objects.get(pk=handoff.lead_id).outcome == "lost"


# --- deciding the offer ----------------------------------------------------------------------


def test_accepting_an_offer_whose_lead_was_merged_away_is_a_409_that_withdraws_it(rep, marketer):
    handoff = factories.offered()
    merged_away(handoff, marketer)
    with pytest.raises(OfferConflict, match="withdrawn: the lead was merged into another lead"):
        services.accept_offer(handoff_id=handoff.pk, by=rep)
    assert withdrawn(handoff)
    assert Deal.objects.count() == 0
    assert Lead.objects.get(pk=handoff.lead_id).stage == LeadStage.DISQUALIFIED
    # Asked again, it says so (still a 409).
    with pytest.raises(OfferConflict, match="withdrawn"):
        services.accept_offer(handoff_id=handoff.pk, by=rep)


def test_rejecting_an_offer_whose_lead_left_sales_is_a_409_that_withdraws_it_and_leaves_the_lead(rep):
    handoff = factories.offered()
    left_sales(handoff)
    with pytest.raises(OfferConflict, match="withdrawn: the lead's stage is now Disqualified"):
        services.reject_offer(handoff_id=handoff.pk, by=rep, reason="no_budget")
    assert withdrawn(handoff)
    lead = Lead.objects.get(pk=handoff.lead_id)
    assert (lead.stage, lead.recycle_count) == (LeadStage.DISQUALIFIED, 0)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain post", "htmx"])
def test_accepting_it_in_the_inbox_answers_409_with_the_reason_not_500(rep, htmx):
    handoff = factories.offered()
    client = logged_in(rep)
    accept = form_with_button(client.get(reverse("handoff:inbox")), "Accept lead")
    left_sales(handoff)

    response = client.post(accept.action, accept.data(), **({"HTTP_HX_REQUEST": "true"} if htmx else {}))

    assert response.status_code == 409
    assertContains(response, "This offer was withdrawn: the lead&#x27;s stage is now Disqualified.", status_code=409)
    assert withdrawn(handoff)
    assert Deal.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "body"), [("accept", {}), ("reject", {"reason": "no_budget"})], ids=["accept", "reject"]
)
def test_the_api_answers_409_json_for_such_an_offer(rep, action, body):
    handoff = factories.offered()
    left_sales(handoff)
    client = APIClient()
    client.force_authenticate(rep)
    response = client.post(f"/api/v1/offers/{handoff.pk}/{action}/", body, format="json")
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]
    assert withdrawn(handoff)


# --- the sweeps ------------------------------------------------------------------------------


def test_the_sla_sweep_withdraws_an_overdue_offer_whose_lead_left_sales_instead_of_re_offering_it(rep, teammate):
    handoff = factories.offered()
    left_sales(handoff)
    later = timezone.now() + LATER
    assert services.sweep_offers(now=later).expired == 0
    assert withdrawn(handoff)
    # No breach on the rep's record (nobody could have taken it), and nobody else is offered it.
    assert list(Offer.objects.filter(handoff=handoff).values_list("state", flat=True)) == []
    assert services.sweep_offers(now=later + LATER).expired == 0
    assert services.reconcile(now=later + LATER).offered == 0
    assert not Offer.objects.filter(handoff=handoff).exists()


def test_reconcile_withdraws_a_stuck_handoff_whose_lead_left_sales(rep, marketer):
    handoff = factories.offered()
    Offer.objects.filter(handoff=handoff).update(state=Offer.State.EXPIRED)
    Handoff.objects.filter(pk=handoff.pk).update(state=Handoff.State.EXPIRED)  # as a breach with nobody left
    merged_away(handoff, marketer)
    report = services.reconcile(now=timezone.now() + LATER)
    assert (report.offered, report.failed) == (0, 0)
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.WITHDRAWN
    assert Offer.objects.filter(handoff=handoff, state=Offer.State.OPEN).count() == 0


def test_the_lead_page_says_the_offer_was_withdrawn_and_from_whom(rep, marketer):
    handoff = factories.offered()
    lead = left_sales(handoff)
    services.sweep_offers(now=timezone.now() + LATER)
    client = logged_in(marketer)
    page = client.get(lead.get_absolute_url()).content.decode()
    slot = re.search(r'id="lead-sales-verdicts" hx-get="([^"]+)"', page).group(1)  # the slot loads itself
    verdicts = client.get(slot, HTTP_HX_REQUEST="true")
    assertContains(verdicts, "Withdrawn</span>")
    assertContains(verdicts, "the lead left sales while on offer")
