"""Routing: the existing owner first, then the first matching rule, then weighted round robin
among the team's available reps under their open-offer cap."""

import pytest

from handoff import services
from handoff.models import Handoff, Offer
from handoff.routing import fill_domains
from insights.reports.fairness import fairness
from marketing import services as marketing_services
from marketing.models import Channel, CompanySize
from sales.models import SalesRep
from tests import factories
from tests.handoff.factories import decided_deal, now_plus, qualified, rule, team_hours

pytestmark = pytest.mark.django_db


def route(email: str, **fields) -> Handoff:
    lead = qualified(email, **fields)
    return services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)


@pytest.fixture
def field_team(other_team):
    """A second team with one rep and a manager of its own."""
    factories.salesperson(other_team, username="fiona")
    factories.sales_manager(other_team, username="frank")
    return other_team


def test_a_lead_no_rule_matches_goes_to_the_default_team_and_says_so(team, rep):
    handoff = route("ada@analytical.example")
    assert (handoff.team, handoff.assignee) == (team, rep)
    assert handoff.route_reason == "No rule matched: default team"


def test_a_matching_rule_sends_the_lead_to_its_team(team, rep, manager, field_team):
    frank = field_team.manager
    rule(field_team, manager=frank, name="DACH enterprise", countries=["Germany", "Austria"],
         company_sizes=[CompanySize.ENTERPRISE, CompanySize.GLOBAL])  # fmt: skip
    german = route("anna@bigco.example", country="germany", company_size=CompanySize.ENTERPRISE)
    small = route("bob@smallco.example", country="Germany", company_size=CompanySize.SMALL)
    assert (german.team, german.assignee.username, german.route_reason) == (
        field_team,
        "fiona",
        "Rule “DACH enterprise”",
    )
    assert small.team == team


def test_the_first_matching_rule_wins_and_order_can_be_changed(team, rep, manager, field_team):
    frank = field_team.manager
    first = rule(field_team, manager=frank, name="Events", sources=[Channel.EVENT])
    rule(team, manager=manager, name="Everything")
    assert route("a@one.example", source=Channel.EVENT).team == field_team
    services.move_routing_rule(rule_id=first.pk, by=frank, direction="down")
    assert route("b@two.example", source=Channel.EVENT).team == team


def test_conditions_on_campaign_industry_and_score_must_all_match(settings, team, rep, manager, field_team, campaign):
    settings.LEADFLOW_MQL_THRESHOLD = 10_000  # qualify by hand only
    frank = field_team.manager
    rule(field_team, manager=frank, name="Hot fintech from the webinar", campaign_id=campaign.pk,
         industries=["Fintech"], min_score=40, max_score=100)  # fmt: skip
    hot = factories.capture(email="ceo@pay.example", company="Pay", title="CEO", phone="1", campaign=campaign,
                            industry="fintech")  # fmt: skip
    marketing_services.score_lead(lead_id=hot.pk)
    cold = factories.capture(email="intern@pay2.example", campaign=campaign, industry="Fintech")
    for lead in (hot, cold):
        marketing_services.qualify_lead(lead_id=lead.pk)
        services.route_lead(lead_id=lead.pk, cycle=0)
    assert Handoff.objects.get(lead=hot).team == field_team
    assert Handoff.objects.get(lead=cold).team == team


def test_a_paused_rule_is_skipped(team, rep, manager, field_team):
    rule(field_team, manager=field_team.manager, name="Paused", is_active=False)
    assert route("ada@analytical.example").team == team


# --- dedupe -------------------------------------------------------------------------------


def test_a_lead_from_a_company_with_an_open_deal_goes_to_that_deals_owner(team, rep, teammate):
    deal = factories.accepted_deal(rep, email="first@acme.example")
    assert deal.owner == rep
    for n in range(3):
        handoff = route(f"person{n}@ACME.example")
        assert (handoff.assignee, handoff.route_reason) == (rep, "Open deal at acme.example")


