"""Editing a deal on its page (optimistic locking, clear conflicts) and handing it to another owner."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import Activity, Deal
from tests import factories
from tests.sales.helpers import logged_in, open_deal_for, walk_to

pytestmark = pytest.mark.django_db


def form(deal: Deal, **changes) -> dict:
    data = {
        "version": deal.version,
        "title": deal.title,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
        "contact_name": deal.contact_name,
        "contact_email": deal.contact_email,
        "contact_phone": deal.contact_phone,
        "company": deal.company,
    }
    return {**data, **changes}


def saved(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return deal.version, deal.title, deal.amount, deal.currency, deal.expected_close, deal.contact_email, deal.owner_id


@pytest.fixture
def deal(rep):
    return open_deal_for(rep, contact_name="Ada Lovelace", contact_email="ada@analytical.example")


def test_editing_amount_expected_close_and_contact_saves_them(rep, deal):
    close_on = timezone.localdate() + datetime.timedelta(days=40)
    response = logged_in(rep).post(
        reverse("sales:deal-edit", args=[deal.pk]),
        form(
            deal, amount="42000", currency="eur", expected_close=close_on.isoformat(), contact_email="ada@new.example"
        ),
    )
    assert response.status_code == 303
    assert saved(deal)[:6] == (2, deal.title, Decimal("42000"), "EUR", close_on, "ada@new.example")


def test_the_second_of_two_edits_from_the_same_version_gets_a_clear_conflict_and_nothing_is_lost(rep, manager, deal):
    first, second = logged_in(rep), logged_in(manager)
    assert first.post(reverse("sales:deal-edit", args=[deal.pk]), form(deal, amount="1000")).status_code == 303
    response = second.post(reverse("sales:deal-edit", args=[deal.pk]), form(deal, amount="2000", title="Renamed"))
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.text
    assert "Not saved:" in response.text and "Renamed" in response.text  # what they typed is listed, not lost
    assert response.context["edit_form"]["version"].value() == 2  # the form now holds what is saved
    assert saved(deal)[:3] == (2, deal.title, Decimal("1000"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"currency": "DOLLARS"}, "currency"),
        ({"currency": "12$"}, "currency"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"expected_close": "2025-02-30"}, "expected_close"),
        ({"contact_email": "not an email"}, "contact_email"),
    ],
)
def test_bad_input_is_a_bad_request_naming_the_field_and_nothing_changes(rep, deal, changes, field):
    before = saved(deal)
    response = logged_in(rep).post(reverse("sales:deal-edit", args=[deal.pk]), form(deal, **changes))
    assert response.status_code == 400
    assert response.context["edit_form"].errors[field]
    assert saved(deal) == before


def test_an_edit_cannot_sneak_in_the_owner_or_stage(rep, teammate, deal):
    before = saved(deal)
    logged_in(rep).post(
        reverse("sales:deal-edit", args=[deal.pk]), form(deal, owner=teammate.pk, stage=99, version=deal.version)
    )
    assert saved(deal) == before  # nothing changed, so no new version either


def test_saving_an_unchanged_form_writes_nothing(rep, deal):
    client = logged_in(rep)
    response = client.post(reverse("sales:deal-edit", args=[deal.pk]), form(deal))
    assert response.status_code == 303
    assert saved(deal)[0] == 1


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_another_salesperson_cannot_edit_the_deal(request, deal, persona):
    before = saved(deal)
    response = logged_in(request.getfixturevalue(persona)).post(
        reverse("sales:deal-edit", args=[deal.pk]), form(deal, amount="9")
    )
    assert response.status_code == 404
    assert saved(deal) == before


def test_a_closed_deal_is_not_editable(rep, deal):
    closed = services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    before = saved(closed)
    response = logged_in(rep).post(reverse("sales:deal-edit", args=[deal.pk]), form(closed, amount="9"))
    assert response.status_code == 409
    assert "must reopen it" in response.text
    assert saved(closed) == before


# --- changing the owner --------------------------------------------------------------------


def test_the_manager_hands_a_deal_and_its_open_activities_to_a_teammate(rep, teammate, manager, deal):
    due = timezone.now() + datetime.timedelta(days=1)
    todo = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call", due_at=due)
    done = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Old call", done=True)
    response = logged_in(manager).post(
        reverse("sales:deal-reassign", args=[deal.pk]), {"owner": teammate.pk, "version": 1}
    )
    assert response.status_code == 303
    deal.refresh_from_db()
    assert (deal.owner, deal.team, deal.version) == (teammate, teammate.sales_rep.team, 2)
    assert Activity.objects.get(pk=todo.pk).owner == teammate
    assert Activity.objects.get(pk=done.pk).owner == rep  # history stays with who did it


def test_a_salesperson_may_not_change_the_owner(rep, teammate, deal):
    before = saved(deal)
    response = logged_in(rep).post(reverse("sales:deal-reassign", args=[deal.pk]), {"owner": teammate.pk, "version": 1})
    assert response.status_code == 403
    assert saved(deal) == before
    assert "Change owner" not in logged_in(rep).get(reverse("sales:deal-detail", args=[deal.pk])).text


def test_a_manager_may_not_hand_a_deal_to_someone_outside_their_teams(rep, manager, stranger, deal):
    before = saved(deal)
    response = logged_in(manager).post(
        reverse("sales:deal-reassign", args=[deal.pk]), {"owner": stranger.pk, "version": 1}
    )
    assert response.status_code == 400
    assert saved(deal) == before


def test_another_teams_manager_cannot_reassign_our_deal(deal, other_team, stranger):
    olga = factories.sales_manager(other_team, username="olga")
    before = saved(deal)
    response = logged_in(olga).post(
        reverse("sales:deal-reassign", args=[deal.pk]), {"owner": stranger.pk, "version": 1}
    )
    assert response.status_code == 404
    assert saved(deal) == before


def test_reassigning_from_a_stale_page_is_a_conflict(rep, teammate, manager, deal):
    services.update_deal(deal_id=deal.pk, by=rep, expected_version=1, amount=Decimal("5"))
    before = saved(deal)
    response = logged_in(manager).post(
        reverse("sales:deal-reassign", args=[deal.pk]), {"owner": teammate.pk, "version": 1}
    )
    assert response.status_code == 409
    assert saved(deal) == before


def test_an_admin_may_hand_a_deal_to_any_salesperson(rep, stranger, admin_user, deal):
    services.reassign_deal(deal_id=deal.pk, owner_id=stranger.pk, by=admin_user, expected_version=1)
    deal.refresh_from_db()
    assert (deal.owner, deal.team) == (stranger, stranger.sales_rep.team)


# --- the page ---------------------------------------------------------------------------------


def test_the_deal_page_shows_time_in_each_stage(rep, deal):
    deal = walk_to(deal, "qualification", rep)
    response = logged_in(rep).get(reverse("sales:deal-detail", args=[deal.pk]))
    assert [entry["stage"].slug for entry in response.context["time_in_stage"]] == ["discovery", "qualification"]
    assert "Time in each stage" in response.text


def test_the_deal_page_costs_the_same_queries_with_many_activities_notes_and_moves(rep, manager, deal):
    client = logged_in(manager)
    url = reverse("sales:deal-detail", args=[deal.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        services.log_activity(
            deal_id=deal.pk, by=rep, kind="call", subject=f"Call {i}", done=i % 2 == 0, due_at=timezone.now()
        )
        services.add_note(deal_id=deal.pk, by=rep, body=f"Note {i}")
        deal = (
            walk_to(deal, "qualification", rep)
            if i % 2 == 0
            else services.move_deal(
                deal_id=deal.pk,
                to_stage_id=deal.pipeline.stages.get(slug="discovery").pk,
                by=rep,
                expected_version=deal.version,
            )
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
