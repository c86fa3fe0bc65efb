"""The same crawl in Chromium, once per persona: every kind of page each persona reaches,
opened in a real browser with its htmx requests, must log no console error, no CSP
violation, no failed request, and have no serious or critical axe-core violation."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from devtools.demo.data import PASSWORD
from tests.browser.axe import axe_violations, format_pages, require_axe

from . import quality
from .conftest import PERSONAS
from .crawler import url_name

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db]
IMPACTS = ("minor", "moderate", "serious", "critical")  # all are counted in the report
BLOCKING = ("serious", "critical")  # these fail the test
# Pages of a kind opened in the browser (the HTTP crawl already opened every one).
PER_PATTERN = 2
# Collects what the page reports; Chromium logs CSP violations to the console as well, but
# the event also names the directive and the blocked resource.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


@pytest.fixture(scope="package")
def demo_server(demo, django_db_blocker) -> Iterator[str]:
    """The demo served over real HTTP from a thread, with its static files."""
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://127.0.0.1:{server.port}"
        finally:
            server.terminate()


def pages_to_open(crawl) -> list[str]:
    """A few pages of each kind the persona reached, in the order the crawl found them."""
    chosen, per_pattern = [], {}
    for url in crawl.pages:
        name = url_name(url)
        if crawl.visits[url].via == "hx-get" or name.startswith("admin:"):
            continue  # fragments open inside their page; Django's admin is not ours to restyle
        if per_pattern.get(name, 0) < PER_PATTERN:
            per_pattern[name] = per_pattern.get(name, 0) + 1
            chosen.append(url)
    return chosen


class Watcher:
    """What goes wrong in one browser context: console errors, page errors, failed requests."""

    def __init__(self, context, origin: str):
        self.problems: list[str] = []
        self.where = ""
        context.add_init_script(WATCH)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"{self.where}: {error.error}"))
        context.on("response", lambda response: self._response(response, origin))

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"{self.where}: console: {message.text}")

    def _response(self, response, origin: str) -> None:
        if response.url.startswith(origin) and response.status >= 400:
            self.problems.append(f"{self.where}: {response.status} on {response.request.method} {response.url}")


def exercise_htmx(page) -> int:
    """Change the first choice of every form that htmx sends on change, as a user would."""
    changed = 0
    for form in page.locator("form[hx-get][hx-trigger*=change]").all():
        select = form.locator("select").first
        if not select.count() or not select.is_visible():
            continue
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        current = select.input_value()
        other = next((value for value in values if value and value != current), None)
        if other is None:
            continue
        with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true"):
            select.select_option(other)
        page.wait_for_load_state("networkidle")
        changed += 1
    return changed


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_kind_of_page_works_in_a_real_browser(crawls, demo_server, browser, persona):
    urls = pages_to_open(crawls(persona))
    require_axe()
    context = browser.new_context(base_url=demo_server, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)
    watcher = Watcher(context, demo_server)
    page = context.new_page()
    username = PERSONAS[persona]
    if username:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    accessibility, htmx_changes = {}, 0
    try:
        for url in urls:
            watcher.where = url
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if urlsplit(page.url).path.startswith("/accounts/login") and username:
                watcher.problems.append(f"{url}: sent to the login page")
            accessibility[url] = axe_violations(page, impacts=IMPACTS)
            htmx_changes += exercise_htmx(page)
            violations = page.evaluate("window.__violations || []")
            watcher.problems += [f"{url}: CSP: {violation}" for violation in violations]
    finally:
        context.close()
    found = {url: [v for v in found if v["impact"] in BLOCKING] for url, found in accessibility.items()}
    found = {url: violations for url, violations in found.items() if violations}
    quality.record(persona, browser_pages=len(urls), htmx_changes=htmx_changes,
                   axe=quality.by_impact(accessibility))  # fmt: skip
    assert len(urls) >= (2 if persona == "anonymous" else 10)
    assert watcher.problems == []
    assert not found, format_pages(found)
