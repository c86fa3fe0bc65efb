"""The weekly digest: last week's numbers to every marketer, once a week however often it runs."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from insights import scorecards
from insights.models import DigestSent
from insights.reports import digest
from tests import factories
from tests.handoff.factories import decided_deal, rejected

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_week(team, rep):
    """A lead won and one rejected, both in the previous calendar week."""
    monday = digest.week_start(timezone.localdate()) - datetime.timedelta(days=7)
    moment = timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=2), datetime.time(10)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        decided_deal(rep, won=True, amount=2500, email="won@a.example", source="webinar")
        rejected(rep, reason="no_need", email="no@b.example", source="webinar")
    scorecards.rebuild_all()
    return monday


def test_each_marketer_gets_last_weeks_digest_once(marketer, last_week):
    other = factories.marketer(username="mo")
    assert digest.send_weekly_digests() == 2
    assert digest.send_weekly_digests() == 0  # the daily run later in the week
    assert sorted(message.to[0] for message in mail.outbox) == sorted([marketer.email, other.email])
    body = mail.outbox[0].body
    assert "2 MQLs handed over, 2 offers" in body
    assert "1 accepted, 1 rejected" in body
    assert "1 deal won, 2,500 in revenue" in body
    assert "No need: 1" in body
    assert "Webinar: 50.0% of leads handed to sales won" in body
    assert DigestSent.objects.filter(week_starts=last_week).count() == 2


def test_a_failed_send_is_retried_by_the_next_run(marketer, last_week):
    with mock.patch("insights.reports.digest.send_mail", side_effect=OSError("mail server down")):
        assert digest.send_weekly_digests() == 0
    assert not DigestSent.objects.exists()
    assert digest.send_weekly_digests() == 1
    assert len(mail.outbox) == 1


def test_salespeople_get_no_digest(rep, last_week):
    assert digest.send_weekly_digests() == 0
    assert mail.outbox == []


def test_a_new_week_sends_a_new_digest(marketer, last_week):
    digest.send_weekly_digests()
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    assert digest.send_weekly_digests(today=next_week) == 1
    assert DigestSent.objects.filter(user=marketer).count() == 2
