"""`python -m bench <name> [args]` runs bench/<name>.py's run(argv) against the configured
database (set DATABASE_URL to a PostgreSQL database made for benchmarks, never production).

The bare-Django baseline endpoints are mounted for the run; DEBUG stays off so that
Django does not record every query.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name not in {"harness"})
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        raise SystemExit(f"usage: python -m bench <{'|'.join(names)}> [args]")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadflow.settings")
    os.environ["LEADFLOW_BENCH_BASELINE"] = "1"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-insecure-key")
    os.environ.setdefault("DJANGO_HTTPS", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, no collectstatic here

    django.setup()
    importlib.import_module(f"bench.{sys.argv[1]}").run(sys.argv[2:])


if __name__ == "__main__":
    main()
