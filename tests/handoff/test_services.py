import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from handoff import services
from handoff.errors import OfferConflict
from handoff.models import Feedback, Handoff, Offer
from marketing import services as marketing_services
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales import services as sales_services
from sales.models import Deal, SalesRep
from tests import factories

pytestmark = pytest.mark.django_db


def test_routing_offers_the_lead_to_a_rep_with_an_sla(rep):
    handoff = factories.offered()
    assert handoff.state == Handoff.State.OFFERED
    assert handoff.assignee == rep
    assert handoff.team == rep.sales_rep.team
    assert handoff.due_at - handoff.offered_at == datetime.timedelta(minutes=240)
    offer = handoff.offers.get()
    assert (offer.assignee, offer.state, offer.due_at) == (rep, Offer.State.OPEN, handoff.due_at)


def test_routing_twice_makes_one_handoff_and_one_offer(rep, teammate):
    handoff = factories.offered()
    again = services.route_lead(lead_id=handoff.lead_id, cycle=0)
    assert again.pk == handoff.pk
    assert Handoff.objects.count() == 1
    assert Offer.objects.count() == 1


def test_routing_ignores_a_lead_that_is_no_longer_qualified(rep):
    lead = factories.capture()
    assert services.route_lead(lead_id=lead.pk, cycle=0) is None
    assert not Handoff.objects.exists()


def test_round_robin_alternates_and_skips_away_reps(team, rep, teammate):
    third = factories.salesperson(team, username="zoe")
    SalesRep.objects.filter(user=third).update(status=SalesRep.Status.AWAY)
    assignees = [factories.offered(email=f"lead{i}@corp.example").assignee for i in range(6)]
    assert assignees.count(rep) == 3
    assert assignees.count(teammate) == 3
    assert third not in assignees


def test_a_lead_with_no_available_rep_waits_queued_and_the_sweep_offers_it_later(team, rep):
    SalesRep.objects.filter(user=rep).update(status=SalesRep.Status.AWAY)
    handoff = factories.offered()
    assert handoff.state == Handoff.State.QUEUED
    SalesRep.objects.filter(user=rep).update(status=SalesRep.Status.ACTIVE)
    later = timezone.now() + datetime.timedelta(minutes=10)
    report = services.reconcile(now=later)
    handoff.refresh_from_db()
    assert report.offered == 1
    assert (handoff.state, handoff.assignee) == (Handoff.State.OFFERED, rep)


def test_accepting_opens_a_deal_with_the_brief_and_makes_the_lead_sal(rep, campaign):
    handoff = factories.offered(company="Analytical Engines", title="VP Sales", campaign=campaign)
    services.accept_offer(handoff_id=handoff.pk, by=rep, rating=4)
    handoff.refresh_from_db()
    lead = Lead.objects.get(pk=handoff.lead_id)
    deal = handoff.deal
    assert handoff.state == Handoff.State.ACCEPTED
    assert (lead.stage, lead.owner) == (LeadStage.SAL, rep)
    assert (deal.owner, deal.company, deal.contact_email) == (rep, "Analytical Engines", lead.email)
    assert deal.brief["campaign"] == "Forecasting webinar"
    assert deal.brief["journey"][0]["kind"] == "Form submitted"
    assert handoff.offers.get().state == Offer.State.ACCEPTED
    assert Feedback.objects.get(handoff=handoff).rating == 4


def test_accepting_twice_is_a_conflict_and_changes_nothing(rep):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    with pytest.raises(OfferConflict):
        services.accept_offer(handoff_id=handoff.pk, by=rep)
    assert Deal.objects.count() == 1


def test_someone_elses_offer_does_not_exist_for_a_stranger(rep, stranger):
    handoff = factories.offered()
    with pytest.raises(Handoff.DoesNotExist):
        services.accept_offer(handoff_id=handoff.pk, by=stranger)
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.OFFERED


def test_the_team_manager_may_decide_for_the_team(rep, manager):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=manager)
    handoff.refresh_from_db()
    assert handoff.deal.owner == rep  # the deal belongs to the assignee, not the manager


def test_a_marketer_may_not_decide_offers(rep, marketer):
    handoff = factories.offered()
    with pytest.raises(PermissionDenied):
        services.accept_offer(handoff_id=handoff.pk, by=marketer)


def test_rejecting_an_offer_recycles_the_lead_with_its_reason(rep):
    handoff = factories.offered()
    services.reject_offer(handoff_id=handoff.pk, by=rep, reason="no_budget", note="Frozen until Q3", rating=2)
    handoff.refresh_from_db()
    lead = Lead.objects.get(pk=handoff.lead_id)
    assert (handoff.state, handoff.rejection_reason) == (Handoff.State.REJECTED, "no_budget")
    assert (lead.stage, lead.recycle_count, lead.owner) == (LeadStage.RECYCLED, 1, None)
    assert lead.stage_changes.last().reason == "Rejected by sales — No budget: Frozen until Q3"


