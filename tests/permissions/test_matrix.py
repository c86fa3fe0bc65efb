"""Every row of the permission table, for every persona: the status, and for refusals no change."""

import json
import re

import pytest
from django.urls import reverse

from .expect import PERSONAS, Row
from .matrix import ROWS
from .snapshot import changed_tables, fingerprint
from .world import UNSEEN


def _cases():
    for row in ROWS:
        for persona in PERSONAS:
            answer = row.expect[persona]
            marks = [pytest.mark.xfail(strict=True, reason=answer.xfail)] if answer.xfail else []
            yield pytest.param(row, persona, id=f"{row.id} | {persona}", marks=marks)


def send(client, row: Row, world):
    url = row.path(world) if row.path else reverse(row.name, args=row.args(world))
    headers = row.headers(world) if row.headers else {}
    if row.method == "GET":
        return client.get(url, row.query(world) if row.query else None, headers=headers)
    body = row.body(world) if row.body else {}
    if url.startswith("/api/"):
        return client.generic(row.method, url, json.dumps(body), content_type="application/json", headers=headers)
    assert row.method == "POST", "pages take form posts only"
    return client.post(url, body, headers=headers)


def body_of(response) -> str:
    """The body as text; a streamed one (a CSV export) is read once and kept."""
    if not hasattr(response, "read_body"):
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        response.read_body = raw.decode(errors="replace")
    return response.read_body


def why(response) -> str:
    """What the response says went wrong: its JSON, or the page's form errors and messages."""
    if response.get("Content-Type", "").startswith("application/json"):
        return body_of(response)[:300]
    html = body_of(response)
    found = re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>|class="message message-error">(.*?)</li>', html, re.S
    )
    text = " | ".join(re.sub(r"<[^>]+>", " ", "".join(parts)).strip() for parts in found)
    return re.sub(r"\s+", " ", text)[:300]


@pytest.mark.parametrize(("row", "persona"), list(_cases()))
def test_each_persona_gets_the_matrix_answer_and_a_refusal_changes_nothing(cast, db, row, persona):
    expected = row.expect[persona]
    client = cast.client(persona)
    before = fingerprint() if row.writes else None

    response = send(client, row, cast.world)

    location = response.get("Location", "")
    got = f"{response.status_code}" + (f"→{location}" if location else "")
    if response.status_code != expected.status and why(response):
        got += f" ({why(response)})"
    assert response.status_code == expected.status, f"{persona} got {got}, the matrix says {expected!r}"
    if expected.to:
        assert location.startswith(expected.to), f"{persona} got {got}, the matrix says {expected!r}"
    shown = [name for name in UNSEEN[persona] if name in body_of(response)]
    assert not shown, f"{persona} got {got} showing {shown}: people outside their scope"
    if before is not None:
        changed = changed_tables(before, fingerprint())
        if expected.refused:
            assert not changed, f"refused ({got}), yet changed: {', '.join(changed)}"
        else:
            assert changed, f"allowed ({got}), yet nothing changed: the row's body does not do what it says"
