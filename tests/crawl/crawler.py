"""A breadth-first crawl of everything one persona can reach by following what the pages render.

Starting from the home page, it follows every same-site `<a href>`, every GET form submitted
with its default values, and every `hx-get` (sent as htmx sends it), through a Django test
client logged in as the persona. Each URL pattern is visited a bounded number of times (a
lead page stands for all lead pages), so a crawl covers every kind of page quickly.

What it records is judged by the tests: the status of every response, links that do not
parse or resolve, and the pages themselves for the pagination, tab and number checks.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from .page import Link, Page

OK = {200, 204}
REDIRECTS = {301, 302, 303, 307, 308}
# Pages of a kind (one URL pattern) visited at most this often with different URLs; the
# Django admin's hundreds of patterns once each (tests/leadflow/test_admin.py opens them all).
PER_PATTERN = 12
PER_ADMIN_PATTERN = 1
# Links never followed: they end the session or leave the product.
NOT_FOLLOWED = ("/accounts/logout/",)


@dataclass
class Visit:
    url: str
    status: int
    found_on: str
    via: str  # "a", "form", "hx-get", "redirect", "start"
    content_type: str = ""
    redirects_to: str = ""


@dataclass
class Crawl:
    persona: str
    visits: dict[str, Visit] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    bad_links: list[str] = field(default_factory=list)
    links_followed: int = 0

    def failures(self, allowed: dict[str, set[int]] | None = None) -> list[str]:
        """Every response that is not a page, a fragment, a download or a redirect to one."""
        problems = list(self.bad_links)
        for visit in self.visits.values():
            if visit.status in OK or visit.status in REDIRECTS:
                continue
            name = url_name(visit.url)
            if allowed and visit.status in allowed.get(name, set()):
                continue
            problems.append(f"{visit.status} on GET {visit.url} ({name}), linked by {visit.via} on {visit.found_on}")
        return problems


def url_name(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return "?"
    return match.view_name


def link_problem(link: Link) -> str | None:
    """Why a rendered link would not work, or None."""
    raw = link.raw.strip()
    if not link.url:
        return None  # another site, a phone number, an address: not ours to judge
    if "??" in raw or "&&" in raw or raw.endswith("?&") or " " in raw:
        return f"malformed href {raw!r}"
    parts = urlsplit(link.url)
    try:
        parse_qsl(parts.query, strict_parsing=bool(parts.query))
    except ValueError:
        return f"query does not parse in {raw!r}"
    if url_name(link.url) == "?":
        return f"no page answers {parts.path!r} (from {raw!r})"
    return None


def crawl(client: Client, persona: str, *, starts: tuple[str, ...] = ("/",), max_pages: int = 900) -> Crawl:
    result = Crawl(persona)
    seen_per_pattern: Counter[str] = Counter()
    queue: deque[tuple[str, str, str]] = deque((start, "(start)", "start") for start in starts)
    queued = set(starts)
    while queue and len(result.visits) < max_pages:
        url, found_on, via = queue.popleft()
        visit, page = fetch(client, url, found_on=found_on, via=via)
        result.visits[url] = visit
        if visit.redirects_to and visit.redirects_to not in queued:
            queued.add(visit.redirects_to)
            queue.appendleft((visit.redirects_to, url, "redirect"))
        if page is None:
            continue
        result.pages[url] = page
        for link in page.links:
            problem = link_problem(link)
            if problem:
                result.bad_links.append(f"{problem}: {link.kind} {link.text!r} on {url}")
                continue
            if not link.url or link.url in queued or link.url.startswith(NOT_FOLLOWED):
                continue
            pattern = url_name(link.url)
            if seen_per_pattern[pattern] >= (PER_ADMIN_PATTERN if pattern.startswith("admin:") else PER_PATTERN):
                continue
            seen_per_pattern[pattern] += 1
            queued.add(link.url)
            result.links_followed += 1
            queue.append((link.url, url, link.kind))
    return result


def fetch(client: Client, url: str, *, found_on: str = "", via: str = "a") -> tuple[Visit, Page | None]:
    """GET one URL as the browser would (htmx requests carry HX-Request); the page if it is HTML."""
    headers = {"HX-Request": "true"} if via == "hx-get" else {}
    response = client.get(url, headers=headers)
    content_type = response.get("Content-Type", "")
    visit = Visit(url, response.status_code, found_on, via, content_type)
    if response.status_code in REDIRECTS:
        location = Page.parse(url, "").resolve(response["Location"])
        visit.redirects_to = location
        return visit, None
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != 200 or not content_type.startswith("text/html"):
        return visit, None
    return visit, Page.parse(url, body.decode())
