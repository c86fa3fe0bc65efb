"""Who gets the next offer: smooth weighted round robin among a team's available reps."""

from marketing.models import Lead
from sales.models import SalesRep, Team

from .models import RoutingSlot


def choose_team(lead: Lead) -> Team | None:
    """The team a lead goes to: the first team with reps, until routing rules arrive."""
    return Team.objects.filter(reps__isnull=False).order_by("id").first()


def pick_rep(team: Team, *, exclude_user_ids: set[int] = frozenset()) -> int | None:
    """Pick the next rep's user id for `team`, or None when nobody can take an offer.

    Must run inside a transaction: the team's slots are locked so that concurrent routers
    take turns instead of handing two leads to the same rep. `exclude_user_ids` (e.g. the
    rep who let the offer expire) is honoured unless they are the only one available.
    """
    weights = dict(SalesRep.objects.available().filter(team=team).values_list("user_id", "routing_weight"))
    if not weights:
        return None
    if set(weights) - set(exclude_user_ids):
        weights = {user_id: w for user_id, w in weights.items() if user_id not in exclude_user_ids}
    RoutingSlot.objects.bulk_create(
        [RoutingSlot(team=team, user_id=user_id) for user_id in weights], ignore_conflicts=True
    )
    slots = list(RoutingSlot.objects.select_for_update().filter(team=team, user_id__in=weights).order_by("user_id"))
    for slot in slots:
        slot.current += weights[slot.user_id]
    chosen = max(slots, key=lambda slot: (slot.current, -slot.user_id))
    chosen.current -= sum(weights.values())
    RoutingSlot.objects.bulk_update(slots, ["current"])
    return chosen.user_id
