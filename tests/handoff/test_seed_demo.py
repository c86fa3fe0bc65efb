"""`manage.py seed_demo`: every role logs in and finds the whole lead journey to click through:
two teams with rules and hours, a breached offer, recycled leads and scorecards with history."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from handoff import roles
from handoff.models import Feedback, Handoff, Offer, RoutingRule, TeamSettings
from insights.models import Dimension, ScorecardRow
from marketing.models import Lead, Touchpoint
from marketing.models import Stage as LeadStage
from sales.models import AssetSend, Deal, SalesRep
from sales.models import Stage as DealStage

PASSWORD = "leadflow-demo"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py uses
User = get_user_model()


def seed_demo(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def output(django_db_setup, django_db_blocker):
    """The demo loads once for the module (it replays months of history), rolled back after."""
    from django.db import transaction
    from django.test import override_settings

    # DEBUG off with --force: the path a docker-compose user takes (README).
    with django_db_blocker.unblock(), override_settings(DEBUG=False, PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_demo(force=True)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Lead, Touchpoint, Deal, Handoff, User)}


@pytest.mark.django_db
def test_every_role_can_log_in_with_the_printed_password(output, client):
    for username, group in [
        ("maria", roles.MARKETING),
        ("sam", roles.SALES),
        ("lena", roles.SALES),
        ("mike", roles.SALES_MANAGERS),
        ("erin", roles.SALES_MANAGERS),
    ]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.email == f"{username}@leadflow.example"
        assert client.login(username=username, password=PASSWORD), username
        assert username in output
    assert User.objects.get(username="admin").is_superuser
    assert client.login(username="admin", password=PASSWORD)
    assert PASSWORD in output and "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_two_teams_have_managers_working_hours_rules_and_an_away_rep(output):
    teams = {config.team.name: config for config in TeamSettings.objects.select_related("team__manager")}
    assert {name: config.team.manager.username for name, config in teams.items()} == {
        "Inside Sales": "mike",
        "Field Sales EMEA": "erin",
    }
    assert teams["Field Sales EMEA"].time_zone == "Europe/Berlin"
    assert RoutingRule.objects.count() >= 2
    away = SalesRep.objects.exclude(pk__in=SalesRep.objects.available())
    assert [rep.user.username for rep in away] == ["omar"]


@pytest.mark.django_db
def test_leads_wait_in_both_teams_inboxes_and_the_away_rep_gets_none(output):
    for username in ("sam", "sara", "lena"):
        waiting = Handoff.objects.filter(assignee__username=username, state=Handoff.State.OFFERED)
        assert waiting.exists(), username
        assert {handoff.lead.stage for handoff in waiting} == {LeadStage.MQL}
    assert not Handoff.objects.filter(assignee__username="omar", state=Handoff.State.OFFERED).exists()


@pytest.mark.django_db
def test_an_offer_breached_its_sla_and_went_to_the_next_rep(output):
    rosa = Handoff.objects.get(lead__email="rosa.jimenez@lumbre-solar.example")
    offers = list(rosa.offers.order_by("id"))
    assert [offer.state for offer in offers] == [Offer.State.EXPIRED, Offer.State.OPEN]
    assert offers[0].assignee != offers[1].assignee
    assert Offer.objects.filter(state=Offer.State.EXPIRED).count() > 1  # breaches in the history too


@pytest.mark.django_db
def test_accepted_offers_have_deals_and_a_won_deal_makes_a_customer(output):
    won = Handoff.objects.filter(deal__stage__kind=DealStage.Kind.WON).select_related("lead", "deal")
    assert won.count() >= 10
    for handoff in won:
        assert handoff.lead.outcome == Lead.Outcome.WON
        assert handoff.lead.stage == LeadStage.CUSTOMER
        assert handoff.lead.outcome_amount == handoff.deal.amount > 0
    lost = Handoff.objects.filter(deal__stage__kind=DealStage.Kind.LOST).select_related("lead", "deal")
    assert lost
    for handoff in lost:
        assert handoff.deal.lost_reason
        assert (handoff.lead.outcome, handoff.lead.stage) == (Lead.Outcome.LOST, LeadStage.RECYCLED)
    assert Feedback.objects.filter(moment=Feedback.Moment.CLOSE).exists()
    assert AssetSend.objects.exists()


@pytest.mark.django_db
def test_rejected_offers_are_recycled_or_disqualified_as_their_reasons_rule_says(output):
    rejected = Handoff.objects.filter(state=Handoff.State.REJECTED).select_related("lead")
    assert {handoff.recycle_action for handoff in rejected} >= {"nurture", "disqualified"}
    for handoff in rejected:
        assert handoff.rejection_reason
        if handoff.recycle_action == "nurture" and handoff.lead.recycle_count == 1:
            assert handoff.lead.stage == LeadStage.RECYCLED
        elif handoff.recycle_action == "disqualified":
            assert handoff.lead.stage == LeadStage.DISQUALIFIED
    assert Lead.objects.filter(nurture_until__isnull=False).exists()


@pytest.mark.django_db
def test_the_scorecards_have_months_of_history_to_tell_the_best_source(output):
    sources = {row.key: row for row in ScorecardRow.objects.filter(dimension=Dimension.SOURCE)}
    assert sources["webinar"].offered_won_pct > sources["paid_search"].offered_won_pct
    assert all(row.lead_time_days for row in sources.values() if row.won)
    assert ScorecardRow.objects.filter(dimension=Dimension.LEAD_TYPE, offered__gte=3).count() >= 3


@pytest.mark.django_db
def test_leads_below_the_bar_stay_with_marketing(output):
    assert Lead.objects.filter(stage=LeadStage.LEAD, score__lt=50).count() >= 10
    assert not Handoff.objects.filter(lead__stage=LeadStage.LEAD).exists()


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(output):
    before = row_counts()
    again = seed_demo(force=True)
    assert row_counts() == before
    assert "already loaded" in again and PASSWORD in again