@pytest.mark.parametrize(
    ("reason", "note", "field"), [("", "", "reason"), ("made_up", "", "reason"), ("other", "  ", "note")]
)
def test_rejecting_needs_a_known_reason_and_a_note_for_other(rep, reason, note, field):
    handoff = factories.offered()
    with pytest.raises(ValidationError) as error:
        services.reject_offer(handoff_id=handoff.pk, by=rep, reason=reason, note=note)
    assert field in error.value.message_dict
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.OFFERED


def test_a_recycled_lead_that_qualifies_again_gets_a_new_handoff(rep):
    first = factories.offered()
    services.reject_offer(handoff_id=first.pk, by=rep, reason="wrong_contact")  # no cool-down
    second = factories.offered(lead=Lead.objects.get(pk=first.lead_id))
    assert (second.pk != first.pk, second.cycle, second.state) == (True, 1, Handoff.State.OFFERED)


def test_an_overdue_offer_expires_once_escalates_and_goes_to_the_next_rep(rep, teammate, manager):
    handoff = factories.offered()
    first = handoff.assignee
    mail.outbox.clear()
    late = handoff.due_at + datetime.timedelta(seconds=1)
    assert services.expire_overdue_offers(now=late) == 1
    assert services.expire_overdue_offers(now=late) == 0  # the second sweep finds nothing
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.OFFERED
    assert handoff.assignee not in (first, None)
    assert list(handoff.offers.values_list("state", flat=True)) == [Offer.State.EXPIRED, Offer.State.OPEN]
    assert handoff.due_at == late + datetime.timedelta(minutes=240)


def test_closing_a_deal_records_the_outcome_on_the_lead_once(rep):
    deal = factories.accepted_deal(rep, stage="negotiation")
    handoff = Handoff.objects.get(deal=deal)
    sales_services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("12000"), by=rep, expected_version=deal.version)
    assert services.record_deal_outcome(deal_id=deal.pk) is True
    assert services.record_deal_outcome(deal_id=deal.pk) is False
    lead = Lead.objects.get(pk=handoff.lead_id)
    assert (lead.stage, lead.outcome, lead.outcome_amount) == (LeadStage.CUSTOMER, "won", Decimal("12000"))


def test_a_lost_deal_sends_the_lead_back_to_nurture(rep):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    deal = Handoff.objects.get(pk=handoff.pk).deal
    sales_services.close_deal(
        deal_id=deal.pk, won=False, lost_reason="Chose a competitor", by=rep, expected_version=deal.version
    )
    services.record_deal_outcome(deal_id=deal.pk)
    lead = Lead.objects.get(pk=handoff.lead_id)
    assert (lead.stage, lead.outcome, lead.recycle_count) == (LeadStage.RECYCLED, "lost", 1)
    assert lead.stage_changes.last().reason == "Deal lost: Chose a competitor"


def test_deal_progress_moves_the_lead_to_sql_then_opportunity(rep):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    deal = Handoff.objects.get(pk=handoff.pk).deal
    stages = {stage.slug: stage for stage in deal.pipeline.stages.all()}
    for slug, expected in (("qualification", LeadStage.SQL), ("proposal", LeadStage.OPPORTUNITY)):
        deal = sales_services.move_deal(
            deal_id=deal.pk, to_stage_id=stages[slug].pk, by=rep, expected_version=deal.version
        )
        services.sync_lead_stage(deal_id=deal.pk)
        assert Lead.objects.get(pk=handoff.lead_id).stage == expected


def test_reconcile_routes_a_qualified_lead_whose_message_was_lost(rep):
    lead = factories.capture()
    marketing_services.qualify_lead(lead_id=lead.pk)  # in tests the on-commit task never runs
    assert services.reconcile().routed == 0  # too fresh: the normal path may still be on it
    report = services.reconcile(now=timezone.now() + datetime.timedelta(minutes=5))
    assert report.routed == 1
    assert Handoff.objects.get(lead=lead).state == Handoff.State.OFFERED


def test_reconcile_records_an_outcome_whose_message_was_lost(rep):
    deal = factories.accepted_deal(rep, stage="negotiation")
    handoff = Handoff.objects.get(deal=deal)
    sales_services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=deal.version)
    report = services.reconcile(now=timezone.now() + datetime.timedelta(minutes=5))
    assert report.outcomes == 1
    assert Lead.objects.get(pk=handoff.lead_id).outcome == "won"
    assert services.reconcile(now=timezone.now() + datetime.timedelta(minutes=5)).outcomes == 0
