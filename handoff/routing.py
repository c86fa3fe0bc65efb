"""Who gets a lead: the existing owner first, then the first matching rule's team, then
smooth weighted round robin among that team's available reps under their offer cap."""

from dataclasses import dataclass

from django.db.models import Count

from guards.emails import work_domain
from marketing.models import Lead
from sales.models import SalesRep, Team

from .models import Handoff, Offer, RoutingRule, RoutingSlot, TeamSettings


@dataclass(frozen=True)
class Route:
    team: Team | None
    reason: str
    preferred_user_id: int | None = None


def route_for(lead: Lead) -> Route:
    """Dedupe first (an owner of this person or company keeps them), then the rules."""
    owner = existing_owner(lead)
    if owner is not None:
        return owner
    team, reason = choose_team(lead)
    return Route(team=team, reason=reason)


def company_domain(email: str) -> str:
    """The company's domain of an address, or "" for a free-mail one (gmail.com is nobody's company).

    Also "" for LeadFlow's own stand-ins under .invalid (imported rows without an email,
    erased and merged leads): every such lead shares one, and it is nobody's company.
    """
    # Lower-cased as routing always has (Handoff.domain holds such values), then marketing's
    # work-domain rule: one free-mail list for both sides.
    return work_domain(email.strip().lower())


def existing_owner(lead: Lead) -> Route | None:
    """The available rep who already owns this person or company: an open deal, or an owned lead.

    Every owned lead and every deal comes from an accepted handoff, so the handoffs (with
    their indexed company domain) are where to look: no scan of leads or deals by suffix.
    """
    accepted = Handoff.objects.filter(state=Handoff.State.ACCEPTED).order_by("-decided_at", "-pk")
    open_deals = accepted.filter(deal__closed_at__isnull=True)
    domain = company_domain(lead.email_normalized)
    candidates = [
        (open_deals.filter(lead=lead).values_list("deal__owner_id", flat=True), f"Open deal with {lead.email}"),
    ]
    if domain:
        at_domain = accepted.filter(domain=domain).exclude(lead=lead)
        candidates += [
            (at_domain.filter(deal__closed_at__isnull=True).values_list("deal__owner_id", flat=True),
             f"Open deal at {domain}"),
            (at_domain.filter(lead__owner__isnull=False).values_list("lead__owner_id", flat=True),
             f"Owner of another lead at {domain}"),
        ]  # fmt: skip
    for owners, reason in candidates:
        owner_id = owners.first()
        if owner_id is None:
            continue
        rep = SalesRep.objects.available().select_related("team").filter(user_id=owner_id).first()
        if rep is not None:
            return Route(team=rep.team, reason=reason, preferred_user_id=owner_id)
    return None


def choose_team(lead: Lead) -> tuple[Team | None, str]:
    """The first active rule the lead matches; with none, the first team that has reps."""
    for rule in RoutingRule.objects.filter(is_active=True).select_related("team").order_by("position", "id"):
        if rule.matches(lead):
            return rule.team, f"Rule “{rule.name}”"
    team = Team.objects.filter(reps__isnull=False).order_by("id").first()
    return team, "No rule matched: default team"


def team_settings(team_id: int | None) -> TeamSettings | None:
    return TeamSettings.objects.filter(team_id=team_id).first() if team_id else None


def pick_rep(team: Team, *, exclude_user_ids: set[int] = frozenset(), cap: int | None = None) -> int | None:
    """Pick the next rep's user id for `team`, or None when nobody can take an offer.

    Must run inside a transaction: the team's slots are locked so that concurrent routers
    take turns instead of handing two leads to the same rep (and counting open offers
    against the cap only after the lock means the count includes the last router's
    offer). `exclude_user_ids` (e.g. the rep who let the offer expire) is honoured unless
    they are the only one available.
    """
    weights = dict(SalesRep.objects.available().filter(team=team).values_list("user_id", "routing_weight"))
    if not weights:
        return None
    RoutingSlot.objects.bulk_create(
        [RoutingSlot(team=team, user_id=user_id) for user_id in weights], ignore_conflicts=True
    )
    slots = list(RoutingSlot.objects.select_for_update().filter(team=team, user_id__in=weights).order_by("user_id"))
    eligible = set(weights)
    if cap is not None:
        open_counts = dict(
            Offer.objects.filter(state=Offer.State.OPEN, assignee_id__in=weights)
            .values_list("assignee_id")
            .annotate(n=Count("*"))
            .order_by()
        )
        eligible = {user_id for user_id in eligible if open_counts.get(user_id, 0) < cap}
    if eligible - set(exclude_user_ids):
        eligible -= set(exclude_user_ids)
    if not eligible:
        return None
    slots = [slot for slot in slots if slot.user_id in eligible]
    for slot in slots:
        slot.current += weights[slot.user_id]
    chosen = max(slots, key=lambda slot: (slot.current, -slot.user_id))
    chosen.current -= sum(weights[slot.user_id] for slot in slots)
    RoutingSlot.objects.bulk_update(slots, ["current"])
    return chosen.user_id


def fill_domains(*, batch: int = 5000) -> int:
    """Give handoffs written in bulk (generate_data, imports) their company domain; returns how many."""
    done, last = 0, 0
    while True:
        rows = list(
            Handoff.objects.filter(domain="", pk__gt=last)
            .order_by("pk")
            .values_list("pk", "lead__email_normalized")[:batch]
        )
        if not rows:
            return done
        last = rows[-1][0]
        found = [Handoff(pk=pk, domain=company_domain(email)) for pk, email in rows if company_domain(email)]
        Handoff.objects.bulk_update(found, ["domain"], batch_size=1000)
        done += len(found)
