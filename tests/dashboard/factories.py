"""A hand-built data set for the dashboard, played through the real services on a moved clock.

The clock is the one outside part we move (django.utils.timezone.now): the services stamp
every stage change, offer and close with it, so the story's durations are exact.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from handoff import services as handoff_services
from handoff.models import Handoff
from insights.dashboard import services as dashboard
from marketing import services as marketing_services
from marketing.models import Campaign, CampaignSpend, Lead
from sales import services as sales_services
from tests import factories

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """What timezone.now() answers while a test runs; advance it to let time pass."""

    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def capture(email: str, campaign: Campaign | None = None, **fields) -> Lead:
    return factories.capture(email=email, campaign=campaign, **fields)


def hand_over(lead: Lead) -> Handoff:
    marketing_services.qualify_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    return handoff_services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)


def accept(handoff: Handoff):
    handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    return Handoff.objects.get(pk=handoff.pk).deal


def move(deal, slug: str, by):
    stage = deal.pipeline.stages.get(slug=slug)
    deal = sales_services.move_deal(deal_id=deal.pk, to_stage_id=stage.pk, by=by, expected_version=deal.version)
    handoff = Handoff.objects.filter(deal=deal).first()
    if handoff:  # what the task after deal_stage_changed does
        handoff_services.sync_lead_stage(deal_id=deal.pk)
    return deal


def close(deal, *, won: bool, by, amount: Decimal | None = None, reason: str = "Price too high"):
    deal.refresh_from_db()
    deal = sales_services.close_deal(
        deal_id=deal.pk, won=won, by=by, expected_version=deal.version, amount=amount, lost_reason=reason
    )
    handoff_services.record_deal_outcome(deal_id=deal.pk)  # what the task after deal_closed does
    return deal


@dataclass
class Story:
    """What happened, and the numbers the dashboard must show for it."""

    clock: Clock
    email: Campaign
    search: Campaign
    leads: dict[str, Lead] = field(default_factory=dict)
    deals: dict = field(default_factory=dict)
    handoffs: dict = field(default_factory=dict)


def build_story(clock: Clock, rep) -> Story:
    """Four leads in March 2026, one won deal, one lost, one rejection, one still nurtured.

    - won@a.example: paid search form on day 0, email click on day 2, qualified day 3,
      accepted 1 h later, qualification day 5, proposal day 8, negotiation day 9, won day 20
      for 1,000.00. Touches before the deal: search (day 0), email (day 2).
    - lost@b.example: email form day 1, qualified day 4, offer expires (SLA) and is re-offered,
      accepted, lost day 30 from discovery.
    - rejected@c.example: email form day 1, qualified day 2, rejected "no budget".
    - nurtured@d.example: paid search form day 6, stays a lead.
    """
    day0 = clock.now
    email = factories.CampaignFactory(name="March newsletter", channel="email", utm_campaign="march-news",
                                      starts_on=day0.date(), budget=900)  # fmt: skip
    search = factories.CampaignFactory(name="Search: forecasting", channel="paid_search", utm_campaign="search-fc",
                                       starts_on=day0.date(), budget=3000)  # fmt: skip
    CampaignSpend.objects.create(campaign=email, spent_on=day0.date(), amount=Decimal("200.00"))
    CampaignSpend.objects.create(campaign=search, spent_on=day0.date(), amount=Decimal("800.00"))
    story = Story(clock, email, search)
    # Separate company domains: routing would otherwise hand a colleague to the same owner.
    story.leads["won"] = capture("won@a.example", search, company="Acme")
    clock.advance(days=1)
    story.leads["lost"] = capture("lost@b.example", email, company="Bolt")
    story.leads["rejected"] = capture("rejected@c.example", email, company="Cask")
    clock.advance(days=1)  # day 2
    capture("won@a.example", email)  # the same person clicks the newsletter: a second touch
    story.handoffs["rejected"] = hand_over(story.leads["rejected"])
    clock.advance(hours=2)
    handoff_services.reject_offer(handoff_id=story.handoffs["rejected"].pk, by=rep, reason="no_budget")
    clock.advance(days=1, hours=-2)  # day 3
    story.handoffs["won"] = hand_over(story.leads["won"])
    clock.advance(hours=1)
    story.deals["won"] = accept(story.handoffs["won"])
    clock.advance(days=1, hours=-1)  # day 4
    story.handoffs["lost"] = hand_over(story.leads["lost"])
    clock.advance(hours=5)  # past the 4-hour SLA: expires and goes to the next rep
    handoff_services.expire_overdue_offers(now=clock.now)
    clock.advance(minutes=30)
    story.deals["lost"] = accept(Handoff.objects.get(pk=story.handoffs["lost"].pk))
    clock.advance(days=1, hours=-5, minutes=-30)  # day 5
    story.deals["won"] = move(story.deals["won"], "qualification", rep)
    clock.advance(days=1)  # day 6
    story.leads["nurtured"] = capture("nurtured@d.example", search, company="Dune")
    clock.advance(days=2)  # day 8
    story.deals["won"] = move(story.deals["won"], "proposal", rep)
    clock.advance(days=1)  # day 9
    story.deals["won"] = move(story.deals["won"], "negotiation", rep)
    clock.advance(days=11)  # day 20
    story.deals["won"] = close(story.deals["won"], won=True, by=rep, amount=Decimal("1000.00"))
    clock.advance(days=10)  # day 30
    owner = Handoff.objects.get(pk=story.handoffs["lost"].pk).assignee
    story.deals["lost"] = close(story.deals["lost"], won=False, by=owner, amount=Decimal("400.00"))
    clock.advance(days=1)
    dashboard.refresh_rollups()
    for lead in story.leads.values():
        lead.refresh_from_db()
    return story
