"""What a rejection does to the lead: each reason has a rule (RejectionRule rows override
these defaults, which are what a newly installed LeadFlow does)."""

from dataclasses import dataclass

from .models import RejectionReason, RejectionRule

Action = RejectionRule.Action

# reason → (action, cool-down days before the lead may go to sales again)
DEFAULT_RULES: dict[str, tuple[str, int]] = {
    RejectionReason.BAD_FIT: (Action.DISQUALIFY, 0),
    RejectionReason.NO_BUDGET: (Action.NURTURE, 90),
    RejectionReason.NO_AUTHORITY: (Action.NURTURE, 30),
    RejectionReason.NO_NEED: (Action.NURTURE, 180),
    RejectionReason.BAD_TIMING: (Action.NURTURE, 90),
    RejectionReason.DUPLICATE: (Action.DUPLICATE, 0),
    RejectionReason.SPAM: (Action.DISQUALIFY, 0),
    RejectionReason.WRONG_CONTACT: (Action.NURTURE, 0),
    RejectionReason.OTHER: (Action.NURTURE, 30),
}


@dataclass(frozen=True)
class Rule:
    reason: str
    action: str
    cooldown_days: int
    customised: bool = False

    @property
    def reason_label(self) -> str:
        return RejectionReason(self.reason).label

    @property
    def action_label(self) -> str:
        return Action(self.action).label

    @property
    def summary(self) -> str:
        if self.action == Action.NURTURE:
            return f"Back to nurture for {self.cooldown_days} days" if self.cooldown_days else "Back to nurture"
        if self.action == Action.DUPLICATE:
            return "Merged into the original the rep names; flagged for marketing otherwise"
        return "Disqualified"


def rule_for(reason: str) -> Rule:
    row = RejectionRule.objects.filter(reason=reason).first()
    if row is not None:
        return Rule(reason, row.action, row.cooldown_days, customised=True)
    action, days = DEFAULT_RULES[reason]
    return Rule(reason, action, days)


def all_rules() -> list[Rule]:
    rows = {row.reason: row for row in RejectionRule.objects.all()}
    rules = []
    for reason in RejectionReason.values:
        row = rows.get(reason)
        if row is not None:
            rules.append(Rule(reason, row.action, row.cooldown_days, customised=True))
        else:
            action, days = DEFAULT_RULES[reason]
            rules.append(Rule(reason, action, days))
    return rules
