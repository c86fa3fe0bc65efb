"""What a sales manager sees of marketing's leads: their teams' leads and the pool handed to them.

Registered with marketing.scope at start-up (see apps.py): marketing knows owners, handoff
knows which team each rep and each handoff belongs to.
"""

from django.db.models import Q

from sales.models import SalesRep, Team

from .models import Handoff


def team_leads(user) -> Q | None:
    team_ids = list(Team.objects.filter(manager=user).values_list("pk", flat=True))
    if not team_ids:
        return None
    # Subqueries, not lists: a team may have handled hundreds of thousands of leads.
    members = SalesRep.objects.filter(team_id__in=team_ids).values("user_id")
    handed_to_team = Handoff.objects.filter(team_id__in=team_ids).values("lead_id")
    return Q(owner__in=members) | Q(pk__in=handed_to_team)
