"""The lead stage machine (marketing/services/stages.py) under generated sequences of the calls
that move a lead: a marketer's (hand to sales, disqualify, back to nurture) and sales' answers
as the seam passes them on (accept, recycle, disqualify, advance, the deal's outcome).

Whatever the order, a lead's stage only moves along marketing's table (STAGE_MOVES), a
refused move changes nothing, marketing never moves a lead sales has, and the stage history
has no gap: one stay follows another, the last one open and matching the lead.
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from marketing import services
from marketing.errors import LeadNotEditable, StageChangeNotAllowed
from marketing.models import ACCEPTED_STAGES, QUALIFIED_STAGES, STAGE_MOVES, Lead, LeadStageChange, Stage
from tests import factories

from .machines import OnRealRows, row, run, runs

RUNS = runs(examples=60, steps=20)

pytestmark = pytest.mark.django_db

REFUSED = (StageChangeNotAllowed, LeadNotEditable)
MARKETERS = {"hand to sales", "disqualify", "back to nurture"}


def calls(people) -> dict:
    """Each call that moves a lead, by whoever makes it: lead id → the service's answer."""
    now = timezone.now
    return {
        # a marketer
        "hand to sales": lambda pk: services.qualify_lead(lead_id=pk, by=people.marketer),
        "disqualify": lambda pk: services.disqualify_lead(lead_id=pk, reason="Not a fit", by=people.marketer),
        "back to nurture": lambda pk: services.renurture_lead(lead_id=pk, by=people.marketer),
        # sales, through the seam
        "accept": lambda pk: services.accept_lead(lead_id=pk, owner_id=people.rep.pk),
        "recycle": lambda pk: services.recycle_lead(lead_id=pk, reason="Bad timing"),
        "recycle for 30 days": lambda pk: services.recycle_lead(lead_id=pk, reason="Later", cooldown_days=30),
        "reject as spam": lambda pk: services.disqualify_rejected_lead(lead_id=pk, reason="Spam", by=people.rep),
        "deal to SQL": lambda pk: services.advance_lead(lead_id=pk, stage=Stage.SQL, reason="Deal moved"),
        "deal to opportunity": lambda pk: services.advance_lead(lead_id=pk, stage=Stage.OPPORTUNITY, reason="Moved"),
        "deal won": lambda pk: services.record_outcome(lead_id=pk, won=True, amount=1000, closed_at=now()),
        "deal lost": lambda pk: services.record_outcome(lead_id=pk, won=False, amount=0, closed_at=now()),
    }


# Where a run's first lead starts, reached by the same calls: from a fresh lead most
# generated calls are refused, and short runs would rarely get past MQL.
WALKS = {
    Stage.LEAD: [],
    Stage.MQL: ["hand to sales"],
    Stage.SAL: ["hand to sales", "accept"],
    Stage.SQL: ["hand to sales", "accept", "deal to SQL"],
    Stage.OPPORTUNITY: ["hand to sales", "accept", "deal to opportunity"],
    Stage.CUSTOMER: ["hand to sales", "accept", "deal won"],
    Stage.RECYCLED: ["hand to sales", "accept", "recycle"],
    Stage.DISQUALIFIED: ["hand to sales", "reject as spam"],
}
ACTIONS = sorted(calls(SimpleNamespace(marketer=None, rep=None)))


def history(lead_id: int) -> list[dict]:
    return list(LeadStageChange.objects.filter(lead_id=lead_id).order_by("entered_at", "id").values())


class LeadStages(OnRealRows):
    def __init__(self):
        super().__init__()
        self.calls = calls(self.people)
        self.leads = [factories.capture(f"lead{n}@machine.example").pk for n in range(2)]

    @initialize(start=st.sampled_from(sorted(WALKS)))
    def walk_the_first_lead(self, start):
        for name in WALKS[start]:
            self.calls[name](self.leads[0])
        assert row(Lead, self.leads[0])["stage"] == start

    @rule(action=st.sampled_from(ACTIONS), n=st.sampled_from([0, 0, 1]))
    def call(self, action, n):
        """One call on one lead: refused, it changed nothing; done, the lead moved along the table."""
        lead_id = self.leads[n]
        before, stays = row(Lead, lead_id), history(lead_id)
        try:
            self.calls[action](lead_id)
        except REFUSED:
            assert (row(Lead, lead_id), history(lead_id)) == (before, stays), f"a refused {action} changed the lead"
            event("refused")
            return
        old, new = before["stage"], row(Lead, lead_id)["stage"]
        event(f"{old} → {new}")
        assert new == old or new in STAGE_MOVES[old], f"{action}: {old} → {new}"
        if action in MARKETERS and new != old:
            # docs/RELIABILITY.md: marketing only reads a lead sales has.
            assert old in (Stage.SUBSCRIBER, Stage.LEAD, Stage.RECYCLED), f"marketing moved sales' {old} lead"
        if action == "hand to sales" and new != old:
            # Sales' cool-down: not handed over again before it ends.
            assert before["nurture_until"] is None or before["nurture_until"] <= timezone.now()
        if action.startswith("deal "):
            assert row(Lead, lead_id)["outcome"] in ("", "won", "lost")

    @invariant()
    def each_lead_agrees_with_its_stage_history(self):
        for lead_id in self.leads:
            lead, stays = row(Lead, lead_id), history(lead_id)
            # No gap: the first stay is the capture, each begins as the one before ends, along the table.
            assert (stays[0]["stage"], stays[0]["reason"]) == (Stage.LEAD, "Captured")
            for stay, following in zip(stays, stays[1:], strict=False):
                assert stay["exited_at"] == following["entered_at"], "a gap or an overlap between two stays"
                assert following["stage"] in STAGE_MOVES[stay["stage"]], f"{stay['stage']} → {following['stage']}"
            assert (stays[-1]["exited_at"], stays[-1]["stage"]) == (None, lead["stage"])
            assert lead["stage_changed_at"] == stays[-1]["entered_at"]
            # First arrivals and counts, as the history tells them.
            qualified = [stay["entered_at"] for stay in stays if stay["stage"] in QUALIFIED_STAGES]
            accepted = [stay["entered_at"] for stay in stays if stay["stage"] in ACCEPTED_STAGES]
            assert lead["qualified_at"] == (qualified[0] if qualified else None)
            assert lead["accepted_at"] == (accepted[0] if accepted else None)
            assert lead["recycle_count"] == sum(stay["stage"] == Stage.RECYCLED for stay in stays)
            # A salesperson owns the lead exactly while sales has accepted it.
            assert (lead["owner_id"] is not None) == (lead["stage"] in ACCEPTED_STAGES), lead["stage"]


def test_a_lead_moves_only_along_the_stage_table_and_its_history_has_no_gaps(marketer, rep):
    run(LeadStages, SimpleNamespace(marketer=marketer, rep=rep), RUNS)
