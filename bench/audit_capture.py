"""`python -m bench audit_capture`: what the audit log's triggers cost the capture path.

Captures new and returning leads through marketing's capture service in a loop, in a
PostgreSQL database of its own (leadflow_bench_audit on the server of DATABASE_URL; createdb
it first), three ways, alternated over several rounds so that a busy moment hits all three:

- no triggers (the history's triggers dropped): the capture as it was before them;
- triggers, no context (a task's or command's capture);
- triggers inside a request's `pghistory.context` (a public form's capture: the context is
  sent with every write statement).

Prints captures per second and the SQL statements per capture (the triggers add none that
Django sends). The numbers are copied into docs/AUDIT.md by hand.

    python -m bench audit_capture [--captures 300] [--rounds 5]
"""

import argparse
import statistics
import time
import uuid

from django.core.management import call_command
from django.db import connection, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pgtrigger import installation

from leadflow.audit import recording
from marketing import services as marketing_services
from marketing.models import Campaign, Lead

from .harness import machine_is_quiet

DATABASE = "leadflow_bench_audit"


def _use_bench_database() -> None:
    settings = connections["default"].settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("audit_capture needs PostgreSQL: set DATABASE_URL (the triggers are PostgreSQL's).")
    connections["default"].close()
    settings["NAME"] = DATABASE
    call_command("migrate", verbosity=0)
    # The scoring tasks a capture enqueues go to an in-memory broker: the broker is not measured.
    from leadflow.celery import app

    app.conf.broker_url = "memory://"
    app.conf.broker_transport = None
    app.conf.broker_transport_options = {}


def _captures(campaign: Campaign, count: int, tag: str) -> None:
    for n in range(count):
        # Every other capture is a returning visitor (an update of the lead), as on a real form.
        email = f"{tag}-{n // 2}@bench.example"
        marketing_services.capture_lead(
            capture=marketing_services.Capture(email=email, first_name="Ada", last_name="Byron", campaign=campaign)
        )


def _inserts(count: int, tag: str) -> None:
    for n in range(count):
        email = f"{tag}-{n}@bench.example"
        Lead.objects.create(email=email, email_normalized=email, stage_changed_at=timezone.now())


def _bulk(count: int, tag: str) -> None:
    now = timezone.now()
    emails = [f"{tag}-{n}@bench.example" for n in range(count * 20)]
    Lead.objects.bulk_create(
        [Lead(email=email, email_normalized=email, stage_changed_at=now) for email in emails], batch_size=1000
    )


def _run(mode: str, campaign: Campaign, count: int, action=_captures) -> tuple[float, float]:
    tag = f"{mode.replace(' ', '-').replace(',', '')}-{uuid.uuid4().hex[:8]}"
    if mode == "no triggers":
        installation.uninstall(database="default")
    else:
        installation.install(database="default")
    request = RequestFactory().post("/marketing/forms/bench/")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if mode == "triggers, request context":
            with recording.serving(request):
                action(campaign, count, tag)
        else:
            action(campaign, count, tag)
        elapsed = time.perf_counter() - started
    return count / elapsed, len(queries) / count


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench audit_capture")
    parser.add_argument("--captures", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    _use_bench_database()
    campaign, _ = Campaign.objects.get_or_create(
        utm_campaign="bench-audit", defaults={"name": "Bench audit", "channel": "webinar", "starts_on": "2026-01-01"}
    )
    modes = ["no triggers", "triggers, no context", "triggers, request context"]
    for what, action, unit in (
        ("captures (capture_lead: half new leads, half returning)", _captures, "captures"),
        ("bare inserts (Lead.objects.create, one transaction each)", lambda _c, n, tag: _inserts(n, tag), "inserts"),
        ("bulk_create (20 leads per count, 1,000 a statement)", lambda _c, n, tag: _bulk(n, tag), "counts"),
    ):
        results: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
        _run(modes[0], campaign, 20, action)  # warm up: connection, content types, plans
        for _ in range(args.rounds):
            for mode in modes:
                results[mode].append(_run(mode, campaign, args.captures, action))
        print(f"\n{what}: {args.captures} x {args.rounds} rounds. {machine_is_quiet()}")
        print(f"| mode | {unit}/s, best of {args.rounds} | median | SQL statements each |")
        print("|---|---|---|---|")
        base = max(rate for rate, _ in results[modes[0]])
        for mode in modes:
            rates = [rate for rate, _ in results[mode]]
            best = max(rates)
            change = "" if mode == modes[0] else f" ({(best / base - 1) * 100:+.0f} %)"
            statements = statistics.median(count for _, count in results[mode])
            print(f"| {mode} | {best:.0f}{change} | {statistics.median(rates):.0f} | {statements:.2f} |")
    installation.install(database="default")
