"""Test data built the way the product builds it: users and settings by factory, leads and
everything downstream through the real services (never by writing rows behind their back)."""

import datetime

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from handoff import services as handoff_services
from handoff.models import Handoff
from handoff.roles import MARKETING, SALES, SALES_MANAGERS
from marketing import services as marketing_services
from marketing.models import Campaign, Channel, Lead
from sales import services as sales_services
from sales.models import SalesRep, Team

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@leadflow.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            user.groups.add(Group.objects.get(name=extracted))
        user.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Spring webinar {n}")
    channel = Channel.WEBINAR
    status = Campaign.Status.ACTIVE
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    budget = 5000
    utm_campaign = factory.Sequence(lambda n: f"spring-webinar-{n}")


def marketer(**kwargs) -> User:
    return UserFactory(role=MARKETING, **kwargs)


def salesperson(team: Team, *, weight: int = 1, **kwargs) -> User:
    user = UserFactory(role=SALES, **kwargs)
    SalesRep.objects.create(user=user, team=team, routing_weight=weight)
    return user


def sales_manager(team: Team, **kwargs) -> User:
    user = UserFactory(role=SALES_MANAGERS, **kwargs)
    team.manager = user
    team.save(update_fields=["manager"])
    return user


def admin(**kwargs) -> User:
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)


def capture(email: str = "ada@analytical.example", **fields) -> Lead:
    """A lead captured through the real service (a form post, as far as it knows)."""
    fields.setdefault("first_name", "Ada")
    fields.setdefault("last_name", "Lovelace")
    result = marketing_services.capture_lead(capture=marketing_services.Capture(email=email, **fields))
    return result.lead


def offered(lead: Lead | None = None, **capture_fields) -> Handoff:
    """A lead qualified by hand and routed: an open offer to one of the team's reps."""
    lead = lead or capture(**capture_fields)
    marketing_services.qualify_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    return handoff_services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)


def accepted_deal(rep: User, *, stage: str = "discovery", **capture_fields):
    """A lead offered to and accepted by `rep`, its deal moved forward to `stage`."""
    handoff = offered(**capture_fields)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    return walked_to(Handoff.objects.get(pk=handoff.pk).deal, stage, by=rep)


def walked_to(deal, stage: str, *, by: User):
    """`deal` moved one open stage at a time (the only legal way) up to `stage`."""
    slugs = list(deal.pipeline.stages.filter(kind="open").order_by("order").values_list("slug", flat=True))
    for slug in slugs[slugs.index(deal.stage.slug) + 1 : slugs.index(stage) + 1]:
        deal = sales_services.move_deal(
            deal_id=deal.pk,
            to_stage_id=deal.pipeline.stages.get(slug=slug).pk,
            by=by,
            expected_version=deal.version,
        )
    return deal
