"""Any filtered lead list as a CSV, streamed, that no spreadsheet will execute."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from guards.csvsafe import csv_lines

from ..emails import is_placeholder
from .leads import filtered_leads

# (header, values_list path) in the order of the file.
COLUMNS = (
    ("id", "id"),
    ("email", "email"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("company", "company"),
    ("title", "title"),
    ("phone", "phone"),
    ("country", "country"),
    ("industry", "industry"),
    ("company_size", "company_size"),
    ("stage", "stage"),
    ("score", "score"),
    ("source", "source"),
    ("first_touch_campaign", "first_touch_campaign__name"),
    ("utm_source", "utm_source"),
    ("utm_medium", "utm_medium"),
    ("utm_campaign", "utm_campaign"),
    ("last_touch_at", "last_touch_at"),
    ("last_touch_campaign", "last_touch_campaign__name"),
    ("owner", "owner__username"),
    ("recycle_count", "recycle_count"),
    ("outcome", "outcome"),
    ("outcome_amount", "outcome_amount"),
    ("consent_given_at", "consent_given_at"),
    ("consent_text", "consent_text"),
    ("created_at", "created_at"),
    ("attributes", "attributes"),
)
EMAIL, ATTRIBUTES = 1, len(COLUMNS) - 1
CHUNK = 2000


@login_required
@permission_required("marketing.export_leads", raise_exception=True)
def lead_export(request):
    """The leads the list shows for the same filters and sort, every page of them."""
    filters, leads, status = filtered_leads(request)
    if status != 200:
        return render(request, "marketing/export_refused.html", {"filters": filters}, status=status)
    rows = leads.order_by(*filters.sort_order.order_by()).values_list(*(path for _, path in COLUMNS))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    return response


def _lines(rows):
    yield "\ufeff"  # so that Excel reads the file as UTF-8
    yield from csv_lines(_cells(rows))


def _cells(rows):
    yield [header for header, _ in COLUMNS]
    for row in rows.iterator(chunk_size=CHUNK):
        cells = list(row)
        if is_placeholder(cells[EMAIL].casefold()):
            cells[EMAIL] = ""  # a stand-in address for an imported row: never mail it
        cells[ATTRIBUTES] = json.dumps(cells[ATTRIBUTES], ensure_ascii=False) if cells[ATTRIBUTES] else ""
        yield [_plain(cell) for cell in cells]


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
