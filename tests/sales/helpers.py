"""Deals built through the real sales services, for the sales tests."""

from django.test import Client

from sales import services
from sales.models import Deal, Stage

OPEN_SLUGS = ["discovery", "qualification", "proposal", "negotiation"]


def stage(slug: str) -> Stage:
    # Through the service: a test database flushed by an earlier transactional test has no
    # pipeline until something asks for it.
    return services.default_pipeline().stages.get(slug=slug)


def open_deal_for(owner, title: str = "Analytical Engines", **fields) -> Deal:
    return services.open_deal(owner_id=owner.pk, team_id=owner.sales_rep.team_id, title=title, **fields)


def walk_to(deal: Deal, slug: str, by) -> Deal:
    """Move a deal forward one allowed step at a time until it reaches `slug`."""
    current = OPEN_SLUGS.index(Deal.objects.get(pk=deal.pk).stage.slug)
    for next_slug in OPEN_SLUGS[current + 1 : OPEN_SLUGS.index(slug) + 1]:
        deal = services.move_deal(
            deal_id=deal.pk, to_stage_id=stage(next_slug).pk, by=by, expected_version=deal.version
        )
    return deal


def deal_at(owner, slug: str, **fields) -> Deal:
    return walk_to(open_deal_for(owner, **fields), slug, owner)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
