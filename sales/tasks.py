"""Thin tasks: call one service. Each is idempotent (see sales/services/activities.py)."""

from celery import shared_task

from . import services


@shared_task
def send_due_reminders() -> int:
    return services.send_due_reminders()
