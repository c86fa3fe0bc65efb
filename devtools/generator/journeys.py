"""The second pass: every row of one lead's journey, consistent across the three apps.

A lead's stages, its handoffs and offers, the deal and its stage moves, the outcome
written back on the lead and the touchpoints all come from one timeline, built the way
the services would have built it (see handoff/services.py): MQL → offer(s) with the SLA
clock → accept (deal opens, lead SAL) or reject (lead recycled or disqualified) → deal
stages mirrored on the lead (2nd open stage → SQL, later → opportunity) → won (customer,
outcome won) or lost (recycled, outcome lost).
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from handoff.routing import company_domain

from .leads import LeadSteps
from .plan import DAY, DEAL, DEAL_AFTER_REJECTION, DISQUALIFIED, PENDING, REJECTED, SUBSCRIBER, Plan
from .shapes import Shapes
from .touches import TouchSteps
from .vocabulary import (
    OPEN_STAGES,
    REASON_LABELS,
    REJECTIONS,
)

MINUTE = 60
HOUR = 3600


@dataclass
class Rep:
    user_id: int
    team_id: int
    weight: int
    speed: float  # multiplies the median response time
    skill: float  # multiplies the chance of winning


@dataclass
class Context:
    """What the journeys refer to: ids of the rows written before the leads."""

    campaign_ids: list[int]
    campaign_utm: list[str]
    teams: list[tuple[int, list[Rep]]]
    stage_ids: dict[str, int]
    pipeline_id: int
    lost_reasons: list[str]
    sla_seconds: int
    mql_threshold: int


class Journeys(LeadSteps, TouchSteps):
    """Builds each lead's rows into the tables, in id order; ids are assigned here."""

    def __init__(self, rng: random.Random, shapes: Shapes, plan: Plan, context: Context, tables, first_ids, fmt):
        self.rng, self.shapes, self.plan, self.ctx, self.t = rng, shapes, plan, context, tables
        self.ids = dict(first_ids)
        self.ts = fmt.timestamp
        self.team_weights = [sum(rep.weight for rep in reps) for _team, reps in context.teams]
        self.won_share = shapes.stage_mix.get("Won", 63) / (
            shapes.stage_mix.get("Won", 63) + shapes.stage_mix.get("Lost", 37)
        )
        self.products = [(price, count) for _name, price, count in shapes.products]
        self.countries = [name for name, _n in shapes.countries]
        self.country_weights = [n for _name, n in shapes.countries]
        self.reasons = [reason for reason, *_ in REJECTIONS]
        self.reason_weights = [share for _r, share, *_ in REJECTIONS]
        self.reason_rules = {reason: (action, days) for reason, _s, action, days in REJECTIONS}

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- one lead ------------------------------------------------------------------
    def build(self, index: int, lead_id: int) -> None:
        rng, plan = self.rng, self.plan
        self.prepare(index, lead_id)
        created = plan.created[index]
        channel = plan.channel[index]
        campaign = plan.campaign[index]
        path = plan.path[index]
        stages: list[tuple[str, int, str]] = []  # (stage, entered_at, reason)
        lead = {"owner": None, "outcome": "", "amount": None, "outcome_at": None, "recycles": 0, "nurture": None}
        first = "subscriber" if path == SUBSCRIBER or rng.random() < 0.05 else "lead"
        stages.append((first, created, "Captured"))
        accepted_at = None
        deal_window = None  # (accepted, last moment touches still count for)
        if path == SUBSCRIBER:
            pass
        elif path == DISQUALIFIED:
            stages.append(("disqualified", self._later(created, 2 * DAY), "Not a fit: student or competitor"))
        elif path == PENDING:
            self._pending(lead_id, created, stages)
        elif path in (REJECTED, DEAL, DEAL_AFTER_REJECTION):
            if path == DEAL_AFTER_REJECTION and created > plan.end - 60 * DAY:
                path = DEAL  # too recent to have been rejected, nurtured and qualified again
            cycle, start = 0, created
            if path != DEAL:
                again = self._rejected(lead_id, cycle, start, stages, lead, requalify=path != REJECTED)
                cycle, start = 1, again
            if path != REJECTED:
                accepted_at, closed = self._deal(lead_id, cycle, start, stages, lead)
                deal_window = (accepted_at, closed or plan.end)
        self._lead_row(lead_id, index, stages, lead, accepted_at)
        self._touchpoints(lead_id, index, created, channel, campaign, deal_window)

    def _later(self, after: int, mean: float, margin: int = MINUTE) -> int:
        """A moment after `after` (exponential wait), `margin` before the end where there is room."""
        room = max(self.plan.end - after - margin, 2)
        wait = min(self.rng.expovariate(1 / mean), room * self.rng.uniform(0.2, 0.9))
        return after + max(int(wait), 1)

    def _pick_rep(self, team: tuple[int, list[Rep]], exclude: set[int]) -> Rep:
        reps = [rep for rep in team[1] if rep.user_id not in exclude] or team[1]
        return self.rng.choices(reps, weights=[rep.weight for rep in reps])[0]

    # --- handoffs --------------------------------------------------------------------
    def _qualify(self, start: int, stages: list, *, mean_wait: float) -> int:
        mql_at = self._later(start, mean_wait, margin=HOUR)
        reason = "Score reached the MQL threshold" if self.rng.random() < 0.8 else "Handed to sales by hand"
        if stages[-1][0] == "recycled":
            reason = "Qualified again after nurture"
        stages.append(("mql", mql_at, reason))
        return mql_at

    def _offers(self, handoff_id: int, team, offered: int, *, final_state: str) -> tuple[int, int, Rep]:
        """Offer to reps in turn until one answers within the SLA (at most three tries).

        Returns (decided_at, last offered_at, rep). Offers that would end past the period's
        end are cut short: the answer comes before it.
        """
        rng, sla, tried = self.rng, self.ctx.sla_seconds, set()
        for attempt in range(3):
            rep = self._pick_rep(team, tried)
            tried.add(rep.user_id)
            due = offered + sla
            response = int(rng.lognormvariate(0, 1.0) * 70 * MINUTE * rep.speed) + 30
            last_try = attempt == 2 or due + 2 * MINUTE >= self.plan.end
            if response > sla and last_try:
                # No more re-offers: this rep answers, late if the clock allows it.
                response = min(response, max(self.plan.end - offered - MINUTE, 30))
            if response > sla and not last_try:
                self._offer_row(handoff_id, rep, "expired", offered, due, due)
                offered = due + rng.randint(20, 90)  # the next sweep re-offers
                continue
            decided = min(offered + response, self.plan.end - 30)
            self._offer_row(handoff_id, rep, final_state, offered, due, decided)
            return decided, offered, rep
        raise AssertionError("unreachable: the third offer always answers")

    def _offer_row(self, handoff_id: int, rep: Rep, state: str, offered: int, due: int, decided: int | None) -> None:
        minutes = None if decided is None or state == "expired" else (decided - offered) // MINUTE
        self.t["offer"].add(
            (
                self.next_id("offer"),
                handoff_id,
                rep.user_id,
                state,
                self.ts(offered),
                self.ts(due),
                None if decided is None else self.ts(decided),
                minutes,
                self.ts(offered + (due - offered) // 2),
            )
        )

    def _handoff_row(self, handoff_id, lead_id, cycle, team_id, state, rep, offered, decided, created, **extra):
        due = offered + self.ctx.sla_seconds
        self.t["handoff"].add(
            (
                handoff_id,
                lead_id,
                cycle,
                team_id,
                state,
                rep.user_id,
                self.ts(offered),
                self.ts(due),
                None if decided is None else self.ts(decided),
                extra.get("reason", ""),
                extra.get("note", ""),
                extra.get("deal_id"),
                extra.get("outcome_closed_at"),
                self.ts(created),
                "Round robin",
                extra.get("action", ""),
                company_domain(self._current["email"]),  # routing's dedupe looks leads up by it
            )
        )

    def _feedback(self, handoff_id: int, rep: Rep, moment: str, rating: int, at: int, chance: float) -> None:
        if self.rng.random() < chance:
            comment = "" if self.rng.random() < 0.7 else {1: "Not our buyer", 5: "Great lead"}.get(rating, "")
            self.t["feedback"].add(
                (self.next_id("feedback"), handoff_id, rep.user_id, moment, rating, comment, self.ts(at))
            )

    def _team(self):
        return self.rng.choices(self.ctx.teams, weights=self.team_weights)[0]

    def _pending(self, lead_id: int, created: int, stages: list) -> None:
        end = self.plan.end
        mql_at = max(created + MINUTE, end - self.rng.randint(10 * MINUTE, 200 * MINUTE))
        stages.append(("mql", mql_at, "Score reached the MQL threshold"))
        team = self._team()
        rep = self._pick_rep(team, set())
        offered = mql_at + self.rng.randint(5, 60)
        handoff_id = self.next_id("handoff")
        self._offer_row(handoff_id, rep, "open", offered, offered + self.ctx.sla_seconds, None)
        self._handoff_row(handoff_id, lead_id, 0, team[0], "offered", rep, offered, None, mql_at)

    def _rejected(self, lead_id, cycle, start, stages, lead, *, requalify: bool) -> int | None:
        """A handoff sales turned down; returns when the lead may qualify again, if it does."""
        rng = self.rng
        mql_at = self._qualify(start, stages, mean_wait=6 * DAY)
        team = self._team()
        handoff_id = self.next_id("handoff")
        decided, offered, rep = self._offers(handoff_id, team, mql_at + rng.randint(5, 90), final_state="rejected")
        latest = self.plan.end - 2 * DAY  # a re-qualified lead still needs time to be accepted
        if requalify:
            # A reason whose cool-down ends in time for the lead to come back.
            fitting = [
                r
                for r, (a, days) in self.reason_rules.items()
                if a == "nurture" and decided + max(days, 7) * DAY < latest
            ]
            reason = rng.choice(fitting or ["wrong_contact"])
        else:
            reason = rng.choices(self.reasons, weights=self.reason_weights)[0]
        action, cooldown = self.reason_rules[reason]
        note = "Asked us to call back next quarter" if reason == "other" else ""
        label = REASON_LABELS[reason]
        self._handoff_row(
            handoff_id, lead_id, cycle, team[0], "rejected", rep, offered, decided, mql_at,
            reason=reason, note=note, action=action,
        )  # fmt: skip
        self._feedback(handoff_id, rep, "reject", rng.choice([1, 2, 2, 3]), decided, 0.6)
        if action == "disqualify":
            stages.append(("disqualified", decided, f"Rejected by sales — {label}"))
            return None
        lead["recycles"] += 1
        stages.append(("recycled", decided, f"Rejected by sales — {label}"))
        if cooldown:
            lead["nurture"] = decided + cooldown * DAY
        if not requalify:
            return None
        earliest = decided + max(cooldown, 7) * DAY
        return min(earliest + rng.randint(0, 30 * DAY), max(latest, earliest))

    # --- deals -----------------------------------------------------------------------
    def _deal(self, lead_id: int, cycle: int, start: int, stages: list, lead: dict) -> tuple[int, int | None]:
        rng, ctx, end = self.rng, self.ctx, self.plan.end
        mql_at = self._qualify(start, stages, mean_wait=5 * DAY)
        team = self._team()
        handoff_id, deal_id = self.next_id("handoff"), self.next_id("deal")
        accepted, offered, rep = self._offers(handoff_id, team, mql_at + rng.randint(5, 90), final_state="accepted")
        stages.append(("sal", accepted, "Accepted by sales"))
        lead["owner"] = rep.user_id

        won = rng.random() < min(0.95, self.won_share * rep.skill)
        cycle_days = rng.choice(self.shapes.won_cycle_days if won else self.shapes.lost_cycle_days)
        length = int((max(cycle_days, 0.5) + rng.random()) * DAY)
        close_at = accepted + length
        # Moves through the open stages at fixed shares of the cycle; a lost deal stops at
        # some stage and is lost from there.
        if won:
            reached, shares = 3, [0.15, 0.4, 0.7]
        else:
            reached = rng.choices([0, 1, 2, 3], weights=[35, 30, 20, 15])[0]
            shares = [0.8 * (step + 1) / (reached + 1) for step in range(reached)]
        closed = close_at < end
        moves = [(OPEN_STAGES[step + 1], accepted + int(length * shares[step])) for step in range(reached)]
        moves = [(stage, at) for stage, at in moves if at < end]
        # Now and then the deal moves twice before the lead catches up: it skips SQL.
        skip_sql = len(moves) >= 2 and rng.random() < 0.05

        deal_moves = [(None, "discovery", accepted)]
        previous = "discovery"
        for stage, at in moves:
            deal_moves.append((previous, stage, at))
            previous = stage
            if stage == "qualification" and not skip_sql:
                stages.append(("sql", at, "Deal moved to Qualification"))
            elif stage == "proposal":
                stages.append(("opportunity", at, "Deal moved to Proposal"))
        price, _count = rng.choices(self.products, weights=[count for _p, count in self.products])[0]
        amount = rng.choice(self.shapes.won_values) if won else price * rng.uniform(0.85, 1.15)
        amount_text = f"{amount:.2f}"
        lost_reason = ""
        if closed:
            deal_moves.append((previous, "won" if won else "lost", close_at))
            if won:
                stages.append(("customer", close_at, "Deal won"))
                lead.update(outcome="won")
            else:
                lost_reason = rng.choice(ctx.lost_reasons)
                lead["recycles"] += 1
                stages.append(("recycled", close_at, f"Deal lost: {lost_reason}"))
                lead.update(outcome="lost", owner=None)
            lead.update(amount=amount_text, outcome_at=self.ts(close_at))
        final_stage = deal_moves[-1][1]
        last_change = deal_moves[-1][2]
        for from_stage, to_stage, at in deal_moves:
            self.t["deal_change"].add(
                (
                    self.next_id("deal_change"),
                    deal_id,
                    None if from_stage is None else ctx.stage_ids[from_stage],
                    ctx.stage_ids[to_stage],
                    self.ts(at),
                    None if from_stage is None else rep.user_id,
                )
            )
        company = self._current["company"]
        rating = rng.choice([4, 5, 5]) if won else rng.choice([2, 3, 3, 4])
        self.t["deal"].add(
            (
                deal_id,
                ctx.pipeline_id,
                ctx.stage_ids[final_stage],
                rep.user_id,
                rep.team_id,
                company or self._current["name"],
                self._current["name"],
                self._current["email"],
                self._current["phone"],
                company,
                amount_text,
                "USD",
                _date(close_at),
                self.ts(close_at) if closed else None,
                lost_reason,
                json.dumps({"source": self._current["source"], "campaign": self._current["campaign"]}),
                len(deal_moves),
                self.ts(accepted),
                self.ts(last_change),
                self.ts(last_change),
                rating if closed else None,
            )
        )
        self._handoff_row(
            handoff_id, lead_id, cycle, rep.team_id, "accepted", rep, offered, accepted, mql_at,
            deal_id=deal_id, outcome_closed_at=self.ts(close_at) if closed else None,
        )  # fmt: skip
        self._feedback(handoff_id, rep, "accept", rng.choice([3, 4, 4, 5]), accepted, 0.35)
        if closed:
            self._feedback(handoff_id, rep, "close", rating, close_at, 0.3)
        return accepted, close_at if closed else None


def _date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
