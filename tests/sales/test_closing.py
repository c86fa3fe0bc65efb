"""Closing a deal: won with the confirmed amount and date, lost with a reason from the managed list,
and sales' rating of the lead that handoff passes on to marketing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import Deal, LostReason
from tests.sales.helpers import deal_at, logged_in, open_deal_for

pytestmark = pytest.mark.django_db


def row(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return (
        deal.stage.slug,
        deal.version,
        deal.amount,
        deal.closed_at,
        deal.lost_reason,
        deal.lost_note,
        deal.lead_rating,
    )


def test_winning_records_the_rating_of_the_lead(rep):
    deal = deal_at(rep, "negotiation")
    services.close_deal(
        deal_id=deal.pk, won=True, amount=Decimal("900"), rating=5, by=rep, expected_version=deal.version
    )
    assert Deal.objects.get(pk=deal.pk).lead_rating == 5


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(rep, rating):
    deal = deal_at(rep, "negotiation")
    before = row(deal)
    with pytest.raises(ValidationError) as error:
        services.close_deal(deal_id=deal.pk, won=True, rating=rating, by=rep, expected_version=deal.version)
    assert "rating" in error.value.message_dict
    assert row(deal) == before


def test_the_database_refuses_a_rating_outside_one_to_five(rep):
    from django.db import IntegrityError, transaction

    deal = open_deal_for(rep)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(lead_rating=9)


def test_losing_takes_the_reason_from_the_list_and_keeps_the_note_apart(rep):
    deal = deal_at(rep, "proposal")
    services.close_deal(
        deal_id=deal.pk,
        won=False,
        lost_reason="chose a COMPETITOR",
        lost_note=" Went with HubSpot ",
        rating=3,
        by=rep,
        expected_version=deal.version,
    )
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.lost_reason, deal.lost_note, deal.lead_rating) == (
        "lost",
        "Chose a competitor",
        "Went with HubSpot",
        3,
    )


@pytest.mark.parametrize("reason", ["", "  ", "Because", "Chose a competitor!"])
def test_losing_without_a_reason_from_the_list_is_refused(rep, reason):
    deal = open_deal_for(rep)
    before = row(deal)
    with pytest.raises(ValidationError) as error:
        services.close_deal(deal_id=deal.pk, won=False, lost_reason=reason, by=rep, expected_version=1)
    assert "lost_reason" in error.value.message_dict
    assert row(deal) == before


def test_a_retired_reason_can_no_longer_be_chosen(rep):
    services.active_lost_reasons()  # the defaults
    LostReason.objects.filter(name="Bad timing").update(is_active=False)
    deal = open_deal_for(rep)
    with pytest.raises(ValidationError):
        services.close_deal(deal_id=deal.pk, won=False, lost_reason="Bad timing", by=rep, expected_version=1)
    assert "Bad timing" not in {reason.name for reason in services.active_lost_reasons()}


def test_the_default_reasons_come_back_in_an_emptied_database(rep):
    LostReason.objects.all().delete()  # as a flushed test database would be
    assert "Chose a competitor" in {reason.name for reason in services.active_lost_reasons()}


def test_winning_on_an_earlier_day_records_that_day(rep):
    deal = deal_at(rep, "negotiation")
    day = timezone.localdate() - datetime.timedelta(days=3)
    response = logged_in(rep).post(
        reverse("sales:deal-won", args=[deal.pk]),
        {"amount": "5000", "closed_on": day.isoformat(), "version": deal.version},
    )
    assert response.status_code == 303
    assert timezone.localdate(Deal.objects.get(pk=deal.pk).closed_at) == day


def test_winning_in_the_future_is_a_bad_request(rep):
    deal = deal_at(rep, "negotiation")
    before = row(deal)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = logged_in(rep).post(
        reverse("sales:deal-won", args=[deal.pk]),
        {"amount": "5000", "closed_on": tomorrow.isoformat(), "version": deal.version},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.text
    assert row(deal) == before


def test_the_service_refuses_a_close_time_in_the_future_too(rep):
    deal = deal_at(rep, "negotiation")
    with pytest.raises(ValidationError) as error:
        services.close_deal(
            deal_id=deal.pk,
            won=True,
            by=rep,
            expected_version=deal.version,
            closed_at=timezone.now() + datetime.timedelta(days=2),
        )
    assert "closed_at" in error.value.message_dict


def test_the_lost_form_offers_the_active_reasons_and_records_reason_note_and_rating(rep):
    deal = open_deal_for(rep)
    client = logged_in(rep)
    page = client.get(reverse("sales:deal-detail", args=[deal.pk]))
    choices = [label for _value, label in page.context["lost_form"].fields["lost_reason"].choices]
    assert choices[:3] == ["Choose…", "Chose a competitor", "No budget"]
    response = client.post(
        reverse("sales:deal-lost", args=[deal.pk]),
        {"lost_reason": "No budget", "lost_note": "Frozen until Q3", "rating": "2", "version": 1},
    )
    assert response.status_code == 303
    assert row(deal)[4:] == ("No budget", "Frozen until Q3", 2)


@pytest.mark.parametrize("rating", ["0", "6", "abc", "4.5"])
def test_the_close_forms_refuse_a_bad_rating(rep, rating):
    deal = deal_at(rep, "negotiation")
    before = row(deal)
    response = logged_in(rep).post(
        reverse("sales:deal-won", args=[deal.pk]), {"amount": "10", "rating": rating, "version": deal.version}
    )
    assert response.status_code == 400
    assert response.context["won_form"].errors["rating"]
    assert row(deal) == before


def test_a_reason_that_is_not_on_the_list_is_a_bad_request_from_the_page(rep):
    deal = open_deal_for(rep)
    before = row(deal)
    response = logged_in(rep).post(
        reverse("sales:deal-lost", args=[deal.pk]), {"lost_reason": "They smelled", "version": 1}
    )
    assert response.status_code == 400
    assert response.context["lost_form"].errors["lost_reason"]
    assert row(deal) == before


def test_the_closed_page_shows_the_reason_note_and_rating(rep):
    deal = open_deal_for(rep)
    services.close_deal(
        deal_id=deal.pk,
        won=False,
        lost_reason="Price too high",
        lost_note="<b>20% over</b>",
        rating=4,
        by=rep,
        expected_version=1,
    )
    page = logged_in(rep).get(reverse("sales:deal-detail", args=[deal.pk])).text
    assert "Reason: Price too high — &lt;b&gt;20% over&lt;/b&gt;" in page
    assert "Lead rated 4 of 5" in page
