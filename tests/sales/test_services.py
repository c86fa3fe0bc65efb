import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sales import services, signals
from sales.errors import DealConflict, StageMoveNotAllowed
from sales.models import Deal, DealStageChange, Pipeline, SalesRep, Stage

pytestmark = pytest.mark.django_db

OPEN_SLUGS = ["discovery", "qualification", "proposal", "negotiation"]


def stage(slug: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, slug=slug)


def new_deal(owner, **fields) -> Deal:
    fields.setdefault("title", "Analytical Engines")
    return services.open_deal(owner_id=owner.pk, team_id=owner.sales_rep.team_id, **fields)


def deal_at(owner, slug: str) -> Deal:
    """A deal walked forward through the real service, one step at a time, to `slug`."""
    deal = new_deal(owner)
    for next_slug in OPEN_SLUGS[1 : OPEN_SLUGS.index(slug) + 1]:
        deal = services.move_deal(
            deal_id=deal.pk, to_stage_id=stage(next_slug).pk, by=owner, expected_version=deal.version
        )
    return deal


def snapshot(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return (deal.stage.slug, deal.version, deal.closed_at, deal.lost_reason, deal.amount, deal.stage_changes.count())


@pytest.fixture
def received():
    """Real receivers on sales' signals, recording what they were told."""
    heard = []

    def on_stage_changed(sender, *, deal_id, **kwargs):
        heard.append(("deal_stage_changed", deal_id))

    def on_closed(sender, *, deal_id, **kwargs):
        heard.append(("deal_closed", deal_id))

    signals.deal_stage_changed.connect(on_stage_changed)
    signals.deal_closed.connect(on_closed)
    yield heard
    signals.deal_stage_changed.disconnect(on_stage_changed)
    signals.deal_closed.disconnect(on_closed)


# --- opening and moving ---------------------------------------------------------------


def test_opening_a_deal_puts_it_in_the_first_open_stage_and_records_it(rep):
    deal = new_deal(rep, contact_email="ada@analytical.example", brief={"score": 70})
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.version, deal.owner, deal.team) == ("discovery", 1, rep, rep.sales_rep.team)
    assert (deal.closed_at, deal.brief) == (None, {"score": 70})
    change = deal.stage_changes.get()
    assert (change.from_stage, change.to_stage.slug) == (None, "discovery")


def test_a_deal_moves_one_step_forward_and_back_and_each_write_bumps_the_version(rep):
    deal = new_deal(rep)
    deal = services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=rep, expected_version=1)
    assert (deal.stage.slug, deal.version) == ("qualification", 2)
    deal = services.move_deal(deal_id=deal.pk, to_stage_id=stage("discovery").pk, by=rep, expected_version=2)
    assert (deal.stage.slug, deal.version) == ("discovery", 3)
    assert snapshot(deal)[:2] == ("discovery", 3)
    moves = [(c.from_stage and c.from_stage.slug, c.to_stage.slug, c.changed_by) for c in deal.stage_changes.all()]
    assert moves == [
        (None, "discovery", None),
        ("discovery", "qualification", rep),
        ("qualification", "discovery", rep),
    ]


@pytest.mark.parametrize("to_slug", ["proposal", "negotiation", "won", "lost"])
def test_a_deal_cannot_skip_stages_or_close_through_a_move(rep, to_slug):
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.move_deal(deal_id=deal.pk, to_stage_id=stage(to_slug).pk, by=rep, expected_version=1)
    assert snapshot(deal) == before


def test_a_deal_cannot_be_won_straight_from_discovery(rep):
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("5000"), by=rep, expected_version=1)
    assert snapshot(deal) == before


def test_a_deal_cannot_move_to_a_stage_of_another_pipeline(rep):
    partners = Pipeline.objects.create(name="Partners")
    foreign = Stage.objects.create(pipeline=partners, name="Intro", slug="intro", order=1, probability=10)
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(ValidationError) as error:
        services.move_deal(deal_id=deal.pk, to_stage_id=foreign.pk, by=rep, expected_version=1)
    assert "stage" in error.value.message_dict
    assert snapshot(deal) == before


def test_a_move_from_a_stale_version_is_a_conflict_and_changes_nothing(rep):
    deal = deal_at(rep, "qualification")  # version 2
    before = snapshot(deal)
    with pytest.raises(DealConflict):
        services.move_deal(deal_id=deal.pk, to_stage_id=stage("proposal").pk, by=rep, expected_version=1)
    assert snapshot(deal) == before


# --- closing ----------------------------------------------------------------------------


