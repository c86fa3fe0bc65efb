"""Routing fairness: offers each rep got against the share their weight promises."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from handoff.models import Offer
from sales.models import SalesRep, Team


@dataclass(frozen=True)
class RepShare:
    rep: SalesRep
    available: bool
    offers: int
    accepted: int
    rejected: int
    expired: int
    expected: float | None  # offers their weight promises (None for an unavailable rep)

    @property
    def deviation(self) -> float | None:
        return None if self.expected is None else round(self.offers - self.expected, 1)


def fairness(team: Team, *, since: datetime) -> list[RepShare]:
    """Per rep of `team`: offers made to them since `since` (re-offers after a breach included)."""
    reps = list(SalesRep.objects.filter(team=team).select_related("user").order_by("user__username"))
    available = set(SalesRep.objects.available().filter(team=team).values_list("pk", flat=True))
    counts = {
        row["assignee_id"]: row
        for row in Offer.objects.filter(handoff__team=team, offered_at__gte=since)
        .values("assignee_id")
        .annotate(
            n=Count("*"),
            accepted=Count("pk", filter=Q(state=Offer.State.ACCEPTED)),
            rejected=Count("pk", filter=Q(state=Offer.State.REJECTED)),
            expired=Count("pk", filter=Q(state=Offer.State.EXPIRED)),
        )
        .order_by()
    }
    total = sum(row["n"] for row in counts.values())
    weight_total = sum(rep.routing_weight for rep in reps if rep.pk in available)
    shares = []
    for rep in reps:
        row = counts.get(rep.user_id, {})
        is_available = rep.pk in available
        expected = total * rep.routing_weight / weight_total if is_available and weight_total else None
        shares.append(
            RepShare(
                rep=rep,
                available=is_available,
                offers=row.get("n", 0),
                accepted=row.get("accepted", 0),
                rejected=row.get("rejected", 0),
                expired=row.get("expired", 0),
                expected=None if expected is None else round(expected, 1),
            )
        )
    return shares
