"""The SLA clock: due in the team's working time, reminded once at half time, and on breach
expired once, escalated once and offered to the next rep — with the clock moved by hand."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import Handoff, Offer
from insights.reports.sla import offer_metrics, two_sided_report
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import at, team_hours

pytestmark = pytest.mark.django_db

BREACH = "Lead offer breached its SLA"
REMINDER = "Reminder: a lead is waiting for your answer"


def offered_at(moment: datetime.datetime, **capture) -> Handoff:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return factories.offered(**capture)


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_the_deadline_counts_only_the_teams_working_hours(team, rep, manager):
    team_hours(team, manager=manager, time_zone="Europe/Berlin", sla_minutes=120)
    handoff = offered_at(at("2026-03-13T15:30"))  # Friday 16:30 in Berlin: 30 minutes left today
    offer = handoff.offers.get()
    assert handoff.due_at == offer.due_at == at("2026-03-16T09:30")  # Monday 10:30 Berlin
    assert offer.remind_at == at("2026-03-16T08:30")  # half of 120 working minutes: Monday 09:30


def test_a_team_without_settings_keeps_the_default_wall_clock_sla(settings, team, rep):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 30
    handoff = offered_at(at("2026-03-14T23:50"))  # a Saturday night
    assert handoff.due_at == at("2026-03-15T00:20")


def test_the_assignee_is_reminded_once_at_half_time(team, rep, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    handoff = offered_at(at("2026-03-10T10:00"))
    mail.outbox.clear()
    assert services.send_reminders(now=at("2026-03-10T10:29")) == 0
    assert services.send_reminders(now=at("2026-03-10T10:30")) == 1
    assert services.send_reminders(now=at("2026-03-10T10:45")) == 0
    assert subjects() == [REMINDER]
    assert mail.outbox[0].to == [rep.email]
    assert f"handoff #{handoff.pk}" in mail.outbox[0].body


def test_an_answered_offer_is_not_reminded(team, rep):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    mail.outbox.clear()
    assert services.send_reminders(now=handoff.due_at - datetime.timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_a_breach_expires_once_escalates_once_and_re_offers_once(
    team, rep, teammate, manager, django_capture_on_commit_callbacks
):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    handoff = offered_at(at("2026-03-10T10:00"))
    first = handoff.assignee
    mail.outbox.clear()
    late = at("2026-03-10T11:01")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.sweep_offers(now=late)
        again = services.sweep_offers(now=late + datetime.timedelta(minutes=1))
    assert (report.expired, again.expired) == (1, 0)
    handoff.refresh_from_db()
    offers = list(handoff.offers.order_by("id"))
    assert [offer.state for offer in offers] == [Offer.State.EXPIRED, Offer.State.OPEN]
    assert offers[1].assignee not in (first, None)
    assert (handoff.state, handoff.assignee, handoff.due_at) == (
        Handoff.State.OFFERED,
        offers[1].assignee,
        late + datetime.timedelta(minutes=60),
    )
    breaches = [message for message in mail.outbox if message.subject == BREACH]
    assert [message.to for message in breaches] == [[manager.email]]
    assert f"Handoff #{handoff.pk} was not answered in time" in breaches[0].body
    assert (first.get_full_name() or first.username) in breaches[0].body


def test_the_sweep_leaves_offers_inside_their_sla_alone(team, rep, manager):
    handoff = factories.offered()
    assert services.sweep_offers(now=handoff.due_at - datetime.timedelta(seconds=1)).expired == 0
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED


def test_answers_store_their_working_minutes_and_feed_the_metrics(team, rep, teammate, manager):
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    answered = []
    for minutes, email in [(10, "a@a.example"), (30, "b@b.example"), (90, "c@c.example")]:
        handoff = offered_at(at("2026-03-10T10:00"), email=email)
        with mock.patch("django.utils.timezone.now", return_value=at("2026-03-10T10:00") + datetime.timedelta(
            minutes=minutes
        )):  # fmt: skip
            services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
        answered.append(handoff)
    late = offered_at(at("2026-03-10T10:00"), email="d@d.example")
    services.expire_overdue_offers(now=at("2026-03-10T12:00"))
    metrics = offer_metrics(Offer.objects.filter(handoff__team=team))
    assert (metrics.offers, metrics.accepted, metrics.breaches, metrics.within_sla) == (4, 3, 1, 2)
    assert (metrics.median_accept_minutes, metrics.within_pct, metrics.open_now) == (30, 50.0, 1)
    assert Offer.objects.get(handoff=late, state=Offer.State.EXPIRED).response_minutes is None


def test_the_two_sided_report_compares_marketings_commitment_and_the_teams_sla(team, rep, manager, marketer):
    services.save_commitment(by=marketer, month=timezone.localdate(), mqls_per_month=2)
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60, target_percent=50)
    for n in range(3):
        handoff = factories.offered(email=f"lead{n}@corp{n}.example")
    services.accept_offer(handoff_id=handoff.pk, by=rep)
    this_month = two_sided_report(months=2)[-1]
    assert (this_month.mqls, this_month.mqls_met, this_month.mql_pct) == (3, True, 150.0)
    assert (this_month.answered, this_month.within_sla, this_month.offers_ended) == (1, 1, 1)
    assert (this_month.target_percent, this_month.response_met) == (50, True)
    assert two_sided_report(months=2)[0].commitment is None


@pytest.fixture
def moved_on(team, rep, teammate, manager) -> tuple[Handoff, object]:
    """An offer the SLA sweep took from its first rep and gave to the other: (handoff, first rep)."""
    team_hours(team, manager=manager, days=range(7), starts="00:00", ends="00:00", sla_minutes=60)
    handoff = offered_at(at("2026-03-10T10:00"))
    first = handoff.assignee
    services.sweep_offers(now=at("2026-03-10T11:01"))
    return handoff, first


def test_accepting_an_offer_the_sweep_just_moved_on_is_a_conflict_that_says_so(moved_on):
    handoff, too_late = moved_on

    response = logged_in(too_late).post(reverse("handoff:offer-accept", args=[handoff.pk]))

    assert response.status_code == 409
    assert "expired and went to someone else" in response.content.decode()
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.OFFERED and handoff.assignee not in (too_late, None)
    assert handoff.deal_id is None


def test_with_htmx_the_moved_on_offers_card_says_so_in_place(moved_on):
    handoff, too_late = moved_on

    response = logged_in(too_late).post(
        reverse("handoff:offer-reject", args=[handoff.pk]), {"reason": "bad_fit"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert f'id="offer-{handoff.pk}"' in body and "expired and went to someone else" in body
    assert handoff.lead.email not in body  # a teammate's offer now: no brief for this rep
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED


def test_the_api_answers_a_moved_on_accept_with_a_409_too(moved_on):
    handoff, too_late = moved_on

    response = logged_in(too_late).post(
        reverse("handoff-api:offer-accept", args=[handoff.pk]), {}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == services.MOVED_ON
