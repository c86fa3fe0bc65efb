"""`manage.py seed_demo`: every role logs in and finds the whole lead journey to click through."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from handoff import roles
from handoff.models import Handoff
from marketing.models import Lead, Touchpoint
from marketing.models import Stage as LeadStage
from sales.models import Deal, SalesRep
from sales.models import Stage as DealStage
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "leadflow-demo"
User = get_user_model()


def seed_demo(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def output(debug) -> str:
    return seed_demo()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Lead, Touchpoint, Deal, Handoff, User)}


def test_every_role_can_log_in_with_the_printed_password(output, client):
    for username, group in [
        ("maria", roles.MARKETING),
        ("sam", roles.SALES),
        ("sara", roles.SALES),
        ("mike", roles.SALES_MANAGERS),
    ]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.email == f"{username}@leadflow.example"
        assert client.login(username=username, password=PASSWORD), username
        assert username in output
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert client.login(username="admin", password=PASSWORD)
    assert PASSWORD in output
    assert "http://127.0.0.1:8000/" in output


def test_both_salespeople_are_reps_of_the_team_mike_manages(output):
    reps = SalesRep.objects.select_related("team__manager").order_by("user__username")
    assert [(rep.user.username, rep.team.name, rep.routing_weight) for rep in reps] == [
        ("sam", "Inside Sales", 1),
        ("sara", "Inside Sales", 1),
    ]
    assert {rep.team.manager.username for rep in reps} == {"mike"}


def test_both_salespeople_have_offers_waiting_in_their_inbox(output):
    for username in ("sam", "sara"):
        waiting = Handoff.objects.filter(assignee__username=username, state=Handoff.State.OFFERED)
        assert waiting.exists(), username
        assert {handoff.lead.stage for handoff in waiting} == {LeadStage.MQL}


def test_accepted_offers_have_deals_and_a_won_deal_makes_a_customer(output):
    accepted = Handoff.objects.filter(state=Handoff.State.ACCEPTED, deal__isnull=False)
    assert accepted.exists()
    won = Handoff.objects.filter(deal__stage__kind=DealStage.Kind.WON).select_related("lead", "deal")
    assert won
    for handoff in won:
        assert handoff.lead.outcome == Lead.Outcome.WON
        assert handoff.lead.stage == LeadStage.CUSTOMER
        assert handoff.lead.outcome_amount == handoff.deal.amount > 0
    lost = Handoff.objects.filter(deal__stage__kind=DealStage.Kind.LOST).select_related("lead", "deal")
    assert lost
    for handoff in lost:
        assert handoff.deal.lost_reason
        assert (handoff.lead.outcome, handoff.lead.stage) == (Lead.Outcome.LOST, LeadStage.RECYCLED)


def test_rejected_offers_are_recycled_or_disqualified_as_their_reasons_rule_says(output):
    rejected = Handoff.objects.filter(state=Handoff.State.REJECTED).select_related("lead")
    assert {handoff.recycle_action for handoff in rejected} >= {"nurture", "disqualified"}
    for handoff in rejected:
        assert handoff.rejection_reason
        if handoff.recycle_action == "nurture":
            assert (handoff.lead.stage, handoff.lead.recycle_count) == (LeadStage.RECYCLED, 1)
        elif handoff.recycle_action == "disqualified":
            assert handoff.lead.stage == LeadStage.DISQUALIFIED


def test_leads_below_the_bar_stay_with_marketing(output):
    assert Lead.objects.filter(stage=LeadStage.LEAD, score__lt=50).count() >= 10
    assert not Handoff.objects.filter(lead__stage=LeadStage.LEAD).exists()


def test_running_it_twice_changes_nothing(output):
    before = row_counts()
    again = seed_demo()
    assert row_counts() == before
    assert "already loaded" in again
    assert PASSWORD in again


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed_demo()
    assert not User.objects.filter(username="maria").exists()


def test_force_loads_it_with_debug_off(settings):
    settings.DEBUG = False
    seed_demo(force=True)
    assert User.objects.filter(username="maria").exists()
    assert Handoff.objects.filter(state=Handoff.State.OFFERED).exists()


def test_a_failure_half_way_leaves_nothing_behind(debug):
    # A campaign with the newsletter's UTM key makes the seed fail after users were created.
    factories.CampaignFactory(utm_campaign="newsletter")
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        seed_demo()
    assert row_counts() == before
