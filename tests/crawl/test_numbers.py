"""Every number that links somewhere equals what it opens.

A linked figure says what it counts (data-count: the rows of the list it opens; data-sum:
the sum of those rows' data-amount). For each persona, on the dashboard as the filter form
offers it — every period preset, every attribution model, one team and one channel — each
figure is checked against all pages of its list. The cases come from the rendered pages,
so a new tile is covered the day it appears; a linked number that declares nothing fails.
"""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from . import quality
from .conftest import client_for
from .crawler import fetch, url_name
from .page import Figure, Page, form_defaults

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
DASHBOARD_PERSONAS = ["marketer", "salesperson", "other-team salesperson", "sales manager", "admin"]
NUMBER = re.compile(r"^(?P<money>\$)?(?P<value>[\d,]+(?:\.\d+)?)(?P<suffix>[kMB])?")
SUFFIXES = {"k": Decimal(1000), "M": Decimal(10**6), "B": Decimal(10**9)}


def dashboard_variants(client) -> dict[str, Page]:
    """The dashboard as first shown, then the filter form submitted with one choice changed."""
    _, first = fetch(client, "/dashboard/")
    form = first.main.find("form", attrs={"aria-label": "Filters"})
    defaults = dict(form_defaults(form))
    pages = {"as first shown": first}
    for name in ("period", "model", "team", "channel"):
        select = form.find("select", attrs={"name": name})
        if select is None:  # not offered to this persona (team: managers and admins)
            continue
        choices = [option.get("value") for option in select.find_all("option")]
        choices = [value for value in choices if value not in ("", "custom", defaults.get(name))]
        for value in choices:
            query = {**defaults, name: value}
            query.pop("start", None), query.pop("end", None)  # disabled: a preset sets its own dates
            _, page = fetch(client, f"{form.get('action')}?{urlencode(query)}")
            if name in ("team", "channel") and not page.figures():
                continue  # one with numbers is enough: try the next
            pages[f"{name}={value}"] = page
            if name in ("team", "channel"):
                break
    return pages


def list_totals(client, url: str, memo: dict) -> tuple[int, Decimal, str]:
    """(rows, sum of their data-amount, title) over every page of the list at url."""
    if url in memo:
        return memo[url]
    rows, total, hops = 0, Decimal(0), 0
    visit, page = fetch(client, url)
    assert visit.status == 200 and page, f"{url} answered {visit.status}"
    title = page.title()
    while True:
        for row in page.rows():
            rows += 1
            total += Decimal(row.get("data-amount") or 0)
        following = page.rel("next")
        if following is None or hops > 200:
            break
        visit, page = fetch(client, following.url)
        assert visit.status == 200 and page, f"{following.url} answered {visit.status}"
        hops += 1
    memo[url] = rows, total, title
    return memo[url]


def shown_value(text: str) -> tuple[Decimal, Decimal, bool] | None:
    """The number a link's text shows: (value, how far rounding may move it, is money)."""
    match = NUMBER.match(text)
    if not match:
        return None
    value = Decimal(match["value"].replace(",", ""))
    suffix = SUFFIXES.get(match["suffix"] or "", Decimal(1))
    decimals = len(match["value"].split(".")[1]) if "." in match["value"] else 0
    return value * suffix, suffix * Decimal(10) ** -decimals / 2, bool(match["money"])


def check(figure: Figure, rows: int, total: Decimal, title: str) -> list[str]:
    where = f"{figure.text!r} under {figure.where!r} → {figure.url} ({title!r})"
    problems = []
    if figure.count is not None and figure.count != rows:
        problems.append(f"says {figure.count}, its list has {rows} rows: {where}")
    if figure.total is not None and figure.total != total:
        problems.append(f"says {figure.total}, its list sums to {total}: {where}")
    shown = shown_value(figure.text)
    if shown is not None:
        value, rounding, money = shown
        declared = figure.total if money else figure.count
        if declared is None or abs(value - Decimal(declared)) > rounding + Decimal("0.5"):
            problems.append(f"shows {value} but declares {declared}: {where}")
    return problems


@pytest.mark.parametrize("persona", DASHBOARD_PERSONAS)
def test_every_dashboard_figure_equals_the_list_it_opens(demo, persona):
    client, memo = client_for(persona), {}
    problems, checked = [], 0
    variants = dashboard_variants(client)
    for variant, page in variants.items():
        undeclared = [a for a in page.numeric_links() if not a["href"].startswith("#") and "data-count" not in
                      a.attrs and "data-sum" not in a.attrs]  # fmt: skip
        problems += [f"[{variant}] linked number {a.get_text(' ', strip=True)!r} declares nothing" for a in undeclared]
        for figure in page.figures():
            problems += [f"[{variant}] {problem}" for problem in check(figure, *list_totals(client, figure.url, memo))]
            checked += 1
    quality.record(persona, dashboards_checked=len(variants), figures_checked=checked, lists_opened=len(memo))
    assert checked > 20, "the demo dashboard should link its numbers"
    assert problems == []


@pytest.mark.parametrize("persona", DASHBOARD_PERSONAS)
def test_every_linked_number_on_every_page_declares_and_equals_what_it_opens(crawls, persona):
    """Beyond the dashboard: a count on the board, my day, a report — wherever a number links."""
    crawl, client, memo = crawls(persona), client_for(persona), {}
    problems, checked = [], 0
    for url, page in crawl.pages.items():
        if url.startswith("/admin/") or url_name(url) == "dashboard:overview":
            continue  # Django's admin: ids and page numbers, not figures; the dashboard: above
        problems += [
            f"{url}: linked number {a.get_text(' ', strip=True)!r} → {a['href']} declares nothing"
            for a in page.numeric_links()
            if not a["href"].startswith("#") and "data-count" not in a.attrs and "data-sum" not in a.attrs
        ]
        for figure in page.figures():
            problems += [f"{url}: {problem}" for problem in check(figure, *list_totals(client, figure.url, memo))]
            checked += 1
    quality.record(persona, figures_checked_elsewhere=checked)
    assert problems == []


def test_the_shown_value_reader_understands_the_formats_pages_use():
    assert shown_value("$588k") == (Decimal(588000), Decimal(500), True)
    assert shown_value("$1.2M") == (Decimal("1200000.0"), Decimal(50000), True)
    assert shown_value("19") == (Decimal(19), Decimal("0.5"), False)
    assert shown_value("1,204 leads") == (Decimal(1204), Decimal("0.5"), False)
    assert shown_value("Webinar") is None
