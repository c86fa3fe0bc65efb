"""Who sees what on the dashboard (docs/RELIABILITY.md, "Who may do what").

Admins see everything. Sales managers see their teams: every number counts only the leads,
offers and deals of the teams they manage (so that each number equals the list it opens),
and they choose all of their teams or one. Marketers get the marketing view: company
aggregates, no people, no deals. Salespeople see their own numbers only.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from sales.models import Team

ALL, MANAGER, MARKETING, OWN = "all", "manager", "marketing", "own"

WIDGETS = {
    ALL: ["revenue", "pipeline", "funnel", "channels", "campaigns", "sla", "rejections", "leaderboard", "lead_time"],
    MANAGER: [
        "revenue",
        "pipeline",
        "funnel",
        "channels",
        "campaigns",
        "sla",
        "rejections",
        "leaderboard",
        "lead_time",
    ],
    MARKETING: ["revenue", "funnel", "channels", "campaigns", "lead_time", "rejections", "sla"],
    OWN: ["revenue", "pipeline", "funnel", "channels", "sla", "rejections", "lead_time"],
}


@dataclass(frozen=True)
class Scope:
    kind: str
    user_id: int
    team_ids: tuple[int, ...] = field(default=())  # the teams a manager manages

    @property
    def widgets(self) -> list[str]:
        return WIDGETS[self.kind]

    @property
    def sees_people(self) -> bool:
        """Rep-level numbers and names (leaderboard, rep filter)."""
        return self.kind in (ALL, MANAGER)

    @property
    def sees_deals(self) -> bool:
        return self.kind != MARKETING

    @property
    def sees_spend(self) -> bool:
        """Spend is the company's, not a team's or a rep's: only whole-company views show it."""
        return self.kind in (ALL, MARKETING)

    @property
    def narrowed(self) -> bool:
        """Numbers of some teams or one salesperson, not the whole company's."""
        return self.kind in (MANAGER, OWN)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.user_id}:{','.join(map(str, self.team_ids))}"

    @property
    def label(self) -> str:
        return {ALL: "All teams", MANAGER: "Your teams", MARKETING: "Marketing view", OWN: "Your numbers"}[self.kind]


def scope_for(user) -> Scope:
    """The user's dashboard scope, or PermissionDenied (403) for roles without a view."""
    if user.is_superuser:
        return Scope(ALL, user.pk)
    if user.has_perm("handoff.view_dashboard"):
        teams = tuple(Team.objects.filter(manager=user).order_by("name").values_list("pk", flat=True))
        return Scope(MANAGER, user.pk, teams)
    # The other two views follow the roles' existing capabilities (no permission of their
    # own: handoff's role sync runs before this app's permissions exist on a fresh database).
    if user.has_perm("handoff.decide_offer"):
        return Scope(OWN, user.pk)
    if user.has_perm("marketing.view_all_leads"):
        return Scope(MARKETING, user.pk)
    raise PermissionDenied("The dashboard is for managers, marketers and salespeople.")