def test_a_deal_is_won_from_negotiation_with_its_confirmed_amount(rep):
    deal = deal_at(rep, "negotiation")
    version = deal.version
    services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("12500.50"), by=rep, expected_version=version)
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.amount, deal.version, deal.lost_reason) == (
        "won",
        Decimal("12500.50"),
        version + 1,
        "",
    )
    assert deal.closed_at is not None
    last = deal.stage_changes.last()
    assert (last.from_stage.slug, last.to_stage.slug, last.changed_by) == ("negotiation", "won", rep)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_losing_a_deal_needs_a_reason(rep, reason):
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(ValidationError) as error:
        services.close_deal(deal_id=deal.pk, won=False, lost_reason=reason, by=rep, expected_version=1)
    assert "lost_reason" in error.value.message_dict
    assert snapshot(deal) == before


@pytest.mark.parametrize("slug", OPEN_SLUGS)
def test_a_deal_may_be_lost_from_any_open_stage(rep, slug):
    deal = deal_at(rep, slug)
    services.close_deal(
        deal_id=deal.pk, won=False, lost_reason="  Chose a competitor ", by=rep, expected_version=deal.version
    )
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.lost_reason) == ("lost", "Chose a competitor")
    assert deal.closed_at is not None


def test_a_negative_amount_is_refused_on_close(rep):
    deal = deal_at(rep, "negotiation")
    before = snapshot(deal)
    with pytest.raises(ValidationError) as error:
        services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("-1"), by=rep, expected_version=deal.version)
    assert "amount" in error.value.message_dict
    assert snapshot(deal) == before


@pytest.mark.parametrize("won", [True, False])
def test_a_closed_deal_cannot_be_closed_again(rep, won):
    deal = deal_at(rep, "negotiation")
    deal = services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("100"), by=rep, expected_version=deal.version)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.close_deal(deal_id=deal.pk, won=won, lost_reason="Bad timing", by=rep, expected_version=deal.version)
    assert snapshot(deal) == before


def test_a_closed_deal_cannot_be_moved(rep):
    deal = new_deal(rep)
    deal = services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.move_deal(deal_id=deal.pk, to_stage_id=stage("discovery").pk, by=rep, expected_version=deal.version)
    assert snapshot(deal) == before


def test_a_closed_deal_cannot_be_edited_until_it_is_reopened(rep):
    deal = deal_at(rep, "negotiation")
    deal = services.close_deal(deal_id=deal.pk, won=True, amount=Decimal("900"), by=rep, expected_version=deal.version)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal("5"))
    assert snapshot(deal) == before


# --- reopening --------------------------------------------------------------------------


def test_a_salesperson_may_not_reopen_a_closed_deal(rep):
    deal = new_deal(rep)
    deal = services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    before = snapshot(deal)
    with pytest.raises(PermissionDenied):
        services.reopen_deal(deal_id=deal.pk, by=rep, expected_version=deal.version)
    assert snapshot(deal) == before


def test_a_manager_reopens_a_lost_deal_in_the_stage_it_was_lost_from(rep, manager):
    deal = deal_at(rep, "qualification")
    deal = services.close_deal(
        deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=deal.version
    )
    version = deal.version
    services.reopen_deal(deal_id=deal.pk, by=manager, expected_version=version)
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.closed_at, deal.lost_reason, deal.version) == ("qualification", None, "", version + 1)
    last = deal.stage_changes.last()
    assert (last.from_stage.slug, last.to_stage.slug, last.changed_by) == ("lost", "qualification", manager)


def test_a_manager_reopens_a_won_deal_in_negotiation(rep, manager):
    deal = deal_at(rep, "negotiation")
    deal = services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=deal.version)
    services.reopen_deal(deal_id=deal.pk, by=manager, expected_version=deal.version)
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.closed_at) == ("negotiation", None)


def test_reopening_an_open_deal_is_refused(rep, manager):
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(StageMoveNotAllowed):
        services.reopen_deal(deal_id=deal.pk, by=manager, expected_version=1)
    assert snapshot(deal) == before


# --- editing ----------------------------------------------------------------------------


