"""Handoff test data beyond tests/factories.py: team settings, rules, and leads with a past."""

import datetime
from decimal import Decimal

from django.utils import timezone

from handoff import services
from handoff.models import Handoff, RoutingRule, TeamSettings
from marketing import services as marketing_services
from marketing.models import Lead
from sales import services as sales_services
from sales.models import Deal, Team
from tests import factories


def team_hours(
    team: Team,
    *,
    manager,
    time_zone: str = "UTC",
    days=(0, 1, 2, 3, 4),
    starts: str = "09:00",
    ends: str = "17:00",
    sla_minutes: int = 240,
    target_percent: int | None = None,
    cap: int | None = None,
) -> TeamSettings:
    """Working hours and SLA for `team`, saved through the service as its manager would."""
    return services.save_team_settings(
        team_id=team.pk,
        by=manager,
        time_zone=time_zone,
        working_days=list(days),
        day_starts=datetime.time.fromisoformat(starts),
        day_ends=datetime.time.fromisoformat(ends),
        sla_minutes=sla_minutes,
        sla_target_percent=target_percent,
        max_open_offers=cap,
    )


def rule(team: Team, *, manager, name: str = "Rule", **conditions) -> RoutingRule:
    fields = {
        "name": name,
        "is_active": True,
        "countries": [],
        "industries": [],
        "company_sizes": [],
        "sources": [],
        "campaign_id": None,
        "min_score": None,
        "max_score": None,
        **conditions,
    }
    return services.save_routing_rule(by=manager, team_id=team.pk, **fields)


def decided_deal(rep, *, won: bool, amount: int = 1000, rating: int | None = None, **capture_fields) -> Deal:
    """A lead offered, accepted by `rep`, walked to negotiation and closed won or lost."""
    deal = factories.accepted_deal(rep, stage="negotiation", **capture_fields)
    deal = sales_services.close_deal(
        deal_id=deal.pk,
        won=won,
        by=rep,
        expected_version=deal.version,
        amount=Decimal(amount),
        lost_reason="" if won else "Chose a competitor",
        rating=rating,
    )
    services.record_deal_outcome(deal_id=deal.pk)
    return deal


def rejected(rep, *, reason: str = "no_budget", note: str = "", **capture_fields) -> Handoff:
    handoff = factories.offered(**capture_fields)
    return services.reject_offer(handoff_id=handoff.pk, by=handoff.assignee or rep, reason=reason, note=note)


def qualified(email: str, **fields) -> Lead:
    lead = factories.capture(email=email, **fields)
    return marketing_services.qualify_lead(lead_id=lead.pk)


def at(text: str) -> datetime.datetime:
    """An aware datetime from ISO text (UTC unless it says otherwise)."""
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def now_plus(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def owned_by(rep, email: str, **fields) -> Lead:
    """A lead offered to and accepted by `rep`: theirs, so it is in their scope."""
    handoff = factories.offered(email=email, **fields)
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    return Lead.objects.get(pk=handoff.lead_id)
