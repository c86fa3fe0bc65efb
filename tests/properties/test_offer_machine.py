"""The handoff and its offers (handoff/services/offers.py, sla.py) under generated sequences:
leads handed to sales, offers accepted and rejected by the salespeople of the team, their
manager and a salesperson of another team, time passing and the SLA sweep re-offering, and a
marketer trying to take an offered lead back.

Whatever the order: a handoff moves only queued → offered → accepted | rejected | expired
(and an expired one is offered again); it has one open offer exactly while it is offered,
to its assignee, and a new offer only once the one before expired; each decision succeeds
exactly when the decider may decide that offer now; a refused one changes nothing.
"""

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from handoff import services
from handoff.errors import OfferConflict
from handoff.models import Handoff, Offer, RejectionReason
from marketing import services as marketing
from marketing.errors import LeadNotEditable, MergeNotAllowed, StageChangeNotAllowed
from marketing.models import ACCEPTED_STAGES, Lead
from marketing.models import Stage as LeadStage
from sales import services as sales
from tests import factories

from .machines import OnRealRows, row, run, runs

pytestmark = pytest.mark.django_db

RUNS = runs(examples=40, steps=20)
REFUSED = (Handoff.DoesNotExist, OfferConflict, ValidationError, PermissionDenied)
DECIDERS = ["rep", "teammate", "manager", "stranger"]
State = Handoff.State
MOVES = {
    (State.QUEUED, State.OFFERED),
    (State.OFFERED, State.ACCEPTED),
    (State.OFFERED, State.REJECTED),
    (State.OFFERED, State.EXPIRED),
    (State.OFFERED, State.OFFERED),  # expired and offered to the next rep in one sweep
    (State.EXPIRED, State.OFFERED),
    (State.QUEUED, State.QUEUED),
}
HANDOFFS = 3


def offers_of(handoff_id: int) -> list[dict]:
    return list(Offer.objects.filter(handoff_id=handoff_id).order_by("offered_at", "id").values())


