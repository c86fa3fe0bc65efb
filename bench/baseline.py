"""The bare-Django baseline alone: `python -m bench baseline` (a smoke check of the harness)."""

from django.test import Client

from marketing.models import Lead

from .harness import BASELINES, machine_is_quiet, time_requests


def run(argv: list[str]) -> None:
    print(machine_is_quiet() or "machine is quiet")
    if not Lead.objects.exists():
        raise SystemExit("No leads in this database: generate some data first.")
    client = Client()
    for name, (method, url) in BASELINES.items():
        timing = time_requests(client, method, url, 50)
        print(f"{name:>18}: median {timing.median:.2f} ms, p95 {timing.p95:.2f} ms, CPU {timing.cpu_median:.2f} ms")