def test_update_deal_edits_the_deals_own_fields_and_bumps_the_version(rep):
    deal = new_deal(rep)
    close_on = timezone.localdate() + datetime.timedelta(days=30)
    services.update_deal(
        deal_id=deal.pk,
        by=rep,
        expected_version=1,
        title="Analytical Engines — 40 seats",
        amount=Decimal("40000"),
        expected_close=close_on,
        contact_phone="+44 20 7946 0000",
    )
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.expected_close, deal.contact_phone, deal.version) == (
        "Analytical Engines — 40 seats",
        Decimal("40000"),
        close_on,
        "+44 20 7946 0000",
        2,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner_id": 999}, "owner_id"),
        ({"stage": None}, "stage"),
        ({"closed_at": timezone.now()}, "closed_at"),
        ({"version": 99}, "version"),
        ({"amount": Decimal("-0.01")}, "amount"),
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"amount": Decimal("12345678901.99")}, "amount"),
    ],
)
def test_update_deal_refuses_fields_it_does_not_own_and_bad_values(rep, changes, field):
    deal = new_deal(rep)
    before = snapshot(deal)
    with pytest.raises(ValidationError) as error:
        services.update_deal(deal_id=deal.pk, by=rep, expected_version=1, **changes)
    assert field in error.value.message_dict
    assert snapshot(deal) == before
    assert Deal.objects.get(pk=deal.pk).owner == rep


def test_update_deal_from_a_stale_version_is_a_conflict(rep):
    deal = new_deal(rep)
    services.update_deal(deal_id=deal.pk, by=rep, expected_version=1, title="First edit")
    with pytest.raises(DealConflict):
        services.update_deal(deal_id=deal.pk, by=rep, expected_version=1, title="Lost update")
    deal.refresh_from_db()
    assert (deal.title, deal.version) == ("First edit", 2)


# --- signals ------------------------------------------------------------------------------


def test_moves_and_reopens_announce_deal_stage_changed_and_closes_announce_deal_closed(rep, manager, received):
    deal = new_deal(rep)
    assert received == []  # opening is not a stage change anyone needs to hear about
    deal = services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=rep, expected_version=1)
    deal = services.close_deal(deal_id=deal.pk, won=False, lost_reason="Not a fit", by=rep, expected_version=2)
    services.reopen_deal(deal_id=deal.pk, by=manager, expected_version=3)
    assert received == [
        ("deal_stage_changed", deal.pk),
        ("deal_closed", deal.pk),
        ("deal_stage_changed", deal.pk),
    ]


def test_refused_changes_announce_nothing(rep, received):
    deal = new_deal(rep)
    for refused in (
        lambda: services.move_deal(deal_id=deal.pk, to_stage_id=stage("proposal").pk, by=rep, expected_version=1),
        lambda: services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=rep, expected_version=7),
        lambda: services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=1),
        lambda: services.close_deal(deal_id=deal.pk, won=False, by=rep, expected_version=1),
    ):
        with pytest.raises((StageMoveNotAllowed, DealConflict, ValidationError)):
            refused()
    assert received == []


# --- availability -------------------------------------------------------------------------


def test_an_away_rep_gets_no_offers_until_the_date_they_are_back(rep, teammate):
    today = timezone.localdate()
    back_on = today + datetime.timedelta(days=7)
    services.set_availability(user_id=rep.pk, status=SalesRep.Status.AWAY, away_until=back_on)
    available = SalesRep.objects.available

    assert set(available().values_list("user", flat=True)) == {teammate.pk}
    assert rep.pk not in available(on=back_on).values_list("user", flat=True)
    assert rep.pk in available(on=back_on + datetime.timedelta(days=1)).values_list("user", flat=True)


def test_an_away_rep_without_a_date_stays_away_until_they_come_back(rep):
    services.set_availability(user_id=rep.pk, status=SalesRep.Status.AWAY)
    far = timezone.localdate() + datetime.timedelta(days=365)
    assert not SalesRep.objects.available(on=far).filter(user=rep).exists()
    services.set_availability(user_id=rep.pk, status=SalesRep.Status.ACTIVE, away_until=far)
    rep.sales_rep.refresh_from_db()
    assert (rep.sales_rep.status, rep.sales_rep.away_until) == (SalesRep.Status.ACTIVE, None)
    assert SalesRep.objects.available().filter(user=rep).exists()


def test_availability_refuses_an_unknown_status(rep):
    with pytest.raises(ValidationError) as error:
        services.set_availability(user_id=rep.pk, status="on_the_beach")
    assert "status" in error.value.message_dict
    assert SalesRep.objects.get(user=rep).status == SalesRep.Status.ACTIVE


def test_an_inactive_user_is_never_available(rep):
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert not SalesRep.objects.available().filter(user=rep).exists()


def test_stage_history_is_kept_for_every_change(rep):
    deal = deal_at(rep, "negotiation")
    assert DealStageChange.objects.filter(deal=deal).count() == 4
