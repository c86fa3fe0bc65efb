"""Outgoing email survives a mail server that is down: stored, retried, then dead and visible."""

import datetime
import socket

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.mail import send_mail
from django.utils import timezone

from leadflow.outbox import delivery
from leadflow.outbox.models import OutboundEmail

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when we return: nothing listens


@pytest.fixture
def outbox_to(settings):
    def configure(backend: str, **options):
        settings.MAILERS = {
            "default": {"BACKEND": "leadflow.outbox.backend.OutboxBackend"},
            "delivery": {"BACKEND": backend, "OPTIONS": options},
        }

    return configure


def test_a_message_is_stored_then_delivered_once(outbox_to):
    outbox_to(LOCMEM)
    send_mail("New lead for you", "Accept it soon.", "leadflow@example.com", ["sam@example.com"])
    email = OutboundEmail.objects.get()
    assert (email.state, email.to, email.attempts) == (OutboundEmail.State.PENDING, ["sam@example.com"], 0)
    assert mail.outbox == []
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0
    email.refresh_from_db()
    assert (email.state, email.attempts, email.sent_at is not None) == (OutboundEmail.State.SENT, 1, True)
    assert [(m.subject, m.to) for m in mail.outbox] == [("New lead for you", ["sam@example.com"])]


def test_a_failed_delivery_is_retried_with_backoff_and_lands_when_the_server_is_back(outbox_to, settings):
    outbox_to(SMTP, host="127.0.0.1", port=closed_port(), timeout=2)
    send_mail("Lead breached its SLA", "Re-offered.", "leadflow@example.com", ["mike@example.com"])
    now = timezone.now()
    assert delivery.deliver_due(now=now) == 0
    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == (OutboundEmail.State.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at == now + datetime.timedelta(seconds=settings.LEADFLOW_EMAIL_RETRY_SECONDS)
    assert delivery.deliver_due(now=now + datetime.timedelta(seconds=5)) == 0  # not due yet: no attempt
    assert OutboundEmail.objects.get().attempts == 1

    outbox_to(LOCMEM)  # the mail server is back
    assert delivery.deliver_due(now=now + datetime.timedelta(seconds=11)) == 1
    assert [m.to for m in mail.outbox] == [["mike@example.com"]]


def test_after_the_last_attempt_a_message_is_dead_and_stays_dead(outbox_to, settings):
    outbox_to(SMTP, host="127.0.0.1", port=closed_port(), timeout=2)
    settings.LEADFLOW_EMAIL_MAX_ATTEMPTS = 3
    send_mail("Digest", "Weekly numbers.", "leadflow@example.com", ["maria@example.com"])
    later = timezone.now()
    for _ in range(5):
        later += datetime.timedelta(hours=2)
        delivery.deliver_due(now=later)
    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == (OutboundEmail.State.DEAD, 3)


def test_a_claimed_message_is_not_sent_twice_by_a_second_worker(outbox_to):
    outbox_to(LOCMEM)
    send_mail("Once", "Only once.", "leadflow@example.com", ["sam@example.com"])
    email_id = OutboundEmail.objects.get().pk
    now = timezone.now()
    assert delivery.deliver(email_id=email_id, now=now) is True
    assert delivery.deliver(email_id=email_id, now=now) is False
    assert len(mail.outbox) == 1


def test_check_deploy_refuses_a_development_delivery_backend(outbox_to):
    outbox_to("django.core.mail.backends.console.EmailBackend")
    assert "outbox.E001" in {error.id for error in run_checks(include_deployment_checks=True)}
    outbox_to(SMTP, host="smtp.example.com")
    assert "outbox.E001" not in {error.id for error in run_checks(include_deployment_checks=True)}


def test_sent_messages_are_forgotten_after_the_keep_days_and_failures_stay(outbox_to, settings):
    outbox_to(LOCMEM)
    settings.LEADFLOW_EMAIL_KEEP_DAYS = 30
    for subject in ("old", "recent", "dead", "pending"):
        send_mail(subject, "Body", "leadflow@example.com", ["sam@example.com"])
    delivery.deliver_due()
    now = timezone.now()
    OutboundEmail.objects.filter(subject="old").update(sent_at=now - datetime.timedelta(days=31))
    OutboundEmail.objects.filter(subject="recent").update(sent_at=now - datetime.timedelta(days=29))
    OutboundEmail.objects.filter(subject="dead").update(
        state=OutboundEmail.State.DEAD, sent_at=None, created_at=now - datetime.timedelta(days=90)
    )
    OutboundEmail.objects.filter(subject="pending").update(state=OutboundEmail.State.PENDING, sent_at=None)

    assert delivery.forget_sent(now=now) == 1
    assert delivery.forget_sent(now=now) == 0
    assert sorted(OutboundEmail.objects.values_list("subject", flat=True)) == ["dead", "pending", "recent"]
