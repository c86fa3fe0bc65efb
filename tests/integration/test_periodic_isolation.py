"""Every periodic task isolates its items: one bad record is logged and skipped, every other
record is still processed, and the task returns normally (docs/RELIABILITY.md: periodic
jobs re-drive work from the database; one poisoned row must not stop them for everyone).

Each poison is real data that is genuinely inconsistent: a row the services would refuse
to write (written here with .update(), as a bug, an old version or a hand edit leaves it),
never a mock of our own code. Each test runs the beat task itself, as beat would.
"""

import datetime
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import send_mail
from django.db.models import Sum
from django.utils import timezone

from handoff import services as handoff_services
from handoff import tasks as handoff_tasks
from handoff.models import Handoff, Offer, TeamSettings
from insights import tasks as insights_tasks
from insights.dashboard import tasks as dashboard_tasks
from insights.dashboard.models import AttributionCell
from insights.models import Dimension, ScorecardDirty, ScorecardRow
from leadflow.outbox import tasks as outbox_tasks
from leadflow.outbox.models import OutboundEmail
from marketing import services as marketing_services
from marketing import tasks as marketing_tasks
from marketing.models import Lead, LeadImport, RescoreRun, Touchpoint
from marketing.services import imports as import_services
from marketing.services import scoring_rules
from sales import services as sales_services
from sales import tasks as sales_tasks
from sales.models import Activity
from tests import factories
from tests.handoff.factories import rule, team_hours

pytestmark = pytest.mark.django_db

PAST = datetime.timedelta(days=3)

# Every task beat runs, and the test below that runs it with a poisoned item. A task with no
# per-item work says so: a new beat task must be added here, with its poison.
COVERED = {
    "handoff.tasks.reconcile": "test_reconcile_skips_a_poisoned_lead_and_handoff_and_re_drives_the_rest",
    "handoff.tasks.expire_overdue_offers": "test_the_sla_sweep_skips_a_poisoned_offer_and_expires_the_rest",
    "marketing.tasks.score_unscored_leads": "test_scoring_skips_a_lead_no_rule_can_read_and_scores_the_rest",
    "marketing.tasks.resume_rescoring": "test_a_rescoring_run_skips_a_poisoned_lead_and_finishes",
    "marketing.tasks.rescore_for_fading": "test_a_rescoring_run_skips_a_poisoned_lead_and_finishes",
    "marketing.tasks.resume_imports": "test_the_import_sweep_discards_every_abandoned_upload_despite_a_poisoned_one",
    "leadflow.outbox.tasks.deliver_due_emails": "test_delivery_gives_up_a_poisoned_email_and_sends_the_rest",
    "leadflow.outbox.tasks.forget_sent_emails": "one DELETE statement: no per-item work",
    "insights.tasks.refresh_scorecards": "test_the_scorecard_sweep_skips_a_poisoned_mark_and_refreshes_the_rest",
    "insights.tasks.rebuild_scorecards": "test_the_scorecard_rebuild_skips_a_group_that_cannot_be_stored",
    "insights.tasks.send_weekly_digest": "test_the_weekly_digest_goes_out_despite_a_poisoned_rejection_and_address",
    "sales.tasks.send_due_reminders": "test_activity_reminders_skip_a_poisoned_one_and_send_the_rest",
    "insights.dashboard.tasks.refresh_rollups": "test_the_dashboard_credits_a_deal_it_cannot_weigh_as_unattributed",
    "insights.dashboard.tasks.rebuild_rollups": "test_the_dashboard_credits_a_deal_it_cannot_weigh_as_unattributed",
}


def test_every_beat_task_has_a_poison_test_here():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(COVERED)
    tests = {name for name in globals() if name.startswith("test_")}
    assert {test for test in COVERED.values() if test.startswith("test_")} <= tests


@pytest.fixture(autouse=True)
def _no_grace(settings):
    # Work is left alone while younger than this (the normal path may still be on it):
    # here everything is old enough as soon as it exists.
    settings.LEADFLOW_RECONCILE_GRACE_SECONDS = 0


@pytest.fixture
def poisoned_team(other_team):
    """Field Sales, with leads from France routed to it, and a time zone that does not exist:
    anything that reads its working hours raises (TeamSettings would refuse the zone)."""
    manager = factories.sales_manager(other_team, username="erin")
    factories.salesperson(other_team, username="stan")
    team_hours(other_team, manager=manager, days=range(7), starts="00:00", ends="23:59")
    rule(other_team, manager=manager, name="France", countries=["FR"])
    return other_team


