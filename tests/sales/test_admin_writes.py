"""The Django admin writes deals, reasons, pipelines and availability through sales.services, with
their rules: a refused change shows the service's words on the form and leaves the row as it was;
what a service owns cannot be changed, added or deleted there, not even by a forged POST."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales import services
from sales.models import (
    Activity,
    AssetSend,
    Deal,
    DealStageChange,
    LostReason,
    Note,
    Pipeline,
    SalesRep,
    Stage,
    StageTransition,
)
from sales.services.deals import EDITABLE_FIELDS
from tests import factories
from tests.leadflow.admin_pages import change_form, errors, links
from tests.sales.helpers import deal_at, logged_in, open_deal_for

pytestmark = pytest.mark.django_db

CLOSED_MESSAGE = "This deal is closed; a manager must reopen it before it can be edited."
STALE_MESSAGE = "Someone else changed this deal while you were editing it. Reload to see their changes."


def row(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return (
        deal.version, deal.pipeline_id, deal.stage_id, deal.owner_id, deal.team_id, deal.title, deal.amount,
        deal.closed_at, deal.lost_reason, deal.lead_rating, deal.stage_changes.count(),
    )  # fmt: skip


def deal_form(client, deal: Deal):
    """The deal's change form, reached as an admin does: the deals list, then the deal's link."""
    changelist = client.get(reverse("admin:sales_deal_changelist"))
    return change_form(client, links(changelist)[deal.title])


@pytest.fixture
def admin(admin_user):
    return logged_in(admin_user)


@pytest.fixture
def deal(rep):
    return deal_at(rep, "qualification", contact_name="Ada Lovelace")


def test_handing_a_deal_to_another_rep_in_the_admin_goes_through_reassign_deal(admin, deal, rep, stranger):
    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call back", due_at=deal.created_at)
    done = services.log_activity(deal_id=deal.pk, by=rep, kind="email", subject="Sent the deck", done=True)
    form = deal_form(admin, deal)

    response = admin.post(form.url, form.data(owner=form.option("owner", "stan")))

    assert response.status_code == 302, errors(response)
    saved = Deal.objects.get(pk=deal.pk)
    # What reassign_deal does and a plain save would not: the new owner's team, the open
    # activities handed over (the done one stays with who did it), the version bumped.
    assert (saved.owner, saved.team, saved.version) == (stranger, stranger.sales_rep.team, deal.version + 1)
    assert dict(Activity.objects.values_list("subject", "owner")) == {"Call back": stranger.pk, "Sent the deck": rep.pk}
    assert Activity.objects.get(pk=done.pk).owner == rep


def test_the_admin_offers_the_active_salespeople_as_owners(admin, deal, rep, teammate, stranger, manager):
    offered = {label for _value, label in deal_form(admin, deal).options["owner"]}
    assert {label.split("(")[-1].rstrip(")") for label in offered} == {"sam", "sara", "stan"}


def test_a_closed_deal_refuses_an_edit_in_the_admin_with_the_services_words(admin, rep):
    deal = deal_at(rep, "negotiation")
    deal = services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=deal.version)
    before = row(deal)
    form = deal_form(admin, deal)

    response = admin.post(form.url, form.data(amount="99000"))

    assert response.status_code == 200
    assert CLOSED_MESSAGE in errors(response)
    assert row(deal) == before


def test_reopening_in_the_admin_puts_the_deal_back_where_it_was_closed_from_then_takes_the_edit(admin, rep):
    deal = deal_at(rep, "proposal")
    deal = services.close_deal(
        deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=deal.version
    )
    form = deal_form(admin, deal)

    response = admin.post(form.url, form.data(reopen="on", amount="5000"))

    assert response.status_code == 302, errors(response)
    saved = Deal.objects.get(pk=deal.pk)
    assert (saved.stage.slug, saved.closed_at, saved.lost_reason, saved.amount) == ("proposal", None, "", 5000)


def test_an_open_deal_offers_no_reopen_and_a_closed_one_no_lost_reason(admin, rep):
    deal = deal_at(rep, "negotiation")
    assert {"why_lost", "stage"} <= deal_form(admin, deal).fields
    assert "reopen" not in deal_form(admin, deal).fields
    services.close_deal(deal_id=deal.pk, won=True, by=rep, expected_version=deal.version)
    assert "reopen" in deal_form(admin, deal).fields
    assert "why_lost" not in deal_form(admin, deal).fields


def test_moving_a_deal_in_the_admin_records_the_move_in_its_history(admin, admin_user, deal):
    form = deal_form(admin, deal)

    response = admin.post(form.url, form.data(stage=form.option("stage", "Proposal")))

    assert response.status_code == 302, errors(response)
    last = DealStageChange.objects.filter(deal=deal).last()
    assert (last.from_stage.slug, last.to_stage.slug, last.changed_by) == ("qualification", "proposal", admin_user)
    assert Deal.objects.get(pk=deal.pk).stage.slug == "proposal"


def test_a_move_the_pipeline_does_not_allow_is_refused_in_the_admin_with_its_reason(admin, deal):
    before = row(deal)
    form = deal_form(admin, deal)

    response = admin.post(form.url, form.data(stage=form.option("stage", "Won")))

    assert response.status_code == 200
    assert "A deal cannot move from Qualification to Won." in errors(response)
    assert row(deal) == before


def test_losing_a_deal_in_the_admin_needs_a_reason_from_the_list(admin, deal):
    before = row(deal)
    form = deal_form(admin, deal)
    lost = form.option("stage", "Lost")

    refused = admin.post(form.url, form.data(stage=lost))
    assert "Say why the deal was lost: choose a reason." in errors(refused)
    assert row(deal) == before

    response = admin.post(form.url, form.data(stage=lost, why_lost=form.option("why_lost", "Chose a competitor")))
    assert response.status_code == 302, errors(response)
    saved = Deal.objects.get(pk=deal.pk)
    assert (saved.stage.slug, saved.lost_reason, saved.closed_at is not None) == ("lost", "Chose a competitor", True)


def test_the_admin_cannot_point_a_deal_at_another_pipeline_or_its_stages(admin, deal):
    other = services.create_pipeline(name="Enterprise")
    before = row(deal)
    form = deal_form(admin, deal)
    assert "pipeline" not in form.fields

    response = admin.post(
        form.url,
        form.data(pipeline=other.pk, stage=other.stages.get(slug="proposal").pk),
    )

    assert response.status_code == 200
    assert "Choose a stage of this deal's pipeline." in errors(response)
    assert row(deal) == before


def test_a_forged_pipeline_alone_changes_nothing(admin, deal):
    other = services.create_pipeline(name="Enterprise")
    before = row(deal)
    form = deal_form(admin, deal)

    admin.post(form.url, form.data(pipeline=other.pk))

    assert row(deal) == before


def test_an_admin_form_opened_before_someone_else_saved_is_refused_and_their_save_stays(admin, deal, rep):
    form = deal_form(admin, deal)
    services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal("1200"))
    before = row(deal)

    response = admin.post(form.url, form.data(title="Renamed in the admin"))

    assert response.status_code == 200
    assert STALE_MESSAGE in errors(response)
    assert row(deal) == before


def test_an_amount_typed_into_a_stale_admin_form_is_refused_and_the_newer_amount_stays(admin, deal, rep):
    form = deal_form(admin, deal)
    services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal("1200"))
    before = row(deal)

    response = admin.post(form.url, form.data(amount="99000"))

    assert response.status_code == 200
    assert STALE_MESSAGE in errors(response)
    assert row(deal) == before
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1200")


def test_a_refused_step_takes_back_the_steps_before_it_in_the_same_save(admin, deal, stranger):
    before = row(deal)
    form = deal_form(admin, deal)

    # The owner would change first, then the move is refused: neither is kept.
    response = admin.post(form.url, form.data(owner=form.option("owner", "stan"), stage=form.option("stage", "Won")))

    assert response.status_code == 200
    assert row(deal) == before


def test_fields_the_services_own_ignore_a_forged_admin_post(admin, deal, other_team):
    before = row(deal)
    form = deal_form(admin, deal)

    admin.post(
        form.url,
        form.data(team=other_team.pk, closed_at="2026-01-05 10:00:00", lost_reason="Forged", lead_rating="5",
                  version=deal.version + 7),
    )  # fmt: skip

    assert row(deal) == before


def test_deals_are_neither_added_nor_deleted_in_the_admin(admin, deal):
    changelist = admin.get(reverse("admin:sales_deal_changelist"))
    assert not any(text.startswith("Add") for text in links(changelist))
    assert admin.post(reverse("admin:sales_deal_add"), {"title": "Forged"}).status_code == 403
    assert admin.post(reverse("admin:sales_deal_delete", args=[deal.pk]), {"post": "yes"}).status_code == 403
    assert Deal.objects.count() == 1


def test_retiring_the_last_active_lost_reason_in_the_admin_is_refused(admin):
    last = services.active_lost_reasons().last()
    LostReason.objects.exclude(pk=last.pk).update(is_active=False)
    changelist = admin.get(reverse("admin:sales_lostreason_changelist"))
    form = change_form(admin, links(changelist)[last.name])

    response = admin.post(form.url, form.data(is_active=None))

    assert "Keep at least one reason: losing a deal needs one." in errors(response)
    assert LostReason.objects.get(pk=last.pk).is_active


def test_a_lost_reason_added_in_the_admin_is_refused_when_it_exists_in_another_case(admin):
    services.active_lost_reasons()
    form = change_form(admin, links(admin.get(reverse("admin:sales_lostreason_changelist")))["Add lost reason"])

    response = admin.post(form.url, form.data(name="no BUDGET"))

    assert "That reason is already on the list." in errors(response)
    assert not LostReason.objects.filter(name="no BUDGET").exists()


def test_a_pipeline_added_in_the_admin_gets_the_default_stages_and_moves(admin):
    form = change_form(admin, links(admin.get(reverse("admin:sales_pipeline_changelist")))["Add pipeline"])

    response = admin.post(form.url, form.data(name="Renewals"))

    assert response.status_code == 302, errors(response)
    pipeline = Pipeline.objects.get(name="Renewals")
    assert list(pipeline.stages.values_list("slug", flat=True)) == [
        "discovery", "qualification", "proposal", "negotiation", "won", "lost",
    ]  # fmt: skip
    assert StageTransition.objects.filter(from_stage__pipeline=pipeline).exists()


def test_the_default_pipeline_stays_the_default_until_another_takes_over(admin):
    default = services.default_pipeline()
    form = change_form(admin, links(admin.get(reverse("admin:sales_pipeline_changelist")))[default.name])

    response = admin.post(form.url, form.data(is_default=None))

    assert "Make another pipeline the default instead: new deals need one." in errors(response)
    assert Pipeline.objects.get(pk=default.pk).is_default


def test_an_absence_that_ended_in_the_past_is_refused_in_the_admin(admin, rep):
    changelist = admin.get(reverse("admin:sales_salesrep_changelist"))
    form = change_form(admin, links(changelist)[rep.username])

    response = admin.post(form.url, form.data(status="away", away_until="2001-01-01"))

    assert "Pick today or a later date." in errors(response)
    assert SalesRep.objects.filter(pk=rep.sales_rep.pk, status="active", away_until=None).exists()


def test_a_rep_added_in_the_admin_away_since_the_past_is_refused(admin, team):
    newcomer = factories.UserFactory(username="nina")
    form = change_form(admin, links(admin.get(reverse("admin:sales_salesrep_changelist")))["Add sales rep"])

    response = admin.post(form.url, form.data(user=newcomer.pk, team=team.pk, status="away", away_until="2001-01-01"))

    assert "Pick today or a later date." in errors(response)
    assert not SalesRep.objects.filter(user=newcomer).exists()


def test_a_lost_reason_added_in_the_admin_goes_to_the_end_of_the_list(admin):
    last = services.active_lost_reasons().last()
    form = change_form(admin, links(admin.get(reverse("admin:sales_lostreason_changelist")))["Add lost reason"])

    response = admin.post(form.url, form.data(name="Merged with another deal"))

    assert response.status_code == 302, errors(response)
    assert list(services.active_lost_reasons())[-2:] == [last, LostReason.objects.get(name="Merged with another deal")]


@pytest.mark.parametrize("model", [Activity, Note, AssetSend, Stage, StageTransition, DealStageChange])
def test_rows_the_sales_services_write_are_read_only_in_the_admin(admin, deal, model):
    services.add_note(deal_id=deal.pk, by=deal.owner, body="Asked for a demo")
    services.log_activity(deal_id=deal.pk, by=deal.owner, kind="call", subject="Demo", done=True)
    services.mark_asset_sent(deal_id=deal.pk, asset_id=_asset(deal).pk, by=deal.owner)
    counted = model.objects.count()
    some = model.objects.first()
    name = f"admin:sales_{model._meta.model_name}"

    assert admin.post(reverse(f"{name}_add"), {}).status_code == 403
    assert admin.post(reverse(f"{name}_change", args=[some.pk]), {}).status_code == 403
    assert admin.post(reverse(f"{name}_delete", args=[some.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.count() == counted


def _asset(deal: Deal):
    stage = Deal.objects.get(pk=deal.pk).stage
    services.set_stage_playbook(
        stage_id=stage.pk, buyer_guidance="", exit_criteria="",
        assets=[{"title": "ROI sheet", "url": "https://example.com/roi"}],
    )  # fmt: skip
    return stage.assets.get()


def test_the_admin_deal_form_offers_every_field_update_deal_edits(admin, rep):
    assert EDITABLE_FIELDS | {"owner", "stage", "version"} <= deal_form(admin, open_deal_for(rep)).fields


def test_the_deal_page_in_the_admin_costs_the_same_queries_with_a_longer_history(admin, rep):
    def queries_for(deal: Deal) -> int:
        url = deal_form(admin, deal).url
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    short, long = deal_at(rep, "qualification"), deal_at(rep, "qualification", title="Difference Engines")
    for slug in ["proposal", "qualification", "proposal", "negotiation"]:
        long = services.move_deal(
            deal_id=long.pk, to_stage_id=long.pipeline.stages.get(slug=slug).pk, by=rep, expected_version=long.version
        )
    assert queries_for(long) == queries_for(short)
