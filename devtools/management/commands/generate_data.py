"""`manage.py generate_data`: realistic leads, campaigns, handoffs and deals at any size.

    manage.py generate_data --leads 1000000 --deals 200000 --touchpoints 5000000 \\
        --campaigns 500 --reps 50 --seed 1

Deterministic for a seed and an end date (default: today). The shapes come from the
public data sets in ../shared/data (a built-in summary when that folder is missing); see
devtools/generator/ for how, and why this command writes rows directly instead
of going through the services. Made for databases set aside for benchmarks and demos.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools import generator
from marketing.models import Lead


class Command(BaseCommand):
    help = "Generate a consistent data set (campaigns, leads, touchpoints, handoffs, deals) of any size."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=2000)
        parser.add_argument("--deals", type=int, default=400)
        parser.add_argument("--touchpoints", type=int, default=10000)
        parser.add_argument("--campaigns", type=int, default=30)
        parser.add_argument("--reps", type=int, default=10)
        parser.add_argument("--teams", type=int, default=None, help="Default: one per 8 reps.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end", type=date.fromisoformat, default=None, help="Last day (YYYY-MM-DD); default today."
        )
        parser.add_argument("--days", type=int, default=730, help="Length of the period, in days (default 2 years).")
        parser.add_argument(
            "--shapes", type=Path, default=None, help="Folder of the data sets (default ../shared/data)."
        )
        parser.add_argument(
            "--password", default=None, help="Password for the generated users (default: none, unusable)."
        )
        parser.add_argument("--append", action="store_true", help="Add to a database that already has leads.")
        parser.add_argument(
            "--no-rollups", action="store_true", help="Leave the dashboard's rollups to the next sweep."
        )

    def handle(self, *args, **options) -> None:
        if Lead.objects.exists() and not options["append"]:
            raise CommandError("This database already has leads. Use an empty database, or --append to add to it.")
        if options["days"] < 30:
            raise CommandError("--days must be at least 30.")
        engine = "PostgreSQL COPY" if connection.vendor == "postgresql" else f"{connection.vendor} executemany"

        def progress(done: int, total: int, seconds: float) -> None:
            if options["verbosity"] >= 2 or done == total or done % max(total // 10, 1) < 5000:
                self.stdout.write(f"  {done:>10,} / {total:,} leads  {seconds:7.1f} s")

        try:
            report = generator.generate(
                leads=options["leads"],
                deals=options["deals"],
                touchpoints=options["touchpoints"],
                campaigns=options["campaigns"],
                reps=options["reps"],
                teams=options["teams"],
                seed=options["seed"],
                end=options["end"],
                days=options["days"],
                shapes_dir=options["shapes"],
                password=options["password"],
                progress=progress,
                rollups=not options["no_rollups"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Shapes from: {', '.join(report.origin)}")
        self.stdout.write("Lead paths: " + ", ".join(f"{name} {count:,}" for name, count in report.paths.items()))
        for name, count in report.rows.items():
            self.stdout.write(f"  {name:<15}{count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total:,} rows in {report.seconds:.1f} s with {engine}: {report.rows_per_second:,.0f} rows/s "
                f"({report.write_seconds:.1f} s of it writing)"
            )
        )
        if report.rollup_seconds:
            self.stdout.write(f"Dashboard rollups rebuilt in {report.rollup_seconds:.1f} s")