def won_deal(email: str, **capture_fields):
    """A lead offered to whichever rep routing picks, accepted by them, its deal won."""
    handoff = factories.offered(email=email, **capture_fields)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    deal = factories.walked_to(Handoff.objects.get(pk=handoff.pk).deal, "negotiation", by=handoff.assignee)
    return sales_services.close_deal(
        deal_id=deal.pk, won=True, by=handoff.assignee, expected_version=deal.version, amount=Decimal(1000)
    )


def poison(team) -> None:
    TeamSettings.objects.filter(team=team).update(time_zone="Mars/Olympus")


def overdue(handoff: Handoff) -> None:
    """Time passes: the offer's SLA ran out."""
    Handoff.objects.filter(pk=handoff.pk).update(due_at=timezone.now() - PAST)
    Offer.objects.filter(handoff=handoff, state=Offer.State.OPEN).update(due_at=timezone.now() - PAST)


# --- handoff ---------------------------------------------------------------------------------


def test_reconcile_skips_a_poisoned_lead_and_handoff_and_re_drives_the_rest(rep, teammate, poisoned_team, caplog):
    won = won_deal("won@corp.example")
    stuck_ok = factories.offered(email="stuck@ok.example")
    stuck_bad = factories.offered(email="stuck@bad.example", country="FR")
    for handoff in (stuck_ok, stuck_bad):  # breached, with nobody to take it then
        Offer.objects.filter(handoff=handoff).update(state=Offer.State.EXPIRED)
        Handoff.objects.filter(pk=handoff.pk).update(state=Handoff.State.EXPIRED)
    waiting_ok = marketing_services.qualify_lead(lead_id=factories.capture(email="wait@ok.example").pk)
    poison(poisoned_team)
    waiting_bad = marketing_services.qualify_lead(
        lead_id=factories.capture(email="wait@bad.example", country="FR").pk
    )  # the newest: the sweep meets it first

    with caplog.at_level(logging.ERROR, logger="handoff.services.reconcile"):
        report = handoff_tasks.reconcile()

    assert report == {"routed": 1, "offered": 1, "outcomes": 1, "failed": 2}
    assert Handoff.objects.get(lead=waiting_ok).state == Handoff.State.OFFERED
    assert not Handoff.objects.filter(lead=waiting_bad).exists()  # left for the next sweep
    assert Handoff.objects.get(pk=stuck_ok.pk).state == Handoff.State.OFFERED
    assert Handoff.objects.get(pk=stuck_bad.pk).state == Handoff.State.EXPIRED
    assert Lead.objects.get(pk=Handoff.objects.get(deal=won).lead_id).outcome == "won"
    assert f"routing lead {waiting_bad.pk} failed" in caplog.text
    assert f"offering handoff {stuck_bad.pk} failed" in caplog.text


def test_the_sla_sweep_skips_a_poisoned_offer_and_expires_the_rest(rep, teammate, poisoned_team, caplog):
    late_ok = factories.offered(email="late@ok.example")
    late_bad = factories.offered(email="late@bad.example", country="FR")  # the newest: met first
    overdue(late_ok)
    overdue(late_bad)
    poison(poisoned_team)

    with caplog.at_level(logging.ERROR, logger="handoff.services.sla"):
        assert handoff_tasks.expire_overdue_offers() == {"reminded": 0, "expired": 1}

    assert list(Offer.objects.filter(handoff=late_ok).values_list("state", flat=True)) == ["expired", "open"]
    assert Handoff.objects.get(pk=late_ok.pk).assignee != late_ok.assignee  # re-offered to the teammate
    assert Handoff.objects.get(pk=late_bad.pk).state == Handoff.State.OFFERED  # untouched: tried again next time
    assert f"expiring handoff {late_bad.pk} failed" in caplog.text


def test_the_scorecard_sweep_skips_a_poisoned_mark_and_refreshes_the_rest(rep, caplog):
    factories.offered(email="ada@analytical.example", company_size="11-50")
    # A mark no event writes: a campaign "key" that is not a campaign's id.
    ScorecardDirty.objects.create(dimension=Dimension.CAMPAIGN, key="not-a-campaign", marked_at=timezone.now())

    with caplog.at_level(logging.ERROR, logger="insights.scorecards.store"):
        result = insights_tasks.refresh_scorecards()

    assert result["marks"] > 1
    assert ScorecardRow.objects.filter(dimension=Dimension.SOURCE).exists()
    assert ScorecardRow.objects.filter(dimension=Dimension.CAMPAIGN, key="none").exists()
    assert not ScorecardDirty.objects.exists()
    assert "'not-a-campaign' could not be refreshed" in caplog.text


