from celery import shared_task

from . import delivery


@shared_task
def deliver_email(email_id: int) -> bool:
    return delivery.deliver(email_id=email_id)


@shared_task
def deliver_due_emails() -> int:
    """The sweep: retries whose time has come, and messages whose task was lost."""
    return delivery.deliver_due()


@shared_task
def forget_sent_emails() -> int:
    return delivery.forget_sent()
