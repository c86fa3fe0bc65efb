"""`python -m bench dashboard_page`: the revenue dashboard's server time at 10k, 100k and 1M leads.

Each size lives in its own PostgreSQL database on the server of DATABASE_URL (default
names leadflow_bench_dashboard_10k, _100k, _1m; create them with createdb). With
--generate an empty one is filled by `manage.py generate_data` (1M leads, 200k deals, 5M
touchpoints, 500 campaigns, 50 reps at the largest size, scaled down for the others), and
the generation time, rows/s and database size are kept in the database itself
(table bench_dashboard_generation) so later runs can report them.

For each size, beside the bare-Django 50-row HTML list measured in the same run:
- warm: the dashboard's answer is in the cache (what a second visitor or a reload gets);
- cold: the cache is cleared before every request, so every widget is computed from the
  rollups (the first visitor after a refresh of the numbers).
Both through Django's full stack (test client: server time, no network), plus the SQL
query count of each page. Results go to docs/PERFORMANCE.md (section "dashboard").

Run it without REDIS_URL (the file cache in LEADFLOW_DATA_DIR) or with a Redis database of
its own: "cold" clears the cache, and clearing a Redis cache flushes its whole database.

    python -m bench dashboard_page [--sizes 10k,100k,1m] [--generate] [--requests 15] [--repetitions 3]
"""

import argparse
import os
import statistics
import time
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insights.dashboard.models import RollupState
from marketing.models import Lead
from sales.models import Deal, SalesRep, Team

from .harness import BASELINES, Comparison, compare, machine_is_quiet, table, time_requests, write_section

SIZES = {
    "10k": {"leads": 10_000, "deals": 2_000, "touchpoints": 50_000, "campaigns": 100, "reps": 20},
    "100k": {"leads": 100_000, "deals": 20_000, "touchpoints": 500_000, "campaigns": 300, "reps": 40},
    "1m": {"leads": 1_000_000, "deals": 200_000, "touchpoints": 5_000_000, "campaigns": 500, "reps": 50},
}
BASELINE = "50-row HTML list"
NOISY = " (shared machine: wall times are noisy, CPU ms is steadier)"


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    conn = connections["default"]
    conn.close()
    conn.settings_dict["NAME"] = name


def generate(size: str) -> dict:
    call_command("migrate", verbosity=0)
    if Lead.objects.exists():
        return {}
    out = StringIO()
    started = time.perf_counter()
    call_command("generate_data", seed=1, stdout=out, **SIZES[size])
    seconds = time.perf_counter() - started
    text = out.getvalue()
    print(text)
    rows = int(next(line for line in text.splitlines() if " rows in " in line).split()[0].replace(",", ""))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size_bytes = cursor.fetchone()[0]
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dashboard_generation (leads bigint, seconds float, rows bigint,"
            " rows_per_s float, db_bytes bigint, at timestamptz DEFAULT now())"
        )
        cursor.execute(
            "INSERT INTO bench_dashboard_generation (leads, seconds, rows, rows_per_s, db_bytes)"
            " VALUES (%s, %s, %s, %s, %s)",
            [SIZES[size]["leads"], seconds, rows, rows / seconds, size_bytes],
        )
    return {"seconds": seconds, "rows": rows}


def generation_facts() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dashboard_generation') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return "generated before this benchmark kept its numbers"
        cursor.execute(
            "SELECT seconds, rows, rows_per_s, db_bytes FROM bench_dashboard_generation ORDER BY at DESC LIMIT 1"
        )
        seconds, rows, per_second, size_bytes = cursor.fetchone()
    return (
        f"generated in {seconds / 60:.1f} min ({rows:,} rows, {per_second:,.0f} rows/s including the rollup "
        f"rebuild), database {size_bytes / 2**30:.2f} GiB"
    )


def time_cold(client: Client, url: str, requests: int):
    """Like harness.time_requests, with the dashboard's cached answers dropped before each request."""
    from .harness import Timing

    wall, cpu = [], []
    for _ in range(requests):
        cache.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return Timing(wall, cpu)


def compare_cold(client: Client, cases: dict[str, str], *, repetitions: int, requests: int) -> list[Comparison]:
    results = [Comparison(name, BASELINE) for name in cases]
    method, base_url = BASELINES[BASELINE]
    for _ in range(repetitions):
        for result, url in zip(results, cases.values(), strict=True):
            result.base.append(time_requests(client, method, base_url, requests))
            result.product.append(time_cold(client, url, requests))
    return results


