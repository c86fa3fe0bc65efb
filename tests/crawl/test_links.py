"""Every persona clicks through the demo as a new user would: every link, GET form and htmx
request the pages render opens; every Next shows new rows and Previous returns to them;
every tab and sort link does what it says."""

import pytest

from . import quality
from .conftest import PERSONAS, client_for
from .crawler import fetch, url_name

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
SIGNED_IN = [persona for persona, username in PERSONAS.items() if username]


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_link_a_persona_is_shown_opens(crawls, persona):
    crawl = crawls(persona)
    quality.record(persona, pages_crawled=len(crawl.visits), links_followed=crawl.links_followed)
    assert crawl.failures() == []


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_a_signed_in_persona_reaches_the_pages_of_their_role(crawls, persona):
    reached = {url_name(url) for url in crawls(persona).pages}
    expected = {
        "marketer": {
            "marketing:lead-list",
            "marketing:campaign-detail",
            "marketing:import-list",
            "insights:scorecards",
        },
        "salesperson": {"handoff:inbox", "sales:board", "sales:deal-detail", "sales:my-day", "dashboard:overview"},
        "other-team salesperson": {"handoff:inbox", "sales:board", "sales:deal-detail"},
        "sales manager": {"dashboard:overview", "dashboard:deals", "handoff:routing", "handoff:team-settings"},
        "admin": {"dashboard:overview", "admin:index", "marketing:lead-detail", "sales:deal-detail"},
    }[persona]
    assert expected <= reached, f"not reached: {expected - reached}"


def test_a_visitor_reaches_the_login_page_and_the_public_forms_only(crawls):
    reached = {url_name(url) for url in crawls("anonymous").pages}
    assert {"login", "marketing:capture-form"} <= reached
    assert reached <= {"login", "marketing:capture-form", "marketing:capture-thanks"}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_next_shows_new_rows_and_previous_brings_back_the_first(crawls, persona):
    crawl, client = crawls(persona), client_for(persona)
    lists = [(url, page) for url, page in crawl.pages.items() if page.rel("next")]
    if persona in ("marketer", "admin", "sales manager"):
        assert lists, "the demo has lists longer than a page: expected a Next link"
    for url, page in lists:
        seen = page.row_keys()
        assert seen, f"{url} offers Next but shows no rows"
        current, hops = page, 0
        while (next_link := current.rel("next")) and hops < 20:
            visit, following = fetch(client, next_link.url)
            assert visit.status == 200 and following, f"Next on {url} answered {visit.status}"
            rows = following.row_keys()
            assert rows, f"Next on {url} ({next_link.url}) shows no rows"
            assert not set(rows) & set(seen), f"Next on {url} repeats rows: {next_link.url}"
            back = following.rel("prev")
            assert back, f"{next_link.url} has no Previous link"
            _, previous = fetch(client, back.url)
            assert previous.row_keys() == current.row_keys(), f"Previous on {next_link.url} does not return"
            assert previous.title() == page.title(), f"Previous on {next_link.url} dropped the list's filters"
            seen += rows
            current, hops = following, hops + 1


def sample(crawl, per_pattern: int = 3):
    """A few pages of each kind: a tab or sort link behaves the same on every lead page."""
    taken: dict[str, int] = {}
    for url, page in list(crawl.pages.items()):
        name = url_name(url)
        if not name.startswith("admin:") and taken.get(name, 0) < per_pattern:  # Django's admin: not our UI
            taken[name] = taken.get(name, 0) + 1
            yield url, page


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_every_tab_shows_its_own_content(crawls, persona):
    crawl, client = crawls(persona), client_for(persona)
    checked = 0
    for url, page in sample(crawl):
        for tab in page.tabs():
            visit, opened = fetch(client, tab.url)
            assert visit.status == 200 and opened, f"tab {tab.text!r} on {url} answered {visit.status}"
            assert tab.text in opened.current_tabs(), f"tab {tab.text!r} on {url} opens {opened.current_tabs()}"
            assert opened.content() != page.content(), f"tab {tab.text!r} on {url} shows the same content"
            checked += 1
    if persona in ("marketer", "sales manager", "admin"):
        assert checked, "expected tabs (scorecards, SLA report, calendar)"


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_every_sort_link_sorts_by_its_column(crawls, persona):
    crawl, client = crawls(persona), client_for(persona)
    checked = 0
    for url, page in sample(crawl):
        for sort in page.sorts():
            visit, sorted_page = fetch(client, sort.url)
            assert visit.status == 200 and sorted_page, f"sorting by {sort.text!r} on {url} answered {visit.status}"
            label = sort.text.rstrip(" ↑↓")
            assert sorted_page.sorted_column().rstrip(" ↑↓") == label, f"{sort.url} does not sort by {label!r}"
            checked += 1
    if persona in ("marketer", "admin"):
        assert checked, "expected sortable columns (scorecards)"
