"""Forms as the pages render them, filled in and sent as a browser would."""

from bs4 import BeautifulSoup, Tag
from django.test import Client


def page(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def values(form: Tag) -> dict:
    """What the browser would send for `form` untouched."""
    data: dict = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name, kind = field["name"], field.get("type", "text")
        if field.name == "select":
            chosen = field.select("option[selected]") or field.select("option")[:1]
            data[name] = chosen[0].get("value", chosen[0].text) if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text
        elif kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif kind not in ("submit", "button"):
            data[name] = field.get("value", "")
    return data


def submit(client: Client, url: str, form: Tag, **changes):
    return client.post(form.get("action") or url, {**values(form), **changes})
