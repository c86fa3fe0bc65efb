"""Races the product must hold on real PostgreSQL (docs/RELIABILITY.md, concurrency).

Every scenario starts its threads behind one barrier and is repeated on fresh data, because
a race that loses one time in five passes a single run most of the time.
"""

import json
import random
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from handoff import services as handoff_services
from handoff.errors import OfferConflict
from handoff.models import Handoff, Offer
from leadflow.accounts import services as account_services
from leadflow.celery import app as celery_app
from marketing import services as marketing_services
from marketing import tasks as marketing_tasks
from marketing.models import Lead, LeadStageChange, Touchpoint
from marketing.models import Stage as LeadStage
from sales import services as sales_services
from sales.errors import DealConflict
from sales.models import Deal, SalesRep
from tests import factories
from tests.conftest import TEST_QUEUE, require
from tests.integration.concurrently import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


@pytest.fixture(autouse=True)
def _drop_published_tasks():
    """Drop the thousands of tasks these tests publish (a score per capture, a route per
    qualification): their rows are flushed after the test, and the session's worker would
    otherwise spend the next worker test chewing through them first."""
    yield
    try:
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(TEST_QUEUE)
    except Exception:  # no such queue yet
        pass


def spellings(email: str, count: int) -> list[str]:
    """`count` ways to type one address: random letter case, spaces and tabs around it."""
    rng = random.Random(email)
    pads = ["", " ", "  ", "\t", " \t "]
    typed = []
    for index in range(count):
        cased = "".join(char.upper() if rng.random() < 0.5 else char.lower() for char in email)
        typed.append(pads[index % len(pads)] + cased + pads[index // len(pads) % len(pads)])
    return typed


# --- Capture: one person, one lead ------------------------------------------------------


def test_fifty_simultaneous_captures_of_one_address_make_one_lead_with_fifty_touchpoints():
    for round_ in range(ROUNDS):
        email = f"ada.{round_}@example.com"
        typed = [f" Ada.{round_}@Example.com", f"ADA.{round_}@example.COM "]
        typed += spellings(email, 48)

        outcome = run_together(
            50,
            lambda i, typed=typed: marketing_services.capture_lead(
                capture=marketing_services.Capture(email=typed[i], first_name="Ada")
            ),
        )

        assert outcome.unexpected() == [], f"round {round_}"
        assert sum(result.created for result in outcome.results) == 1, f"round {round_}"
        lead = Lead.objects.get(email_normalized=email)
        assert {result.lead.pk for result in outcome.results} == {lead.pk}
        assert Touchpoint.objects.filter(lead=lead).count() == 50, f"round {round_}"
        assert LeadStageChange.objects.filter(lead=lead).count() == 1, f"round {round_}"
    assert Lead.objects.count() == ROUNDS


def test_fifty_simultaneous_api_captures_of_one_address_answer_one_201_and_forty_nine_200(settings, marketer):
    # A marketer's key is told the id and whether the lead was created (anonymous callers
    # are not); the per-email budget is lifted for this one address's fifty captures.
    settings.LEADFLOW_FORM_EMAIL_RATE = "1000/minute"
    key = f"Bearer {account_services.create_api_token(user=marketer, name='Race').secret}"
    for round_ in range(ROUNDS):
        email = f"grace.{round_}@navy.example"
        typed = spellings(email, 50)

        def post(i, typed=typed, round_=round_):
            return Client().post(
                "/api/v1/capture/",
                data=json.dumps({"email": typed[i], "first_name": "Grace", "company": "US Navy"}),
                content_type="application/json",
                REMOTE_ADDR=f"10.0.{round_}.{i + 1}",
                HTTP_AUTHORIZATION=key,
            )

        outcome = run_together(50, post)

        assert outcome.unexpected() == [], f"round {round_}"
        statuses = Counter(response.status_code for response in outcome.results)
        assert statuses == {201: 1, 200: 49}, f"round {round_}: {statuses}"
        lead = Lead.objects.get(email_normalized=email)
        assert {response.json()["id"] for response in outcome.results} == {lead.pk}
        assert Touchpoint.objects.filter(lead=lead).count() == 50
    assert Lead.objects.count() == ROUNDS


def test_a_burst_of_api_captures_from_one_address_gets_exactly_the_rate_limit_through(settings):
    # RELIABILITY: over the per-IP rate → 429. The counter must hold under a burst too,
    # not only for requests that arrive one after another. A low limit keeps the burst
    # within PostgreSQL's connection limit (one connection per thread). Exact only on
    # Redis' atomic INCR: the file cache of a laptop without REDIS_URL has no lock.
    require("redis" in settings.CACHES["default"]["BACKEND"].lower(), "needs Redis as the cache: set REDIS_URL")
    limit, burst = 10, 30
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "capture": f"{limit}/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for round_ in range(ROUNDS):

        def post(i, round_=round_):
            return Client().post(
                "/api/v1/capture/",
                data=json.dumps({"email": f"burst.{round_}.{i}@corp.example"}),
                content_type="application/json",
                REMOTE_ADDR=f"10.1.{round_}.1",
            )

        outcome = run_together(burst, post)

        assert outcome.unexpected() == [], f"round {round_}"
        statuses = Counter(response.status_code for response in outcome.results)
        assert statuses == {202: limit, 429: burst - limit}, f"round {round_}: {statuses}"
        assert Lead.objects.filter(email_normalized__startswith=f"burst.{round_}.").count() == limit


# --- Accepting an offer: one winner ------------------------------------------------------


def test_twenty_simultaneous_accepts_of_one_offer_open_one_deal_and_refuse_the_rest(rep, manager):
    for round_ in range(ROUNDS):
        handoff = factories.offered(email=f"buyer.{round_}@corp.example", company=f"Corp {round_}")
        deciders = [rep.pk if i % 2 == 0 else manager.pk for i in range(20)]

        outcome = run_together(
            20,
            lambda user, handoff_id=handoff.pk: handoff_services.accept_offer(handoff_id=handoff_id, by=user),
            prepare=lambda i, deciders=deciders: User.objects.get(pk=deciders[i]),
        )

        assert outcome.unexpected(OfferConflict) == [], f"round {round_}"
        assert len(outcome.successes) == 1, f"round {round_}"
        assert {str(error) for error in outcome.raised(OfferConflict)} == {"This offer is already accepted."}
        _assert_accepted_once(handoff, rep)


def test_twenty_simultaneous_api_accepts_of_one_offer_answer_one_200_and_nineteen_409(rep, manager):
    for round_ in range(ROUNDS):
        handoff = factories.offered(email=f"buyer.{round_}@corp.example", company=f"Corp {round_}")
        url = f"/api/v1/offers/{handoff.pk}/accept/"

        def logged_in_client(i: int) -> Client:
            client = Client()
            client.force_login(rep if i % 2 == 0 else manager)
            return client

        outcome = run_together(
            20,
            lambda client, url=url: client.post(url, data="{}", content_type="application/json"),
            prepare=logged_in_client,
        )

        assert outcome.unexpected() == [], f"round {round_}"
        statuses = Counter(response.status_code for response in outcome.results)
        assert statuses == {200: 1, 409: 19}, f"round {round_}: {statuses}"
        refusals = {response.json()["detail"] for response in outcome.results if response.status_code == 409}
        assert refusals == {"This offer is already accepted."}
        _assert_accepted_once(handoff, rep)


def test_accepts_and_rejects_racing_on_one_offer_leave_exactly_one_decision(rep, manager):
    for round_ in range(ROUNDS):
        handoff = factories.offered(email=f"buyer.{round_}@corp.example")

        def decide(i: int, handoff_id=handoff.pk):
            by = User.objects.get(pk=rep.pk if i % 2 == 0 else manager.pk)
            if i % 4 < 2:
                return handoff_services.accept_offer(handoff_id=handoff_id, by=by)
            return handoff_services.reject_offer(handoff_id=handoff_id, by=by, reason="no_budget")

        outcome = run_together(20, decide)

        assert outcome.unexpected(OfferConflict) == [], f"round {round_}"
        assert len(outcome.successes) == 1, f"round {round_}"
        handoff.refresh_from_db()
        lead = Lead.objects.get(pk=handoff.lead_id)
        deals = Deal.objects.filter(contact_email=lead.email).count()
        if handoff.state == Handoff.State.ACCEPTED:
            assert (lead.stage, deals, lead.recycle_count) == (LeadStage.SAL, 1, 0), f"round {round_}"
        else:
            assert handoff.state == Handoff.State.REJECTED, f"round {round_}"
            assert (lead.stage, deals, lead.recycle_count) == (LeadStage.RECYCLED, 0, 1), f"round {round_}"
        assert handoff.offers.count() == 1 and not handoff.offers.filter(state=Offer.State.OPEN).exists()


def _assert_accepted_once(handoff: Handoff, rep: User) -> None:
    handoff.refresh_from_db()
    lead = Lead.objects.get(pk=handoff.lead_id)
    assert handoff.state == Handoff.State.ACCEPTED
    assert list(Deal.objects.filter(contact_email=lead.email)) == [handoff.deal]
    assert list(handoff.offers.values_list("state", flat=True)) == [Offer.State.ACCEPTED]
    assert (lead.stage, lead.owner_id) == (LeadStage.SAL, rep.pk)
    assert LeadStageChange.objects.filter(lead=lead, stage=LeadStage.SAL).count() == 1


# --- Routing: a task delivered twice, and fairness ---------------------------------------


@pytest.mark.parametrize("deliveries", [2, 10])
def test_one_routing_task_delivered_many_times_at_once_makes_one_handoff_and_one_offer(team, rep, teammate, deliveries):
    for round_ in range(ROUNDS):
        lead = factories.capture(email=f"twice.{round_}@corp.example")
        marketing_services.qualify_lead(lead_id=lead.pk)

        outcome = run_together(
            deliveries, lambda _i, lead_id=lead.pk: handoff_services.route_lead(lead_id=lead_id, cycle=0)
        )

        assert outcome.unexpected() == [], f"round {round_}"
        handoff = Handoff.objects.get(lead=lead)
        assert {result.pk for result in outcome.results} == {handoff.pk}
        assert handoff.state == Handoff.State.OFFERED
        assert Offer.objects.filter(handoff=handoff).count() == 1, f"round {round_}"


def _route_concurrently(lead_ids: list[int], threads: int = 8):
    slices = [lead_ids[i::threads] for i in range(threads)]

    def route(index: int) -> int:
        for lead_id in slices[index]:
            handoff_services.route_lead(lead_id=lead_id, cycle=0)
        return len(slices[index])

    return run_together(threads, route)


def _qualified_leads(count: int, tag: str) -> list[int]:
    lead_ids = []
    with transaction.atomic():  # one commit instead of 2 × count: set-up is not what is measured
        for n in range(count):
            lead = factories.capture(email=f"{tag}.{n}@corp.example")
            marketing_services.qualify_lead(lead_id=lead.pk)
            lead_ids.append(lead.pk)
    return lead_ids


@pytest.mark.parametrize(
    "weights",
    [pytest.param([1, 1, 1, 1, 1], id="five-equal"), pytest.param([1, 1, 1, 2], id="weighted-1-1-1-2")],
)
def test_a_thousand_leads_routed_concurrently_are_shared_by_weight_and_skip_the_away_rep(team, weights):
    reps = [factories.salesperson(team, weight=weight, username=f"rep{i}") for i, weight in enumerate(weights)]
    away = factories.salesperson(team, username="away")
    SalesRep.objects.filter(user=away).update(status=SalesRep.Status.AWAY)
    per_round, total_weight = 100, sum(weights)
    totals = Counter()
    for round_ in range(ROUNDS):
        lead_ids = _qualified_leads(per_round, tag=f"r{round_}")

        outcome = _route_concurrently(lead_ids)

        assert outcome.unexpected() == [], f"round {round_}"
        offers = Offer.objects.filter(handoff__lead_id__in=lead_ids)
        assert offers.count() == per_round, f"round {round_}: some leads were not routed exactly once"
        counts = Counter(offers.values_list("assignee_id", flat=True))
        assert counts[away.pk] == 0
        for rep, weight in zip(reps, weights, strict=True):
            expected = per_round * weight // total_weight
            assert abs(counts[rep.pk] - expected) <= 1, f"round {round_}: {rep.username} got {counts[rep.pk]}"
        totals += counts

    expected_totals = {
        rep.username: ROUNDS * per_round * w // total_weight for rep, w in zip(reps, weights, strict=True)
    }
    got = {rep.username: totals[rep.pk] for rep in reps}
    assert all(abs(got[name] - expected_totals[name]) <= 1 for name in got), (got, expected_totals)
    assert totals[away.pk] == 0
    assert Handoff.objects.filter(state=Handoff.State.OFFERED).count() == ROUNDS * per_round
    assert not Lead.objects.filter(stage=LeadStage.MQL).exclude(pk__in=Handoff.objects.values("lead_id")).exists(), (
        "a qualified lead was left unrouted"
    )


# --- Deal edits: no lost update ----------------------------------------------------------


def test_fifty_simultaneous_edits_from_one_version_keep_exactly_one(rep):
    for round_ in range(ROUNDS):
        deal = factories.accepted_deal(rep, email=f"deal.{round_}@corp.example")
        start = deal.version

        def edit(i: int, deal_id=deal.pk, start=start) -> Deal:
            return sales_services.update_deal(deal_id=deal_id, by=rep, expected_version=start, amount=Decimal(1000 + i))

        outcome = run_together(50, edit)

        assert outcome.unexpected(DealConflict) == [], f"round {round_}"
        assert len(outcome.successes) == 1 and len(outcome.raised(DealConflict)) == 49, f"round {round_}"
        winner = outcome.successes[0]
        deal.refresh_from_db()
        assert (deal.version, deal.amount) == (start + 1, winner.amount), f"round {round_}"


def test_fifty_simultaneous_increments_that_retry_on_conflict_lose_nothing(rep):
    for round_ in range(ROUNDS):
        deal = factories.accepted_deal(rep, email=f"deal.{round_}@corp.example")
        deal = sales_services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal(500))
        start_version = deal.version

        def add_one(_i, deal_id=deal.pk) -> int:
            for attempt in range(1, 1000):
                current = Deal.objects.get(pk=deal_id)
                try:
                    sales_services.update_deal(
                        deal_id=deal_id, by=rep, expected_version=current.version, amount=current.amount + 1
                    )
                    return attempt
                except DealConflict:
                    # Back off like a real client; 50 threads spinning only fight over the GIL.
                    time.sleep(random.uniform(0, min(0.2, 0.001 * 2**attempt)))
            raise AssertionError("never got through")

        outcome = run_together(50, add_one)

        assert outcome.unexpected() == [], f"round {round_}"
        deal.refresh_from_db()
        assert (deal.amount, deal.version) == (Decimal(550), start_version + 50), f"round {round_}"


# --- SLA sweeps: each breach handled once -------------------------------------------------


def test_two_simultaneous_sla_sweeps_expire_each_overdue_offer_once_and_reoffer_it_once(team, rep, teammate, manager):
    assert manager.email
    overdue_count = 20
    for round_ in range(ROUNDS):
        with transaction.atomic():
            handoffs = [factories.offered(email=f"late.{round_}.{n}@corp.example") for n in range(overdue_count)]
        late = max(handoff.due_at for handoff in handoffs) + timedelta(minutes=1)
        mail.outbox.clear()

        outcome = run_together(2, lambda _i, late=late: handoff_services.expire_overdue_offers(now=late))

        assert outcome.unexpected() == [], f"round {round_}"
        assert sum(outcome.results) == overdue_count, f"round {round_}: expired {outcome.results}"
        breaches = [m for m in mail.outbox if m.subject == "Lead offer breached its SLA"]
        assert Counter(m.to[0] for m in breaches) == {manager.email: overdue_count}
        assert sorted(int(m.body.split("#")[1].split()[0]) for m in breaches) == sorted(h.pk for h in handoffs)
        for handoff in handoffs:
            first, second = Offer.objects.filter(handoff=handoff).order_by("id")
            handoff.refresh_from_db()
            assert (first.state, second.state) == (Offer.State.EXPIRED, Offer.State.OPEN)
            assert first.assignee_id != second.assignee_id
            assert (handoff.state, handoff.assignee_id) == (Handoff.State.OFFERED, second.assignee_id)


# --- Beat running twice: every periodic job is safe to run twice at once -----------------


def test_two_simultaneous_reconciliation_sweeps_route_and_offer_each_lead_once(team, rep, teammate):
    later = timezone.now() + timedelta(hours=1)  # past the sweep's grace period
    for round_ in range(ROUNDS):
        with transaction.atomic():
            # Qualified leads whose routing message was lost…
            unrouted = _qualified_leads(10, tag=f"lost.{round_}")
            # …and handoffs that waited queued because nobody was available.
            SalesRep.objects.update(status=SalesRep.Status.AWAY)
            queued = [factories.offered(email=f"queued.{round_}.{n}@corp.example") for n in range(10)]
            SalesRep.objects.update(status=SalesRep.Status.ACTIVE)
        assert {handoff.state for handoff in queued} == {Handoff.State.QUEUED}

        outcome = run_together(2, lambda _i: handoff_services.reconcile(now=later))

        assert outcome.unexpected() == [], f"round {round_}"
        lead_ids = [*unrouted, *(handoff.lead_id for handoff in queued)]
        assert Handoff.objects.filter(lead_id__in=lead_ids).count() == 20, f"round {round_}"
        per_handoff = Counter(Offer.objects.filter(handoff__lead_id__in=lead_ids).values_list("handoff_id", flat=True))
        assert sorted(per_handoff.values()) == [1] * 20, f"round {round_}: offers per handoff {per_handoff}"
        states = set(Handoff.objects.filter(lead_id__in=lead_ids).values_list("state", flat=True))
        assert states == {Handoff.State.OFFERED}, f"round {round_}"


def test_two_simultaneous_scoring_sweeps_qualify_each_lead_once(settings):
    settings.LEADFLOW_RECONCILE_GRACE_SECONDS = 0  # every unscored lead counts as left behind
    for round_ in range(ROUNDS):
        with transaction.atomic():
            # Business email + company + senior title + form submit = 50: each crosses the MQL bar.
            leads = [
                factories.capture(email=f"unscored.{round_}.{n}@corp.example", company="Corp", title="CTO")
                for n in range(20)
            ]

        outcome = run_together(2, lambda _i: marketing_tasks.score_unscored_leads.apply().get())

        assert outcome.unexpected() == [], f"round {round_}"
        qualified = Counter(
            LeadStageChange.objects.filter(lead__in=leads, stage=LeadStage.MQL).values_list("lead_id", flat=True)
        )
        assert sorted(qualified.values()) == [1] * 20, f"round {round_}: MQL entries per lead {qualified}"