def test_a_free_mail_domain_is_nobodys_company(team, rep, teammate):
    factories.accepted_deal(rep, email="someone@gmail.com")
    assignees = {route(f"other{n}@gmail.com").assignee for n in range(4)}
    assert assignees == {rep, teammate}


def test_the_owner_of_another_lead_at_the_domain_gets_it_even_after_the_deal_closed(team, rep, teammate):
    decided_deal(rep, won=True, email="buyer@initech.example")  # the lead is a customer, still rep's
    handoff = route("cfo@initech.example")
    assert (handoff.assignee, handoff.route_reason) == (rep, "Owner of another lead at initech.example")


def test_an_away_owner_does_not_block_the_lead_it_is_routed_normally(team, rep, teammate):
    factories.accepted_deal(rep, email="first@acme.example")
    SalesRep.objects.filter(user=rep).update(status=SalesRep.Status.AWAY, away_until=None)
    handoff = route("second@acme.example")
    assert handoff.assignee == teammate
    assert handoff.route_reason == "No rule matched: default team"


def test_the_owners_team_is_kept_when_the_offer_breaches(team, rep, teammate, manager):
    factories.accepted_deal(rep, email="first@acme.example")
    handoff = route("second@acme.example")
    assert handoff.assignee == rep
    services.expire_overdue_offers(now=now_plus(days=2))
    handoff.refresh_from_db()
    assert (handoff.state, handoff.assignee) == (Handoff.State.OFFERED, teammate)


# --- weighted round robin with a cap --------------------------------------------------------


def test_weights_share_offers_and_away_reps_get_none(team, manager):
    reps = [factories.salesperson(team, weight=w, username=f"w{i}") for i, w in enumerate([1, 1, 2])]
    away = factories.salesperson(team, username="away")
    SalesRep.objects.filter(user=away).update(status=SalesRep.Status.AWAY)
    handoffs = [route(f"lead{n}@corp{n}.example") for n in range(40)]
    counts = {rep: sum(h.assignee == rep for h in handoffs) for rep in [*reps, away]}
    assert [counts[rep] for rep in reps] == [10, 10, 20]
    assert counts[away] == 0


def test_a_rep_at_the_offer_cap_is_skipped_until_they_answer_one(team, rep, teammate, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", cap=2)
    handoffs = [route(f"lead{n}@corp{n}.example") for n in range(5)]
    assert [h.state for h in handoffs] == [Handoff.State.OFFERED] * 4 + [Handoff.State.QUEUED]
    assert Offer.objects.filter(state=Offer.State.OPEN, assignee=rep).count() == 2
    services.accept_offer(handoff_id=next(h for h in handoffs if h.assignee == rep).pk, by=rep)
    report = services.reconcile(now=now_plus(minutes=10))
    assert report.offered == 1
    assert Handoff.objects.get(pk=handoffs[4].pk).assignee == rep


def test_the_fairness_report_compares_offers_with_weights(team, manager):
    heavy = factories.salesperson(team, weight=3, username="heavy")
    light = factories.salesperson(team, weight=1, username="light")
    for n in range(8):
        route(f"lead{n}@corp{n}.example")
    shares = {share.rep.user: share for share in fairness(team, since=now_plus(days=-1))}
    assert (shares[heavy].offers, shares[heavy].expected, shares[heavy].deviation) == (6, 6.0, 0)
    assert (shares[light].offers, shares[light].expected) == (2, 2.0)


def test_handoffs_written_in_bulk_get_their_company_domain_back(team, rep):
    business, free = route("ada@Analytical.example"), route("someone@gmail.com")
    assert (business.domain, free.domain) == ("analytical.example", "")
    Handoff.objects.update(domain="")  # as a COPY that left the column out would
    assert fill_domains(batch=1) == 1
    assert dict(Handoff.objects.values_list("pk", "domain")) == {business.pk: "analytical.example", free.pk: ""}
