"""Sums of money never mix currencies: totals come per currency, the main one first."""

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F

# amount × the stage's probability: what a deal is worth to the forecast.
WEIGHTED = ExpressionWrapper(F("amount") * F("stage__probability") / 100.0, output_field=DecimalField())


def main_currency() -> str:
    return settings.LEADFLOW_CURRENCY


def ordered(rows: list[dict], key: str = "amount") -> list[dict]:
    """Rows with a "currency" key: the main currency first, then the largest totals."""
    main = main_currency()
    return sorted(rows, key=lambda row: (row["currency"] != main, -(row.get(key) or 0), row["currency"]))
