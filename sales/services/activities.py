"""What salespeople do on a deal: calls, emails, meetings and tasks, notes, and the reminders."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Activity, Deal, Note

logger = logging.getLogger(__name__)

# A reminder for something due long ago is noise (a task imported with an old date, a
# worker that was down for a week): the sweep only looks this far back.
REMINDER_LOOKBACK = timedelta(days=1)
REMINDER_BATCH = 500


def log_activity(
    *,
    deal_id: int,
    by,
    kind: str,
    subject: str,
    due_at: datetime | None = None,
    details: str = "",
    done: bool = False,
) -> Activity:
    """Log a call/email/meeting/task that happened (done) or schedule one with a due time."""
    subject = (subject or "").strip()
    details = (details or "").strip()
    errors = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = "Choose call, email, meeting or task."
    if not subject:
        errors["subject"] = "Say what it is about."
    elif len(subject) > 200:
        errors["subject"] = "Keep the subject under 200 characters."
    if len(details) > 5000:
        errors["details"] = "Keep the notes under 5,000 characters."
    if not done and due_at is None:
        errors["due_at"] = "Give a due date, or log it as done."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        deal = Deal.objects.get(pk=deal_id)
        activity = Activity.objects.create(
            deal=deal,
            owner_id=deal.owner_id,
            kind=kind,
            subject=subject,
            details=details,
            due_at=now if done and due_at is None else due_at,
            done_at=now if done else None,
            done_by=by if done else None,
            created_by=by,
        )
        _touch(deal_id, now)
    return activity


def complete_activity(*, activity_id: int, by) -> Activity:
    """Mark an activity done (once: doing it again changes nothing)."""
    now = timezone.now()
    with transaction.atomic():
        # Conditional update: two clicks (or two tabs) record one completion, the first.
        done = Activity.objects.filter(pk=activity_id, done_at__isnull=True).update(done_at=now, done_by=by)
        activity = Activity.objects.get(pk=activity_id)
        if done:
            _touch(activity.deal_id, now)
    return activity


def add_note(*, deal_id: int, by, body: str) -> Note:
    """Add a note to a deal's history."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > 5000:
        raise ValidationError({"body": "Keep a note under 5,000 characters."})
    now = timezone.now()
    with transaction.atomic():
        note = Note.objects.create(deal=Deal.objects.get(pk=deal_id), author=by, body=body)
        _touch(deal_id, now)
    return note


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Email each owner once about every open activity that is due soon (safe to run twice at once)."""
    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.LEADFLOW_REMINDER_LEAD_MINUTES)
    due = Activity.objects.filter(
        done_at__isnull=True, reminded_at__isnull=True, due_at__lte=horizon, due_at__gte=now - REMINDER_LOOKBACK
    ).values_list("pk", flat=True)[:REMINDER_BATCH]
    sent = 0
    for activity_id in list(due):
        # Claim with a conditional update: of two sweeps running at once, one wins the row.
        if not Activity.objects.filter(pk=activity_id, reminded_at__isnull=True).update(reminded_at=now):
            continue
        activity = Activity.objects.select_related("deal", "owner").get(pk=activity_id)
        try:
            sent += _send_reminder(activity)
        except Exception:
            # Give the claim back so the next sweep tries again (mail server down).
            Activity.objects.filter(pk=activity_id, reminded_at=now).update(reminded_at=None)
            logger.exception("Could not send the reminder for activity %s; will retry", activity_id)
    return sent


def _send_reminder(activity: Activity) -> int:
    user = activity.owner
    if not user.email:
        return 0
    when = timezone.localtime(activity.due_at)
    link = settings.LEADFLOW_SITE_URL.rstrip("/") + reverse("sales:deal-detail", args=[activity.deal_id])
    body = (
        f"{activity.get_kind_display()}: {activity.subject}\n"
        f"Deal: {activity.deal.title}\n"
        f"Due: {when:%a %d %b %Y, %H:%M %Z}\n\n"
        f"Open the deal: {link}\n"
        f"Your day in LeadFlow: {settings.LEADFLOW_SITE_URL.rstrip('/')}{reverse('sales:my-day')}\n"
    )
    # A header may not hold line breaks (BadHeaderError); a subject is free text.
    subject = " ".join(activity.subject.split())[:150]
    send_mail(f"Reminder: {subject} ({when:%H:%M})", body, None, [user.email])
    return 1


def _touch(deal_id: int, now: datetime) -> None:
    # Not a user edit: no version bump, so logging a call never conflicts with an edit.
    Deal.objects.filter(pk=deal_id).update(last_activity_at=now)
