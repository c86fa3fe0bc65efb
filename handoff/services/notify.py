"""Emails the handoff engine sends (after commit; a failed send is logged, never raised)."""

import logging

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from ..models import Handoff, Offer

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:  # a mail server that is down must not undo the state change
        logger.exception("could not send %r to %s", subject, to)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def offered(handoff: Handoff) -> None:
    user = handoff.assignee
    if user and user.email:
        _send(
            "New lead for you in LeadFlow",
            f"A new lead is waiting for you. Accept or reject it before {_when(handoff.due_at)}.\n\n"
            f"Your inbox: {reverse('handoff:inbox')}",
            user.email,
        )


def reminder(offer: Offer) -> None:
    user = offer.assignee
    if user and user.email:
        _send(
            "Reminder: a lead is waiting for your answer",
            f"Half of the time to answer handoff #{offer.handoff_id} has passed. "
            f"Accept or reject it before {_when(offer.due_at)}, or it goes to the next rep.",
            user.email,
        )


def breach(handoff: Handoff, *, expired_assignee=None) -> None:
    manager = handoff.team.manager if handoff.team else None
    if manager and manager.email:
        who = f" by {expired_assignee.get_full_name() or expired_assignee.username}" if expired_assignee else ""
        _send(
            "Lead offer breached its SLA",
            f"Handoff #{handoff.pk} was not answered in time{who} and has been offered to the next rep.",
            manager.email,
        )
