"""`python -m bench handoff_routing`: routing throughput and capture → offered latency.

Against PostgreSQL + Redis made for benchmarks:

    createdb -h 127.0.0.1 -U postgres leadflow_bench_handoff
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/leadflow_bench_handoff REDIS_URL=redis://127.0.0.1:6379/0 \\
        python -m bench handoff_routing [--background 100000] [--leads 1000] [--rate 10] [--seconds 30]

Background data (leads, deals, handoffs the dedupe has to search) comes from `manage.py
generate_data`. A bench team of five reps (weights 1:1:1:2, one away) gets the bench leads
through a routing rule. Two measures, each beside a bare baseline measured in the same run:

1. Routing throughput: `route_lead` on already-qualified leads, one process and four
   threads, in leads routed per second — beside bare one-row ORM inserts per second.
2. Capture → offered latency under a steady capture load with a real Celery worker
   (concurrency 2): capture in this process, then the worker scores, qualifies and routes;
   latency = the offer's time minus the capture's. Beside the same path run in-process
   with no broker (the work alone), so the ratio is the price of the queue.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from handoff import services
from handoff.models import Handoff, Offer
from handoff.routing import fill_domains
from leadflow.celery import app as celery_app
from marketing import services as marketing
from marketing.models import Lead
from sales.models import SalesRep, Team
from tests import factories

from .harness import machine_is_quiet, write_section

ROOT = Path(__file__).resolve().parent.parent
COUNTRY = "Benchland"
MIDNIGHT = datetime.time(0)  # 00:00–00:00 every day: the bench team works around the clock


def ensure_background(size: int) -> str:
    if Lead.objects.exclude(country=COUNTRY).exists():
        filled = fill_domains()
        count = Lead.objects.exclude(country=COUNTRY).count()
        return f"{count:,} background leads from generate_data" + (
            f", {filled:,} handoff domains filled now" if filled else ""
        )
    started = time.perf_counter()
    call_command("generate_data", leads=size, deals=size // 5, touchpoints=size * 3, reps=20, verbosity=0)
    filled = fill_domains()  # COPY leaves the handoffs' company domain out; dedupe searches it
    return (
        f"generate_data --leads {size:,} --deals {size // 5:,}: {time.perf_counter() - started:.0f} s, "
        f"{filled:,} handoff domains filled"
    )


def bench_team() -> Team:
    team = Team.objects.filter(name="Bench routing").first()
    if team is not None:
        return team
    team = Team.objects.create(name="Bench routing")
    manager = factories.sales_manager(team, username="bench-manager")
    for number, weight in enumerate([1, 1, 1, 2]):
        factories.salesperson(team, weight=weight, username=f"bench-rep{number}")
    away = factories.salesperson(team, username="bench-away")
    SalesRep.objects.filter(user=away).update(status=SalesRep.Status.AWAY, away_until=None)
    services.save_team_settings(
        team_id=team.pk, by=manager, time_zone="UTC", working_days=list(range(7)),
        day_starts=MIDNIGHT, day_ends=MIDNIGHT, sla_minutes=240, max_open_offers=None,
    )  # fmt: skip
    services.save_routing_rule(by=manager, team_id=team.pk, name="Bench", is_active=True, countries=[COUNTRY])
    return team


def capture(tag: str, number: int) -> Lead:
    return marketing.capture_lead(
        capture=marketing.Capture(
            email=f"bench.{tag}.{number}@firm-{tag}-{number}.example",
            company=f"Firm {number}",
            title="VP Sales",
            country=COUNTRY,
            first_name="Bench",
        )  # fmt: skip
    ).lead


def qualified_leads(tag: str, count: int) -> list[int]:
    ids = []
    for number in range(count):
        lead = capture(tag, number)
        marketing.qualify_lead(lead_id=lead.pk)
        ids.append(lead.pk)
    return ids


def route_all(lead_ids: list[int], threads: int) -> float:
    slices = [lead_ids[i::threads] for i in range(threads)]

    def work(part):
        for lead_id in part:
            services.route_lead(lead_id=lead_id, cycle=0)
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(part,)) for part in slices]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(lead_ids) / (time.perf_counter() - started)


def bare_inserts(count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        Session.objects.create(session_key=get_random_string(40), session_data="x", expire_date=timezone.now())
    return count / (time.perf_counter() - started)


def throughput(tag: str, leads: int, repetitions: int) -> list[tuple[str, float, float]]:
    rows = []
    for repetition in range(repetitions):
        for threads in (1, 4):
            ids = qualified_leads(f"{tag}{repetition}t{threads}", leads)
            base = bare_inserts(leads)
            routed = route_all(ids, threads)
            assert Offer.objects.filter(handoff__lead_id__in=ids).count() == len(ids), "every lead offered once"
            rows.append((f"{threads} thread{'s' if threads > 1 else ''}", routed, base))
            print(f"  routing, {threads} thread(s): {routed:.0f} leads/s (bare inserts {base:.0f}/s)")
    return rows


def start_worker(queue: str) -> subprocess.Popen:
    env = dict(os.environ, LEADFLOW_CELERY_QUEUE=queue, DJANGO_DEBUG="0")
    command = [sys.executable, "-m", "celery", "-A", "leadflow", "worker", "-Q", queue, "-c", "2", "-l", "WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def steady_load(tag: str, rate: float, seconds: float) -> list[float]:
    """Capture at `rate` per second for `seconds`; latencies (ms) from capture to offer."""
    ids, interval, started = [], 1 / rate, time.perf_counter()
    while time.perf_counter() - started < seconds:
        ids.append(capture(tag, len(ids)).pk)
        time.sleep(max(0.0, started + len(ids) * interval - time.perf_counter()))
    deadline = time.time() + 120
    while time.time() < deadline:
        offered = Handoff.objects.filter(lead_id__in=ids, offered_at__isnull=False).count()
        if offered == len(ids):
            break
        time.sleep(0.5)
    pairs = Handoff.objects.filter(lead_id__in=ids, offered_at__isnull=False).values_list(
        "lead__created_at", "offered_at"
    )
    latencies = [(offered - created).total_seconds() * 1000 for created, offered in pairs]
    if len(latencies) < len(ids):
        print(f"  WARNING: {len(ids) - len(latencies)} of {len(ids)} leads were not offered within two minutes")
    return latencies


def in_process(tag: str, count: int) -> list[float]:
    """The same path with no broker: capture, score (qualifies), route, one after another."""
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        lead = capture(tag, number)
        lead = marketing.score_lead(lead_id=lead.pk)
        services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench handoff_routing")
    parser.add_argument("--background", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--rates", default="5,10", help="Captures per second, one steady run each.")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("Run against PostgreSQL and Redis (DATABASE_URL, REDIS_URL): see the module docstring.")
    # Every task this run publishes goes to a queue of its own: a developer's worker on the
    # same Redis must never pick up tasks about another database's leads.
    queue = f"bench-handoff-{os.getpid()}"
    celery_app.conf.task_default_queue = queue
    load = os.getloadavg()[0]
    print(machine_is_quiet() or "machine is quiet")
    background = ensure_background(args.background) + f"; 1-minute load average {load:.1f} at the start"
    print(background)
    bench_team()
    tag = f"r{int(time.time())}"

    rows = throughput(tag, args.leads, args.repetitions)

    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)  # the throughput phase's tasks: already done inline
    worker = start_worker(queue)
    rates = [float(rate) for rate in args.rates.split(",")]
    try:
        time.sleep(6)  # the worker connects and starts consuming
        latencies = {}
        for rate in rates:
            latencies[rate] = steady_load(f"{tag}w{rate:g}", rate, args.seconds)
            print(
                f"  {rate:g} captures/s: p50 {pct(latencies[rate], 50):.0f} ms, p95 {pct(latencies[rate], 95):.0f} ms"
            )
            time.sleep(5)  # let the worker drain before the next rate
    finally:
        worker.terminate()
        worker.wait(30)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    direct = in_process(f"{tag}d", 200)

    report = _report(rows, latencies, direct, args, background)
    print(report)
    write_section("handoff", report)


def _report(rows, latencies: dict, direct, args, background) -> str:
    lines = [
        "## Handoff: routing throughput and capture → offered latency",
        "",
        f"`python -m bench handoff_routing --background {args.background} --leads {args.leads} "
        f"--rates {args.rates} --seconds {args.seconds:g}` on PostgreSQL + Redis ({background}). "
        "Bench leads go through a routing rule to a team of five reps (weights 1:1:1:2, one away); every "
        "route also runs the dedupe lookups (open deals and owned leads by email and company domain) "
        "against the background data.",
        "",
        "| routing (already-qualified leads) | leads routed/s | bare one-row inserts/s, same run | ratio |",
        "|---|---|---|---|",
    ]
    for label in sorted({row[0] for row in rows}):
        mine = [row for row in rows if row[0] == label]
        routed = statistics.median(row[1] for row in mine)
        base = statistics.median(row[2] for row in mine)
        ratios = [row[1] / row[2] for row in mine]
        lines.append(
            f"| {label} | {routed:.0f} [{min(r[1] for r in mine):.0f}–{max(r[1] for r in mine):.0f}] | "
            f"{base:.0f} | {statistics.median(ratios):.2f} [{min(ratios):.2f}–{max(ratios):.2f}] |"
        )
    lines += [
        "",
        "| capture → offered | leads | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for rate, values in latencies.items():
        lines.append(
            f"| real worker (concurrency 2), {rate:g} captures/s for {args.seconds:g} s | {len(values)} | "
            f"{pct(values, 50):.0f} | {pct(values, 95):.0f} | {max(values):.0f} |"
        )
    slowest = latencies[min(latencies)]
    lines += [
        f"| baseline: the same work in-process, no broker | {len(direct)} | {pct(direct, 50):.0f} | "
        f"{pct(direct, 95):.0f} | {max(direct):.0f} |",
        "",
        "Latency is the offer's time minus the lead's insert (so the capture request's own time is out of it); "
        "the in-process baseline times capture, scoring and routing end to end.",
        "",
        f"At {min(latencies):g} captures/s the queue costs ×{pct(slowest, 50) / pct(direct, 50):.1f} at the median "
        "over doing the work inline: two task hops (score, then route), each published after its transaction "
        "commits. Where the latency climbs with the rate, the worker (two processes on this two-core machine, "
        "shared with the capture loop and PostgreSQL) is saturated and the queue grows.",
    ]
    return "\n".join(lines)
