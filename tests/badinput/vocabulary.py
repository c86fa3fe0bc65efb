"""The vocabulary of the bad-input table: how a case is sent, and what must come back.

A case names who sends it (a persona of the permission table's world, tests/permissions/
world.py), how (a form the page rendered, with the bad value typed in; a JSON body; raw
bytes; a query string; a CSV file through the import pages), and what it gets: the status,
the field its error names, and the rows it adds. Whatever the case does not name must be
exactly as it was (every table, every row: tests/permissions/snapshot.py).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketing.services import imports as import_services
from tests.marketing import pages
from tests.permissions.world import World

DROP = object()  # in a form's changes: leave this field out of the post


@dataclass(frozen=True)
class Send:
    """One request (or one short journey through pages) made by a persona's client."""

    describe: str
    run: Callable[[Client, World], Any]

    def __call__(self, client: Client, world: World):
        return self.run(client, world)


def url(name: str, *objects: str) -> Callable[[World], str]:
    """The URL of pattern `name` for these objects of the world (their primary keys)."""
    return lambda w: reverse(name, args=[getattr(w, o).pk if isinstance(o, str) else o for o in objects])


def at(path: str) -> Callable[[World], str]:
    return lambda w: path


def _value(value, world: World):
    return value(world) if callable(value) else value


def _filled(data: dict, world: World) -> dict:
    return {key: _value(value, world) for key, value in data.items()}


def api(method: str, where: Callable, body: dict | Callable | None = None, *, etag: bool = False, **headers) -> Send:
    """A JSON request; `etag` sends If-Match with the deal's current version, as a client that read it."""

    def run(client, w):
        path = where(w)
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        if etag:
            sent["If-Match"] = client.get(path.replace("move/", ""))["ETag"]
        payload = json.dumps(_filled(body, w) if isinstance(body, dict) else _value(body, w) if body else {})
        return client.generic(method, path, payload, content_type="application/json", headers=sent)

    return Send(f"{method} JSON", run)


def raw(where: Callable, body: bytes | str | Callable, content_type: str = "application/json", **headers) -> Send:
    """A body sent byte for byte (a parser's worst day)."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    return Send(
        f"POST {content_type}",
        lambda client, w: client.post(where(w), _value(body, w), content_type=content_type, headers=sent),
    )


def post(where: Callable, data: dict | None = None) -> Send:
    """A form post made by hand: what an attacker sends where the page offers no such form."""
    return Send("POST form", lambda client, w: client.post(where(w), _filled(data or {}, w)))


def get(where: Callable, query: dict | None = None) -> Send:
    return Send("GET", lambda client, w: client.get(where(w), _filled(query or {}, w)))


def form(page: Callable, button: str, **changes) -> Send:
    """The form on `page` with the button `button`, as rendered, with `changes` typed in
    (DROP: the field left out; a key the form does not have: a field added by hand)."""

    def run(client, w):
        rendered = client.get(page(w))
        assert rendered.status_code == 200, f"{page(w)} answered {rendered.status_code}"
        found = form_with_button(rendered, button)
        data = found.data(**_filled(changes, w))
        data = {key: value for key, value in data.items() if value is not DROP}
        action = found.action or page(w)
        if found.method == "get":
            return client.get(action, data)
        return client.post(action, data)

    return Send(f"the “{button}” form", run)


def form_with_button(response, button: str) -> pages.Form:
    """The one form with a submit button reading `button` (after an icon, or before a count)."""
    forms = [
        found
        for found in pages.read(response).forms
        if any(label == button or label.endswith(button) or label.startswith(button) for label in found.buttons)
    ]
    assert len(forms) == 1, f"{len(forms)} forms have a “{button}” button"
    return forms[0]


def imported(content: bytes, name: str = "people.csv") -> Send:
    """A CSV file through the import pages: upload, dry run with the mapping as guessed, start,
    the task's batches, then the report.

    A file refused as a whole answers the upload page (400); otherwise the answer is the
    finished import's report page.
    """

    def run(client, w):
        uploaded = client.post(
            reverse("marketing:import-new"), {"file": SimpleUploadedFile(name, content), "source": "event"}
        )
        if uploaded.status_code != 303:
            return uploaded
        mapping = form_with_button(client.get(uploaded["Location"]), "Dry run")
        dry_run = client.get(client.post(mapping.action, mapping.data())["Location"])
        start = form_with_button(dry_run, "Import all")
        assert client.post(start.action, start.data()).status_code == 303
        import_id = int(uploaded["Location"].rstrip("/").rsplit("/", 1)[1])
        while import_services.import_rows(import_id=import_id, seconds=600):  # what the Celery task does
            pass
        return client.get(uploaded["Location"])

    return Send(f"import {name}", run)


@dataclass(frozen=True)
class Case:
    """One bad input, who sends it, and what it must get."""

    what: str  # the input, in words: with `way`, the test's id
    by: str  # a persona of tests/permissions/expect.py, or "visitor" (anonymous, a public page or API)
    send: Send
    status: int
    field: str = ""  # the field the error names: a key of the JSON answer, or the form field marked invalid
    says: str = ""  # text the answer must contain (the reason a report gives)
    # Rows added per model ("app.Model": n, 0 for rows that may change but not be added);
    # None: nothing changed anywhere.
    changes: dict[str, int] | None = None
    setup: Callable[[World], Any] | None = None  # done before the "before" snapshot
    settings: dict | None = None  # settings the case runs with (a lower limit, so that a file may be small)
    then: Callable[..., None] | None = None  # then(cast, response): checks of the rows or the rendered bytes
    xfail: str = ""  # a known hole, until its fix lands (strict)
    marks: tuple = ()
    way: str = ""  # the way in (the table's section), set by table.py

    @property
    def id(self) -> str:
        return f"{self.way} | {self.by}: {self.what}"


# --- reading the answer ------------------------------------------------------------------------


class _Invalid(HTMLParser):
    """The names of the form controls a page marked aria-invalid (Django does so for a field with errors)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("aria-invalid") == "true" and attrs.get("name"):
            self.names.add(attrs["name"])


def text_of(response) -> str:
    if not hasattr(response, "read_text"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.read_text = body.decode(errors="replace")
    return response.read_text


def is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def named_fields(response) -> set[str]:
    """The fields the answer's errors name: a JSON error's keys, or a page's invalid controls."""
    if is_json(response):
        body = json.loads(text_of(response) or "{}")
        return set(body) if isinstance(body, dict) else set()
    reader = _Invalid()
    reader.feed(text_of(response))
    return reader.names
