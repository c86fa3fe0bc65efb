"""Read a rendered page as a browser would: its links and its forms with their default values.

Tests navigate by what the page rendered (the href, the form's action and fields), never by
URLs built by hand, so a page that renders a broken link or form fails its test.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)

    def data(self, **changes) -> dict[str, str]:
        """What the browser sends when the form is submitted as rendered, with `changes` typed in."""
        return {**self.fields, **changes}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.forms: list[Form] = []
        self._link: list | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._button: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and "href" in attrs:
            self._link = [attrs["href"], ""]
        elif tag == "form":
            self.forms.append(Form(action=attrs.get("action", ""), method=attrs.get("method", "get").lower()))
        elif form is None:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                form.fields[attrs["name"]] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select" and attrs.get("name"):
            self._select, self._first_option = attrs["name"], None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
                form.fields.setdefault(self._select, value)
            if "selected" in attrs:
                form.fields[self._select] = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            form.fields[self._textarea] = ""
        elif tag == "button":
            self._button = [""]

    def handle_endtag(self, tag):
        if tag == "a" and self._link:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button" and self._button is not None and self.forms:
            self.forms[-1].buttons.append(" ".join(self._button[0].split()))
            self._button = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data
        if self._button is not None:
            self._button[0] += data


def read(response) -> _Reader:
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader


def form_with_button(response, button: str) -> Form:
    """The form holding the submit button whose label is `button`."""
    forms = [form for form in read(response).forms if button in form.buttons]
    assert len(forms) == 1, f"{len(forms)} forms have a “{button}” button"
    return forms[0]


def link(response, text: str) -> str:
    """The href of the links whose text is `text` (a page may show one twice, always to one place)."""
    hrefs = {href for href, label in read(response).links if label == text}
    assert len(hrefs) == 1, f"links reading “{text}” go to {sorted(hrefs) or 'nowhere'}"
    return hrefs.pop()
