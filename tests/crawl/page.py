"""What a crawler reads off one rendered page: the links, GET forms and htmx requests a user
could follow, the rows of its list, its pagination, tabs and sort links, and the numbers
that declare what they count (docs/QUALITY.md explains the markup)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

SITE = "http://testserver"


@dataclass(frozen=True)
class Link:
    url: str  # as rendered, resolved against the page (path?query)
    raw: str  # the attribute as written, for messages
    text: str
    kind: str  # "a", "form", "hx-get"


@dataclass(frozen=True)
class Figure:
    """A number that links to the rows it counts (data-count) or sums (data-sum)."""

    url: str
    text: str
    count: int | None
    total: Decimal | None
    where: str  # the nearest heading, for messages


@dataclass
class Page:
    url: str
    soup: BeautifulSoup
    links: list[Link] = field(default_factory=list)

    @classmethod
    def parse(cls, url: str, html: str) -> "Page":
        page = cls(url, BeautifulSoup(html, "html.parser"))
        page.links = list(page._links())
        return page

    # --- what a user can follow ------------------------------------------------------------
    def _links(self):
        for anchor in self.soup.find_all("a", href=True):
            yield Link(self.resolve(anchor["href"]), anchor["href"], text_of(anchor), "a")
        for form in self.soup.find_all("form"):
            if (form.get("method") or "get").lower() == "get":
                action = form.get("action") or self.url
                query = urlencode(form_defaults(form))
                url = self.resolve(action.split("?")[0] + (f"?{query}" if query else ""))
                yield Link(url, action, form.get("aria-label") or "", "form")
        for element in self.soup.find_all(attrs={"hx-get": True}):
            yield Link(self.resolve(element["hx-get"]), element["hx-get"], element.name, "hx-get")

    def resolve(self, href: str) -> str:
        """The href as the browser resolves it, as path?query (None-free; '' for off-site)."""
        absolute = urljoin(SITE + self.url, href.strip())
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != SITE:
            return ""
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # --- what the page shows ---------------------------------------------------------------
    @property
    def main(self) -> Tag:
        return self.soup.find("main") or self.soup.body or self.soup

    def rows(self) -> list[Tag]:
        """The rows of the page's list: table body rows, or elements marked data-row."""
        return self.main.select("tbody tr, [data-row]")

    def row_keys(self) -> list[str]:
        """Each row's identity: its data-row value, or its text."""
        return [row.get("data-row") or text_of(row) for row in self.rows()]

    def rel(self, name: str) -> Link | None:
        anchor = self.main.find("a", rel=name, href=True)
        return self._link(anchor) if anchor else None

    def tabs(self) -> list[Link]:
        """Tabs and segmented choices: the links beside one the page marks aria-current."""
        found = []
        for current in self.main.find_all("a", attrs={"aria-current": True}):
            siblings = current.parent.find_all("a", href=True, recursive=False)
            found += [self._link(a) for a in siblings if a is not current]
        return [link for link in found if link.url]

    def current_tabs(self) -> set[str]:
        return {text_of(a) for a in self.main.find_all("a", attrs={"aria-current": True})}

    def sorts(self) -> list[Link]:
        """Links in table headers: sort by that column."""
        return [link for link in (self._link(a) for a in self.main.select("thead th a[href]")) if link.url]

    def sorted_column(self) -> str:
        header = self.main.select_one("thead th[aria-sort]")
        return text_of(header) if header else ""

    def _link(self, anchor: Tag) -> Link:
        return Link(self.resolve(anchor["href"]), anchor["href"], text_of(anchor), "a")

    def content(self) -> str:
        """The main content's text without its navigation and table headers (they move with any tab)."""
        main = BeautifulSoup(str(self.main), "html.parser")
        for part in main.find_all(["nav", "thead"]):
            part.decompose()
        return " ".join(main.get_text(" ").split())

    def figures(self) -> list[Figure]:
        found = []
        for anchor in self.main.find_all("a", href=True):
            count, total = anchor.get("data-count"), anchor.get("data-sum")
            if count is None and total is None:
                continue
            found.append(
                Figure(
                    url=self.resolve(anchor["href"]),
                    text=text_of(anchor),
                    count=int(count) if count is not None else None,
                    total=Decimal(total) if total is not None else None,
                    where=heading_before(anchor),
                )
            )
        return found

    def numeric_links(self) -> list[Tag]:
        """Same-site links whose own text is a figure (a count, an amount), outside navigation."""
        return [
            a
            for a in self.main.find_all("a", href=True)
            if is_figure(text_of(a)) and self.resolve(a["href"]) and not a.find_parent("nav")
        ]

    def title(self) -> str:
        heading = self.main.find("h1")
        return text_of(heading) if heading else ""


def text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def heading_before(tag: Tag) -> str:
    heading = tag.find_previous(["h1", "h2", "h3"])
    return text_of(heading) if heading else ""


FIGURE = re.compile(r"^[$€£]?\d[\d,]*(?:\.\d+)?[kMB%×]?(?=\s|$)")


def is_figure(text: str) -> bool:
    """'19', '$588k', '12.5%', '1,204 leads': text led by a number (not '2-minute tour')."""
    return bool(FIGURE.match(text))


def form_defaults(form: Tag) -> list[tuple[str, str]]:
    """The name=value pairs a GET form submits untouched (as a browser would)."""
    pairs = []
    for control in form.find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        if control.name == "select":
            options = control.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            pairs += [(name, option.get("value", text_of(option))) for option in chosen]
        elif control.name == "textarea":
            pairs.append((name, control.get_text()))
        else:
            kind = (control.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and not control.has_attr("checked"):
                continue
            pairs.append((name, control.get("value", "on" if kind in ("checkbox", "radio") else "")))
    return pairs
