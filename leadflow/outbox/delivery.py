"""Deliver stored email: at least once, retried with backoff, then given up and visible."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


def retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … doubling, at most an hour apart."""
    return timedelta(seconds=min(settings.LEADFLOW_EMAIL_RETRY_SECONDS * 2 ** (attempts - 1), 3600))


def deliver(*, email_id: int, now: datetime | None = None) -> bool:
    """Send one due message through the delivery mailer; False if not due or not ours."""
    now = now or timezone.now()
    # Claim with a conditional update: two workers (a task and the sweep) can't both send.
    claimed = OutboundEmail.objects.filter(
        pk=email_id, state=OutboundEmail.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        _message(email).send()
    except Exception as error:
        _failed(email, error, now)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(state=OutboundEmail.State.SENT, sent_at=timezone.now())
    return True


def deliver_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Deliver every message that is due; how many went. One that cannot even be handled is
    logged and given up (visible with the other dead ones), and the rest still go."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING, next_attempt_at__lte=now)
    due_ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:batch])
    sent = 0
    for pk in due_ids:
        try:
            sent += deliver(email_id=pk, now=now)
        except Exception as error:
            # A row no sender would write (an address that is not text…): retrying cannot help.
            logger.exception("email #%s could not be handled; given up", pk)
            OutboundEmail.objects.filter(pk=pk, state=OutboundEmail.State.PENDING).update(
                state=OutboundEmail.State.DEAD, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
    return sent


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        connection=mailers["delivery"],
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _failed(email: OutboundEmail, error: Exception, now: datetime) -> None:
    gave_up = email.attempts >= settings.LEADFLOW_EMAIL_MAX_ATTEMPTS
    logger.warning(
        "email #%s to %s failed (attempt %s%s): %s",
        email.pk, ", ".join(email.to), email.attempts, ", giving up" if gave_up else "", error,
    )  # fmt: skip
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.DEAD if gave_up else OutboundEmail.State.PENDING,
        next_attempt_at=now + retry_delay(email.attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def forget_sent(*, now: datetime | None = None) -> int:
    """Delete sent messages older than LEADFLOW_EMAIL_KEEP_DAYS; how many went.

    A sent email is a copy of what it said (a lead's name, a deal's title) that nobody
    needs once delivered (an erasure deletes at once those that name the person: see
    erasure.py). Given-up messages stay until someone retries or deletes them: they are the
    visible failures.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.LEADFLOW_EMAIL_KEEP_DAYS)
    deleted, _ = OutboundEmail.objects.filter(state=OutboundEmail.State.SENT, sent_at__lt=cutoff).delete()
    return deleted