class Offers(OnRealRows):
    def __init__(self):
        super().__init__()
        # The machine's clock: time passes only when a step says so (the SLA is in due_at).
        self.now = timezone.now()
        self.clock = mock.patch.object(timezone, "now", lambda: self.now)
        self.clock.start()
        self.handoffs: list[int] = []
        self.states: dict[int, str] = {}
        self.leads = 0

    def teardown(self):
        self.clock.stop()
        super().teardown()

    def may_decide(self, handoff: Handoff, who: str) -> bool:
        user = getattr(self.people, who)
        return handoff.assignee_id == user.pk or (handoff.team is not None and handoff.team.manager_id == user.pk)

    def attempt(self, what: str, handoff_id: int, expected: bool, call) -> None:
        handoff = Handoff.objects.get(pk=handoff_id)
        before = (row(Handoff, handoff_id), offers_of(handoff_id), row(Lead, handoff.lead_id))
        try:
            call()
        except REFUSED as refusal:
            event(f"{what} refused")
            assert not expected, f"{what} was refused ({refusal!r})"
            assert (row(Handoff, handoff_id), offers_of(handoff_id), row(Lead, handoff.lead_id)) == before
            return
        event(f"{what} done")
        assert expected, f"{what} was done"

    @rule(
        action=st.sampled_from(["decide", "decide", "decide", "hand over", "time", "sweep", "away", "marketer"]),
        data=st.data(),
    )
    def act(self, action, data):
        self.data = data  # each step draws what it needs as it goes
        getattr(self, action.replace(" ", "_"))()

    # The steps (each drawing what it needs), picked by one rule so that every run may mix them.
    def hand_over(self):
        if len(self.handoffs) < HANDOFFS:
            self.leads += 1
            handoff = factories.offered(email=f"lead{self.leads}@offers.example", company=f"Company {self.leads}")
            self.handoffs.append(handoff.pk)
            self.states[handoff.pk] = State.QUEUED

    def time(self):
        self.now += datetime.timedelta(hours=self.draw(st.sampled_from([1, 8, 72]), "hours pass"))

    def sweep(self):
        services.expire_overdue_offers()

    def away(self):
        status = self.draw(st.sampled_from(["away", "active"]), "the teammate is")
        sales.set_availability(user_id=self.people.teammate.pk, status=status)

    def marketer(self):
        """Marketing only reads a lead sales has: taking an offered lead back is refused."""
        if not self.handoffs:
            return
        handoff = Handoff.objects.get(pk=self.draw(st.sampled_from(self.handoffs), "handoff"))
        lead_before = row(Lead, handoff.lead_id)
        if lead_before["stage"] not in (LeadStage.MQL, *ACCEPTED_STAGES):
            return
        with pytest.raises((LeadNotEditable, StageChangeNotAllowed, MergeNotAllowed)):
            if self.draw(st.booleans(), "by merging"):
                keep = factories.capture(f"keep{handoff.pk}@offers.example")
                marketing.merge_leads(
                    keep_id=keep.pk, duplicate_id=handoff.lead_id, by=self.people.marketer, marketings_duplicate=True
                )
            else:
                marketing.disqualify_lead(lead_id=handoff.lead_id, reason="Changed our mind", by=self.people.marketer)
        assert row(Lead, handoff.lead_id) == lead_before

    def decide(self):
        if not self.handoffs:
            return
        handoff = Handoff.objects.select_related("team").get(pk=self.draw(st.sampled_from(self.handoffs), "handoff"))
        who = self.draw(st.sampled_from(DECIDERS), "by")
        user = getattr(self.people, who)
        open_to_them = handoff.state == State.OFFERED and self.may_decide(handoff, who)
        if self.draw(st.sampled_from(["accept", "reject"]), "decision") == "accept":
            rating = self.draw(st.sampled_from([None, 4, 0, 6]), "rating")
            self.attempt(
                f"accept by {who}",
                handoff.pk,
                open_to_them and rating in (None, 4),
                lambda: services.accept_offer(handoff_id=handoff.pk, by=user, rating=rating),
            )
        else:
            reason = self.draw(st.sampled_from(["bad_fit", "no_budget", "spam", "other", "", "bogus"]), "reason")
            note = self.draw(st.sampled_from(["", "They asked for a call in spring."]), "note")
            valid = reason in RejectionReason.values and (reason != "other" or note)
            self.attempt(
                f"reject ({reason or 'no reason'}) by {who}",
                handoff.pk,
                open_to_them and valid,
                lambda: services.reject_offer(handoff_id=handoff.pk, by=user, reason=reason, note=note),
            )

    def draw(self, strategy, label: str):
        return self.data.draw(strategy, label=label)

    # --- after every step -------------------------------------------------------------------------

    @invariant()
    def a_handoff_moves_only_along_its_states(self):
        for handoff_id in self.handoffs:
            state = row(Handoff, handoff_id)["state"]
            assert state == self.states[handoff_id] or (self.states[handoff_id], state) in MOVES, (
                f"{self.states[handoff_id]} → {state}"
            )
            if state != self.states[handoff_id]:
                event(f"{self.states[handoff_id]} → {state}")
            self.states[handoff_id] = state

    @invariant()
    def one_open_offer_exactly_while_offered_to_its_assignee(self):
        for handoff_id in self.handoffs:
            handoff, offers = row(Handoff, handoff_id), offers_of(handoff_id)
            opened = [offer for offer in offers if offer["state"] == Offer.State.OPEN]
            assert len(opened) == (1 if handoff["state"] == State.OFFERED else 0), (handoff["state"], opened)
            if opened:
                assert (opened[0]["assignee_id"], opened[0]["due_at"]) == (handoff["assignee_id"], handoff["due_at"])
            # Offered again only once the offer before expired (to another rep, unless none was available).
            assert all(offer["state"] == Offer.State.EXPIRED for offer in offers[:-1])

    @invariant()
    def a_decision_is_written_on_the_handoff_the_offer_and_the_lead(self):
        for handoff_id in self.handoffs:
            handoff, offers = row(Handoff, handoff_id), offers_of(handoff_id)
            lead = row(Lead, handoff["lead_id"])
            decided = [offer for offer in offers if offer["state"] in (Offer.State.ACCEPTED, Offer.State.REJECTED)]
            if handoff["state"] == State.ACCEPTED:
                assert handoff["deal_id"] and handoff["decided_at"]
                assert [(o["state"], o["assignee_id"]) for o in decided] == [("accepted", handoff["assignee_id"])]
                assert lead["stage"] in ACCEPTED_STAGES and lead["owner_id"] == handoff["assignee_id"]
            elif handoff["state"] == State.REJECTED:
                assert handoff["rejection_reason"] in RejectionReason.values and handoff["decided_at"]
                assert handoff["deal_id"] is None and [o["state"] for o in decided] == ["rejected"]
                assert lead["stage"] in (LeadStage.RECYCLED, LeadStage.DISQUALIFIED) and lead["owner_id"] is None
            else:
                assert not decided and handoff["deal_id"] is None and handoff["decided_at"] is None
                assert lead["stage"] == LeadStage.MQL and lead["owner_id"] is None


def test_an_offer_is_decided_once_by_whom_it_may_be_and_a_handoff_has_one_open_offer(
    rep, teammate, manager, stranger, marketer
):
    people = SimpleNamespace(rep=rep, teammate=teammate, manager=manager, stranger=stranger, marketer=marketer)
    run(Offers, people, RUNS)