@pytest.mark.postgres  # the poison is a sum over the column's precision, which SQLite does not enforce
def test_the_scorecard_rebuild_skips_a_group_that_cannot_be_stored(rep, caplog):
    # Each outcome is a valid amount; their sum in one group is more than the scorecard's
    # revenue column holds (12 digits before the point).
    huge = Decimal("9999999999.99")
    for number in range(101):
        lead = factories.capture(email=f"whale{number}@big.example", source="event")
        marketing_services.record_outcome(lead_id=lead.pk, won=True, amount=huge, closed_at=timezone.now())
    small = factories.capture(email="minnow@small.example", source="referral")
    marketing_services.record_outcome(lead_id=small.pk, won=True, amount=Decimal(100), closed_at=timezone.now())

    with caplog.at_level(logging.ERROR, logger="insights.scorecards.store"):
        written = insights_tasks.rebuild_scorecards()

    assert written > 0
    referral = ScorecardRow.objects.get(dimension=Dimension.SOURCE, key="referral")
    assert (referral.won, referral.revenue) == (1, Decimal(100))
    assert not ScorecardRow.objects.filter(dimension=Dimension.SOURCE, key="event").exists()
    assert "group source 'event' could not be stored" in caplog.text


def test_the_weekly_digest_goes_out_despite_a_poisoned_rejection_and_address(rep, caplog, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    last_week = timezone.now() - datetime.timedelta(days=7)
    handoff = handoff_services.reject_offer(handoff_id=factories.offered().pk, by=rep, reason="no_need")
    # A reason no longer offered (or never: written around the form).
    Handoff.objects.filter(pk=handoff.pk).update(rejection_reason="legacy_reason", decided_at=last_week)
    factories.marketer(username="maria", email="maria@leadflow.test")
    factories.marketer(username="broken", email="x@leadflow.test\nBcc: everyone@leadflow.test")

    with caplog.at_level(logging.ERROR, logger="insights.reports.digest"):
        assert insights_tasks.send_weekly_digest() == 1

    assert [message.to for message in mail.outbox] == [["maria@leadflow.test"]]
    assert "legacy_reason" in mail.outbox[0].body
    assert "could not send the weekly digest" in caplog.text


def test_the_dashboard_credits_a_deal_it_cannot_weigh_as_unattributed(rep, campaign, caplog):
    # Touches dated decades before the deal (the year typed wrong): their time-decay weights
    # underflow to zero and cannot be shared out.
    ancient = timezone.now().replace(year=1990)
    lost_in_time = factories.offered(email="old@corp.example")
    Touchpoint.objects.filter(lead_id=lost_in_time.lead_id).update(occurred_at=ancient)
    marketing_services.add_touchpoint(lead_id=lost_in_time.lead_id, kind="webinar", occurred_at=ancient)
    handoff_services.accept_offer(handoff_id=lost_in_time.pk, by=rep)
    lost_in_time = factories.walked_to(Handoff.objects.get(pk=lost_in_time.pk).deal, "negotiation", by=rep)
    won_deal("fine@corp.example", campaign=campaign)
    sales_services.close_deal(
        deal_id=lost_in_time.pk, won=True, by=rep, expected_version=lost_in_time.version, amount=Decimal(1000)
    )

    with caplog.at_level(logging.ERROR, logger="insights.dashboard.rollups.attribution"):
        assert dashboard_tasks.refresh_rollups()["deals"] == 2  # the first refresh builds everything
        assert dashboard_tasks.rebuild_rollups()["deals"] == 2

    decay = AttributionCell.objects.filter(grain=AttributionCell.DAILY, model="time_decay")
    credited = dict(decay.values_list("channel").annotate(revenue=Sum("revenue")).order_by())
    assert credited == {"webinar": Decimal(1000), "": Decimal(1000)}  # the one it cannot weigh: unattributed
    assert f"deal {lost_in_time.pk} cannot be credited by time_decay" in caplog.text


# --- marketing -------------------------------------------------------------------------------


@pytest.fixture
def attribute_rule(db):
    return scoring_rules.save_fit_rule(
        label="Pro plan", field="attribute", attribute_key="plan", operator="equals", value="pro", points=10
    )


def unreadable(lead: Lead) -> None:
    """Custom attributes that are not an object: every import and form stores an object."""
    Lead.objects.filter(pk=lead.pk).update(attributes=["plan", "pro"])


def test_scoring_skips_a_lead_no_rule_can_read_and_scores_the_rest(attribute_rule, caplog):
    bad = factories.capture(email="bad@corp.example")  # the oldest: the sweep meets it first
    good = [factories.capture(email=f"good{n}@corp.example", attributes={"plan": "pro"}) for n in range(2)]
    unreadable(bad)
    Lead.objects.update(scored_at=None)  # as if every scoring message was lost

    with caplog.at_level(logging.ERROR, logger="marketing.tasks"):
        assert marketing_tasks.score_unscored_leads() == 2

    assert [lead.scored_at is not None for lead in Lead.objects.filter(pk__in=[g.pk for g in good])] == [True, True]
    assert Lead.objects.get(pk=bad.pk).scored_at is None  # tried again next sweep
    assert f"scoring lead {bad.pk} failed" in caplog.text


def test_a_rescoring_run_skips_a_poisoned_lead_and_finishes(attribute_rule, caplog):
    bad = factories.capture(email="bad@corp.example")
    good = factories.capture(email="good@corp.example", attributes={"plan": "pro"})
    unreadable(bad)
    scoring_rules.save_engagement_rule(kind="webinar", points=5, max_count=3, half_life_days=30)
    run = RescoreRun.objects.get(pk=marketing_tasks.rescore_for_fading())  # the daily re-score
    RescoreRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - PAST)  # its message was lost
    assert marketing_tasks.resume_rescoring() == 1  # re-driven (onto a queue nobody reads here)…

    with caplog.at_level(logging.ERROR, logger="marketing.services.scoring"):
        marketing_tasks.rescore_leads(run.pk)  # …and what the re-driven task does

    run.refresh_from_db()
    assert (run.status, run.done) == (RescoreRun.Status.DONE, 2)
    assert Lead.objects.get(pk=good.pk).score >= 10
    assert f"scoring lead {bad.pk} failed" in caplog.text


