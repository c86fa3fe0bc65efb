"""`python -m bench sales_board`: the pipeline board's server time at 1k, 10k and 100k open deals.

Against a database made for benchmarks (DATABASE_URL=.../leadflow_bench_sales). Users,
teams and a few thousand leads come from `manage.py generate_data`; the open deals are
then topped up to each size with bulk inserts (spread over every rep, the open stages,
and the next months' close dates). Each size measures, beside the bare-Django 50-row HTML
list in the same run: the board as an admin (every deal), as a team's manager, as a rep,
a filtered board, the deal page and the forecast; and the SQL query count of each page,
which must not grow with the deals. Numbers go to docs/PERFORMANCE.md (section "sales").

    python -m bench sales_board [--sizes 1000,10000,100000] [--requests 20] [--repetitions 3]
"""

import argparse
import datetime
import random
import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketing.models import Lead
from sales import services
from sales.models import Deal, SalesRep, Stage

from .harness import compare, machine_is_quiet, table, write_section

BATCH = 5000


def top_up(target: int, seed: int = 4) -> float:
    """Add open deals until there are `target`; returns the seconds it took."""
    started = time.perf_counter()
    missing = target - Deal.objects.open().count()
    if missing < 0:
        # A run after a bigger one: drop the extra bench deals (never the generated ones).
        extra = Deal.objects.open().filter(title__startswith="Bench deal").order_by("-pk").values("pk")[:-missing]
        Deal.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()
        _analyze()
        return time.perf_counter() - started
    if missing == 0:
        return 0.0
    rng = random.Random(seed + target)
    pipeline = services.default_pipeline()
    stages = list(pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("order"))
    reps = list(SalesRep.objects.values_list("user_id", "team_id"))
    today = timezone.localdate()
    now = timezone.now()
    made = 0
    while made < missing:
        batch = []
        for _ in range(min(BATCH, missing - made)):
            owner_id, team_id = rng.choice(reps)
            batch.append(
                Deal(
                    pipeline=pipeline,
                    stage=rng.choices(stages, weights=[40, 30, 20, 10][: len(stages)] or None)[0],
                    owner_id=owner_id,
                    team_id=team_id,
                    title=f"Bench deal {target}-{made + len(batch)}",
                    contact_name="Bench Contact",
                    company="Bench Co",
                    amount=Decimal(rng.randrange(1_000, 90_000, 500)),
                    expected_close=today + datetime.timedelta(days=rng.randrange(-40, 200)),
                    last_activity_at=now - datetime.timedelta(days=rng.randrange(0, 40)),
                )
            )
        Deal.objects.bulk_create(batch, batch_size=BATCH)
        made += len(batch)
    _analyze()
    return time.perf_counter() - started


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_deal" if connection.vendor == "postgresql" else "ANALYZE")


def people() -> dict:
    """The busiest team's manager and rep, and an admin: the board as each of them sees it."""
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    busiest_team = (
        Deal.objects.open().values("team_id").annotate(n=Count("*")).order_by("-n").values_list("team_id", flat=True)[0]
    )
    team_rep = SalesRep.objects.filter(team_id=busiest_team).select_related("team__manager").first()
    rep_id = (
        Deal.objects.open()
        .filter(team_id=busiest_team)
        .values("owner_id")
        .annotate(n=Count("*"))
        .order_by("-n")
        .values_list("owner_id", flat=True)[0]
    )
    return {"admin": admin, "manager": team_rep.team.manager, "rep": user_model.objects.get(pk=rep_id)}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def measure(requests: int, repetitions: int) -> tuple[list, dict, dict]:
    cast = people()
    deal_id = Deal.objects.open().filter(owner=cast["rep"]).values_list("pk", flat=True).first()
    month = timezone.localdate().strftime("%Y-%m")
    pages = {
        "admin": {
            "board, admin (every deal)": "/sales/board/",
            "board, admin, one month": f"/sales/board/?month={month}",
        },
        "manager": {"board, team manager": "/sales/board/", "forecast, team manager": "/sales/forecast/"},
        "rep": {
            "board, salesperson": "/sales/board/",
            "deal page": f"/sales/deals/{deal_id}/",
            "my day": "/sales/my-day/",
        },
    }
    results, queries, visible = [], {}, {}
    for who, cases in pages.items():
        client = client_for(cast[who])
        visible[who] = Deal.objects.visible_to(cast[who]).open().count()
        for name, url in cases.items():
            queries[name] = count_queries(client, url)
        results += compare(client, cases, baseline="50-row HTML list", repetitions=repetitions, requests=requests)
    return results, queries, visible


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench sales_board")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(machine_is_quiet() or "machine is quiet")
    if not Lead.objects.exists():
        print("Generating users, teams and leads (generate_data)…")
        call_command("generate_data", leads=3000, deals=300, touchpoints=6000, reps=40, seed=1, verbosity=0)
    sections, query_rows = [], {}
    for size in sizes:
        seconds = top_up(size)
        print(f"{size:,} open deals ({seconds:.1f} s to insert)")
        results, queries, visible = measure(args.requests, args.repetitions)
        print(table(results))
        query_rows[size] = queries
        sections.append(
            f"### {size:,} open deals\n\nAdmin sees {visible['admin']:,}, the team manager {visible['manager']:,}, "
            f"the salesperson {visible['rep']:,}.\n\n{table(results)}\n"
        )
    names = list(next(iter(query_rows.values())))
    query_table = ["| page | " + " | ".join(f"{size:,}" for size in sizes) + " |", "|---|" + "---|" * len(sizes)]
    query_table += [f"| {name} | " + " | ".join(str(query_rows[size][name]) for size in sizes) + " |" for name in names]
    ratios = [statistics.median(r.ratios) for r in results]
    markdown = "\n".join(
        [
            "## Sales: pipeline board, deal page, forecast",
            "",
            f"`python -m bench sales_board` on {connection.vendor}, {time.strftime('%Y-%m-%d')}. Server time through",
            "Django's full stack (test client), each page alternated with the bare-Django 50-row HTML list in",
            f"the same run ({args.repetitions} repetitions × {args.requests} requests); the ratio is the page over",
            "the baseline.",
            "Cards are capped at 50 per column, so the board's cost grows with the column totals (one aggregate",
            "over the visible open deals), not with the cards drawn.",
            "",
            *sections,
            "### SQL queries per page (must not grow with the deals)",
            "",
            *query_table,
            "",
            f"Largest ratio at the last size: {max(ratios):.1f}×.",
        ]
    )
    write_section("sales", markdown)
    print("Written to docs/PERFORMANCE.md (section sales).")
