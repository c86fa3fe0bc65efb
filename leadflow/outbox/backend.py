from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from .models import OutboundEmail


class OutboxBackend(BaseEmailBackend):
    """Stores each message; `leadflow.outbox.tasks` hands it to the delivery mailer."""

    def send_messages(self, email_messages) -> int:
        from .tasks import deliver_email

        now = timezone.now()
        rows = OutboundEmail.objects.bulk_create(
            OutboundEmail(
                subject=message.subject,
                body=message.body,
                html_body=next((content for content, kind in message.alternatives if kind == "text/html"), ""),
                from_email=message.from_email,
                to=list(message.to),
                cc=list(message.cc),
                bcc=list(message.bcc),
                reply_to=list(message.reply_to),
                headers=dict(message.extra_headers),
                next_attempt_at=now,
            )
            for message in email_messages
        )
        for row in rows:
            deliver_email.delay_on_commit(row.pk)
        return len(rows)
