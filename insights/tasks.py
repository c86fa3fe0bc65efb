"""Thin tasks: each calls one function and is idempotent (a rerun recomputes or sends nothing twice)."""

from celery import shared_task

from . import scorecards
from .reports import digest


@shared_task
def refresh_scorecards() -> dict:
    report = scorecards.refresh_stale()
    return {"groups": report.groups, "marks": report.marks}


@shared_task
def rebuild_scorecards() -> int:
    return scorecards.rebuild_all()


@shared_task
def send_weekly_digest() -> int:
    return digest.send_weekly_digests()
