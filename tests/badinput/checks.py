"""What a case checks after its answer: the rows it must have left alone, the bytes a page renders."""

import csv
import html
import io
from collections.abc import Callable

from django.contrib.auth.models import User
from django.urls import reverse

from marketing.emails import normalize_email
from marketing.models import Lead

from .vocabulary import text_of

SCRIPT = '<script>alert("{}")</script>'


def script(where: str) -> str:
    """A script tag naming where it was typed, so a page that runs it says which field it came from."""
    return SCRIPT.format(where)


def lead_of(email: str) -> Lead:
    return Lead.objects.get(email_normalized=normalize_email(email))


def one_lead(email: str, **expected) -> Callable:
    """There is one lead for `email`, with these values."""

    def check(cast, response):
        lead = lead_of(email)
        assert {name: getattr(lead, name) for name in expected} == expected

    return check


def unchanged(model, name: str, *fields: str) -> Callable:
    """The world's object `name` still has the values it was built with (the row, not the status code)."""

    def check(cast, response):
        original = getattr(cast.world, name)
        now = model.objects.get(pk=original.pk)
        assert {f: getattr(now, f) for f in fields} == {f: getattr(original, f) for f in fields}

    return check


def nobody_promoted(cast, response) -> None:
    assert not User.objects.filter(is_staff=True, is_superuser=False).exists()
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        cast.world.admin.username
    ]


def shown_escaped(*places: tuple[str, Callable, tuple[str, ...]]) -> Callable:
    """Each place (persona, world → URL, texts) renders its texts escaped: the bytes hold
    `&lt;script&gt;…` and never the tag itself."""

    def check(cast, response):
        for persona, where, texts in places:
            path = where(cast.world)
            page = cast.client(persona).get(path)
            assert page.status_code == 200, f"{path} answered {page.status_code}"
            body = text_of(page)
            for text in texts:
                assert text not in body, f"{path} renders {text} as markup"
                assert html.escape(text) in body, f"{path} does not show {text}"

    return check


def exported_as_text(persona: str, email: str, cells: dict[str, str]) -> Callable:
    """The lead export (a CSV download, never a page) holds each cell exactly as typed."""

    def check(cast, response):
        export = cast.client(persona).get(reverse("marketing:lead-export"))
        assert export["Content-Type"].startswith("text/csv")
        assert export["Content-Disposition"].startswith("attachment;")
        rows = list(csv.DictReader(io.StringIO(text_of(export).lstrip("\ufeff"))))
        row = next(row for row in rows if normalize_email(row["email"] or "x@y.z") == normalize_email(email))
        assert {name: row[name] for name in cells} == cells

    return check


def both(*checks: Callable) -> Callable:
    def check(cast, response):
        for one in checks:
            one(cast, response)

    return check
