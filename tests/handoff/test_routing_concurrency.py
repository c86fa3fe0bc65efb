"""Routing and the SLA sweep under real concurrency (PostgreSQL, threads behind a barrier).

The issue's measure: 1,000 leads captured concurrently to a team of 5 reps, one away and the
other four weighted 1:1:1:2 → shares within ±1 of the weights, 0 to the absent rep, no lead
unrouted. Here the team is reached through a routing rule and leads arrive by capture.
"""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from handoff import services
from handoff.models import Handoff, Offer
from marketing import services as marketing_services
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales.models import SalesRep
from tests import factories
from tests.handoff.factories import rule, team_hours
from tests.integration.concurrently import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def capture_and_route(email: str, country: str) -> int:
    """What a form post and the routing task do for one new lead."""
    lead = marketing_services.capture_lead(capture=marketing_services.Capture(email=email, country=country)).lead
    lead = marketing_services.qualify_lead(lead_id=lead.pk)
    services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)
    return lead.pk


def test_a_thousand_leads_captured_at_once_are_shared_by_weight_and_skip_the_away_rep(team, other_team):
    manager = factories.sales_manager(other_team, username="frank")
    factories.salesperson(team, username="elsewhere")  # the default team must not get them
    reps = [factories.salesperson(other_team, weight=w, username=f"rep{i}") for i, w in enumerate([1, 1, 1, 2])]
    away = factories.salesperson(other_team, username="away", weight=5)
    SalesRep.objects.filter(user=away).update(status=SalesRep.Status.AWAY, away_until=None)
    rule(other_team, manager=manager, name="Nordics", countries=["Sweden", "Norway"])
    threads, per_thread = 10, 100

    outcome = run_together(
        threads,
        lambda i: [capture_and_route(f"lead{i}.{n}@firm{i}x{n}.example", "Sweden") for n in range(per_thread)],
    )

    assert outcome.unexpected() == []
    lead_ids = [lead_id for batch in outcome.results for lead_id in batch]
    assert len(lead_ids) == 1000
    offers = Offer.objects.filter(handoff__lead_id__in=lead_ids)
    assert offers.count() == 1000, "every lead offered exactly once"
    counts = Counter(offers.values_list("assignee__username", flat=True))
    assert counts["away"] == 0
    for rep, expected in zip(reps, [200, 200, 200, 400], strict=True):
        assert abs(counts[rep.username] - expected) <= 1, counts
    assert not Lead.objects.filter(stage=LeadStage.MQL).exclude(pk__in=Handoff.objects.values("lead_id")).exists()
    assert set(Handoff.objects.values_list("team_id", flat=True)) == {other_team.pk}


def test_concurrent_routing_never_puts_a_rep_over_the_offer_cap(team, manager):
    reps = [factories.salesperson(team, username=f"rep{i}") for i in range(2)]
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", cap=3)
    for round_ in range(5):
        Offer.objects.filter(state=Offer.State.OPEN).update(state=Offer.State.EXPIRED)  # a fresh start each round
        outcome = run_together(12, lambda i, r=round_: capture_and_route(f"r{r}.{i}@c{r}x{i}.example", ""))
        assert outcome.unexpected() == [], f"round {round_}"
        open_counts = Counter(
            Offer.objects.filter(state=Offer.State.OPEN).values_list("assignee_id", flat=True)
        )  # fmt: skip
        assert open_counts == {reps[0].pk: 3, reps[1].pk: 3}, f"round {round_}: {open_counts}"
        assert Handoff.objects.filter(lead_id__in=outcome.results, state=Handoff.State.QUEUED).count() == 6


def test_two_sla_sweeps_at_once_remind_once_expire_once_and_re_offer_once(team, rep, teammate, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    for round_ in range(5):
        handoffs = [factories.offered(email=f"late{round_}.{n}@c{round_}x{n}.example") for n in range(10)]
        start = max(handoff.offered_at for handoff in handoffs)
        mail.outbox.clear()

        half = run_together(2, lambda _i, s=start: services.sweep_offers(now=s + datetime.timedelta(minutes=31)))
        late = run_together(2, lambda _i, s=start: services.sweep_offers(now=s + datetime.timedelta(minutes=61)))

        assert half.unexpected() == [] and late.unexpected() == [], f"round {round_}"
        assert sum(report.reminded for report in half.results) == 10
        assert sum(report.expired for report in late.results) == 10
        subjects = Counter(message.subject for message in mail.outbox)
        assert subjects["Reminder: a lead is waiting for your answer"] == 10
        assert subjects["Lead offer breached its SLA"] == 10
        for handoff in handoffs:
            offers = list(Offer.objects.filter(handoff=handoff).order_by("id"))
            assert [offer.state for offer in offers] == [Offer.State.EXPIRED, Offer.State.OPEN], f"round {round_}"
            assert offers[0].assignee_id != offers[1].assignee_id
        Offer.objects.filter(state=Offer.State.OPEN).update(state=Offer.State.EXPIRED, decided_at=timezone.now())
        Handoff.objects.filter(state=Handoff.State.OFFERED).update(state=Handoff.State.EXPIRED)