def queries(client: Client, url: str, *, cold: bool) -> int:
    if cold:
        cache.clear()
    else:
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(size: str, requests: int, repetitions: int) -> str:
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    team = Team.objects.order_by("pk").first()
    rep = SalesRep.objects.order_by("pk").first().user
    cases = {
        "last 90 days (the default)": "/dashboard/",
        "last quarter": "/dashboard/?period=last_quarter",
        "last 12 months, time decay": "/dashboard/?period=last_12&model=time_decay",
        "all time": "/dashboard/?period=all",
        "one team, last quarter": f"/dashboard/?period=last_quarter&team={team.pk}",
        "one channel, last quarter": "/dashboard/?period=last_quarter&channel=paid_search",
    }
    own = {"a salesperson's own numbers, last quarter": "/dashboard/?period=last_quarter"}
    admin_client, rep_client = logged_in(admin), logged_in(rep)
    cold = compare_cold(admin_client, cases, repetitions=repetitions, requests=max(requests // 3, 3))
    cold += compare_cold(rep_client, own, repetitions=repetitions, requests=max(requests // 3, 3))
    warm = compare(admin_client, cases, baseline=BASELINE, repetitions=repetitions, requests=requests)
    warm += compare(rep_client, own, baseline=BASELINE, repetitions=repetitions, requests=requests)
    counts = ["| page | queries, cold | queries, warm |", "|---|---|---|"]
    for name, url in cases.items():
        counts.append(
            f"| {name} | {queries(admin_client, url, cold=True)} | {queries(admin_client, url, cold=False)} |"
        )
    for name, url in own.items():
        counts.append(f"| {name} | {queries(rep_client, url, cold=True)} | {queries(rep_client, url, cold=False)} |")
    state = RollupState.objects.first()
    leads, deals = Lead.objects.count(), Deal.objects.count()
    print(f"== {size}: {leads:,} leads\ncold\n{table(cold)}\nwarm\n{table(warm)}")
    worst_warm = max(statistics.median(t.median for t in result.product) for result in warm)
    return "\n".join(
        [
            f"### {leads:,} leads, {deals:,} deals",
            "",
            f"Data: {generation_facts()}. Rollups version {state.version if state else '—'}.",
            f"Slowest warm page: {worst_warm:.0f} ms.",
            "",
            "**Cold** (no cached answer: every widget computed from the rollups):",
            "",
            table(cold),
            "",
            "**Warm** (the answer cached for this version of the numbers):",
            "",
            table(warm),
            "",
            *counts,
            "",
        ]
    )


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard_page")
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--prefix", default="leadflow_bench_dashboard_", help="database name prefix")
    parser.add_argument("--generate", action="store_true", help="fill an empty database with generate_data")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("Run it against PostgreSQL: set DATABASE_URL to the benchmark server.")
    print(machine_is_quiet() or "machine is quiet")
    sections = []
    for size in args.sizes.split(","):
        use_database(args.prefix + size)
        if args.generate:
            generate(size)
        if not Lead.objects.exists():
            raise SystemExit(f"{args.prefix + size} is empty: run with --generate.")
        sections.append(measure(size, args.requests, args.repetitions))
    load = os.getloadavg()[0]
    markdown = "\n".join(
        [
            "## Dashboard: the joint revenue dashboard at 10k, 100k and 1M leads",
            "",
            f"`python -m bench dashboard_page` on PostgreSQL, {time.strftime('%Y-%m-%d')}; 1-minute load average",
            f"{load:.1f} on 2 cores at the end of the run{NOISY if load > 1 else ''}.",
            "Server time through Django's full stack (test client), each page alternated with the bare-Django",
            f"50-row HTML list in the same run ({args.repetitions} repetitions); the ratio is the page over that",
            "baseline. Target: ≤ 300 ms warm at 1M leads on this 2-core machine. Warm = the answer cached for",
            "this version of the rollups (what every visitor after the first gets until the next refresh);",
            "cold = every widget computed from the rollups.",
            "",
            *sections,
        ]
    )
    write_section("dashboard", markdown)
    print("Written to docs/PERFORMANCE.md (section dashboard).")
