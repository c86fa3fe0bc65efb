"""Thin tasks over dashboard/services.py; both are idempotent (a second run recomputes the same)."""

from celery import shared_task

from . import services


@shared_task
def refresh_rollups() -> dict:
    report = services.refresh_rollups()
    return {"full": report.full, "leads": report.leads, "deals": report.deals, "version": report.version}


@shared_task
def rebuild_rollups() -> dict:
    report = services.rebuild_rollups()
    return {"leads": report.leads, "deals": report.deals, "version": report.version}