def test_the_import_sweep_discards_every_abandoned_upload_despite_a_poisoned_one(
    marketer, settings, tmp_path, django_capture_on_commit_callbacks, caplog
):
    settings.DATA_DIR = tmp_path
    uploads = [
        import_services.create_import(
            upload=SimpleUploadedFile(f"leads{n}.csv", b"email,First Name\na@corp.example,A\n"), by=marketer
        )
        for n in range(2)
    ]
    week_ago = timezone.now() - import_services.ABANDONED_AFTER - datetime.timedelta(minutes=1)
    LeadImport.objects.update(created_at=week_ago)
    # The newest is met first: its stored name points outside the upload folder (no upload writes that).
    poisoned, fine = uploads[1], uploads[0]
    fine_file = Path(fine.file.path)
    LeadImport.objects.filter(pk=poisoned.pk).update(file="../outside.csv")

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert marketing_tasks.resume_imports() == 0

    statuses = dict(LeadImport.objects.values_list("pk", "status"))
    assert statuses == {poisoned.pk: LeadImport.Status.FAILED, fine.pk: LeadImport.Status.FAILED}
    assert not fine_file.exists()
    assert "outside.csv" in caplog.text


# --- outbox and sales ------------------------------------------------------------------------


def test_delivery_gives_up_a_poisoned_email_and_sends_the_rest(settings, caplog):
    settings.MAILERS = {
        "default": {"BACKEND": "leadflow.outbox.backend.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    # Addresses no sender writes: one with a line break (refused by the mailer), one not text at all.
    OutboundEmail.objects.create(
        subject="Broken", body="…", from_email="leadflow@example.com", to=["sam\n@example.com", None],
        next_attempt_at=timezone.now() - PAST,
    )  # fmt: skip
    send_mail("New lead for you", "Accept it soon.", "leadflow@example.com", ["sam@example.com"])

    with caplog.at_level(logging.ERROR, logger="leadflow.outbox.delivery"):
        assert outbox_tasks.deliver_due_emails() == 1

    states = dict(OutboundEmail.objects.values_list("subject", "state"))
    assert states == {"Broken": OutboundEmail.State.DEAD, "New lead for you": OutboundEmail.State.SENT}
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]
    assert "could not be handled; given up" in caplog.text


def test_activity_reminders_skip_a_poisoned_one_and_send_the_rest(rep, teammate, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    soon = timezone.now() + datetime.timedelta(minutes=5)
    reminded = {}
    for number in range(2):  # round robin: one deal each
        handoff = factories.offered(email=f"buyer@corp{number}.example")
        handoff_services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
        deal_id = Handoff.objects.get(pk=handoff.pk).deal_id
        activity = sales_services.log_activity(
            deal_id=deal_id, by=handoff.assignee, kind="call", subject="Call back", due_at=soon
        )
        reminded[handoff.assignee.pk] = activity.pk
    # The teammate's address has a line break: no form accepts it, the mailer refuses it.
    type(teammate).objects.filter(pk=teammate.pk).update(email="x@leadflow.test\nBcc: everyone@leadflow.test")

    assert sales_tasks.send_due_reminders() == 1

    assert [message.to for message in mail.outbox] == [[rep.email]]
    assert Activity.objects.get(pk=reminded[teammate.pk]).reminded_at is None  # tried again next sweep
    assert Activity.objects.get(pk=reminded[rep.pk]).reminded_at is not None
