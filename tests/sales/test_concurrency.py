"""Simultaneous work on one deal, on real PostgreSQL: threads behind a barrier, ten rounds each.

Two people saving the same deal page, two integrations patching it, two cards dropped at
once, a double-clicked "Mark done", two reminder sweeps: one wins, the other is told, and
nothing is lost or done twice.
"""

import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.errors import DealConflict
from sales.models import Activity, Deal, DealStageChange
from tests.integration.concurrently import run_together
from tests.sales.helpers import open_deal_for, stage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def client_for(user_id: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def edit_form(deal: Deal, amount: str) -> dict:
    return {
        "version": deal.version,
        "title": deal.title,
        "amount": amount,
        "currency": deal.currency,
        "expected_close": "",
        "contact_name": deal.contact_name,
        "contact_email": "",
        "contact_phone": "",
        "company": "",
    }


def test_two_people_saving_one_deal_page_at_once_one_saves_the_other_gets_a_conflict(rep, manager):
    for round_ in range(ROUNDS):
        deal = open_deal_for(rep, title=f"Deal {round_}")
        editors = [rep.pk, manager.pk]
        amounts = ["1111", "2222"]

        outcome = run_together(
            2,
            lambda client, deal=deal: client[0].post(
                reverse("sales:deal-edit", args=[deal.pk]), edit_form(deal, client[1])
            ),
            prepare=lambda i, editors=editors, amounts=amounts: (client_for(editors[i]), amounts[i]),
        )

        assert outcome.unexpected() == [], f"round {round_}"
        statuses = sorted(response.status_code for response in outcome.results)
        assert statuses == [303, 409], f"round {round_}: {statuses}"
        loser = next(response for response in outcome.results if response.status_code == 409)
        assert "Someone else changed this deal" in loser.text
        winner = outcome.results.index(next(r for r in outcome.results if r.status_code == 303))
        deal.refresh_from_db()
        assert (deal.version, deal.amount) == (2, Decimal(amounts[winner])), f"round {round_}"


def test_two_api_patches_from_one_etag_one_200_one_412(rep, manager):
    for round_ in range(ROUNDS):
        deal = open_deal_for(rep, title=f"Deal {round_}")
        users = [rep.pk, manager.pk]

        def patch(args, deal=deal):
            client, title = args
            return client.patch(
                reverse("sales-api:deal-detail", args=[deal.pk]),
                data=json.dumps({"title": title}),
                content_type="application/json",
                headers={"If-Match": '"1"'},
            )

        outcome = run_together(2, patch, prepare=lambda i, users=users: (client_for(users[i]), f"Title {i}"))

        assert outcome.unexpected() == [], f"round {round_}"
        assert Counter(r.status_code for r in outcome.results) == {200: 1, 412: 1}, f"round {round_}"
        winner = next(r for r in outcome.results if r.status_code == 200).json()["title"]
        deal.refresh_from_db()
        assert (deal.version, deal.title) == (2, winner)


def test_two_cards_dropped_at_once_move_the_deal_once(rep, manager):
    for round_ in range(ROUNDS):
        deal = open_deal_for(rep, title=f"Deal {round_}")
        users = [rep.pk, manager.pk]

        def drop(client, deal=deal):
            data = {"stage": stage("qualification").pk, "version": 1}
            return client.post(reverse("sales:board-move", args=[deal.pk]), data, headers={"HX-Request": "true"})

        outcome = run_together(2, drop, prepare=lambda i, users=users: client_for(users[i]))

        assert outcome.unexpected() == [], f"round {round_}"
        assert sorted(r.status_code for r in outcome.results) == [200, 409], f"round {round_}"
        assert DealStageChange.objects.filter(deal=deal).count() == 2  # opened + one move
        assert Deal.objects.get(pk=deal.pk).version == 2


def test_twenty_simultaneous_service_moves_from_one_version_make_one_move(rep):
    for round_ in range(ROUNDS):
        deal = open_deal_for(rep, title=f"Deal {round_}")
        to_stage = stage("qualification").pk

        outcome = run_together(
            20,
            lambda _i, deal=deal, to_stage=to_stage: services.move_deal(
                deal_id=deal.pk, to_stage_id=to_stage, by=rep, expected_version=1
            ),
        )

        assert outcome.unexpected(DealConflict) == [], f"round {round_}"
        assert len(outcome.successes) == 1, f"round {round_}"
        assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_a_double_clicked_mark_done_records_one_completion(rep, manager):
    for round_ in range(ROUNDS):
        deal = open_deal_for(rep, title=f"Deal {round_}")
        activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call", due_at=timezone.now())
        users = [rep.pk, manager.pk] * 5

        outcome = run_together(
            10,
            lambda user, activity=activity: services.complete_activity(activity_id=activity.pk, by=user),
            prepare=lambda i, users=users: User.objects.get(pk=users[i]),
        )

        assert outcome.unexpected() == [], f"round {round_}"
        assert len({result.done_at for result in outcome.results}) == 1, f"round {round_}"


def test_two_reminder_sweeps_at_once_send_each_reminder_once(rep):
    for round_ in range(ROUNDS):
        mail.outbox.clear()
        deal = open_deal_for(rep, title=f"Deal {round_}")
        due = timezone.now() + datetime.timedelta(minutes=5)
        for i in range(5):
            services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject=f"Call {round_}.{i}", due_at=due)

        outcome = run_together(2, lambda _i: services.send_due_reminders())

        assert outcome.unexpected() == [], f"round {round_}"
        assert sum(outcome.results) == 5, f"round {round_}: {outcome.results}"
        assert not Activity.objects.filter(deal=deal, reminded_at__isnull=True).exists()
