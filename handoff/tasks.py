"""Thin tasks: take ids, call one service. Each is idempotent (see handoff/services)."""

from celery import shared_task

from . import services


@shared_task
def route_lead(lead_id: int, cycle: int) -> None:
    services.route_lead(lead_id=lead_id, cycle=cycle)


@shared_task
def sync_lead_stage(deal_id: int) -> None:
    services.sync_lead_stage(deal_id=deal_id)


@shared_task
def record_deal_outcome(deal_id: int) -> None:
    services.record_deal_outcome(deal_id=deal_id)


@shared_task
def expire_overdue_offers() -> dict:
    """The SLA sweep (beat, every minute): half-time reminders, then breaches."""
    report = services.sweep_offers()
    return {"reminded": report.reminded, "expired": report.expired}


@shared_task
def reconcile() -> dict:
    report = services.reconcile()
    return {"routed": report.routed, "offered": report.offered, "outcomes": report.outcomes, "failed": report.failed}
