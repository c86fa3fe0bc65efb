"""The pipeline board: columns per open stage with count, total and weighted amount; filters; moves."""

import datetime
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import Deal
from sales.views.board import CARDS_PER_COLUMN
from tests import factories
from tests.sales.helpers import deal_at, logged_in, open_deal_for, stage

pytestmark = pytest.mark.django_db

BOARD = reverse("sales:board")
HTMX = {"HX-Request": "true", "HX-Target": "board"}


def sized(deal: Deal, by, amount: str, **fields) -> Deal:
    return services.update_deal(deal_id=deal.pk, by=by, expected_version=deal.version, amount=Decimal(amount), **fields)


def column(response, slug: str) -> dict:
    return next(c for c in response.context["columns"] if c["stage"].slug == slug)


def move(client, deal: Deal, slug: str, version: int | None = None, **extra):
    data = {"stage": stage(slug).pk, "version": version or Deal.objects.get(pk=deal.pk).version, **extra}
    return client.post(reverse("sales:board-move", args=[deal.pk]), data, headers=HTMX)


def where(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return deal.stage.slug, deal.version, deal.stage_changes.count()


def test_the_board_has_a_column_per_open_stage_with_count_total_and_weighted_amount(rep):
    sized(open_deal_for(rep, title="A"), rep, "1000")
    sized(open_deal_for(rep, title="B"), rep, "3000")
    sized(deal_at(rep, "proposal", title="C"), rep, "10000")
    response = logged_in(rep).get(BOARD)
    assert response.status_code == 200
    assert [c["stage"].slug for c in response.context["columns"]] == [
        "discovery",
        "qualification",
        "proposal",
        "negotiation",
    ]
    discovery, proposal = column(response, "discovery"), column(response, "proposal")
    assert (discovery["count"], discovery["totals"][0]["total"], discovery["totals"][0]["weighted"]) == (
        2,
        Decimal("4000"),
        Decimal("400"),
    )
    assert (proposal["count"], proposal["totals"][0]["weighted"]) == (1, Decimal("5000"))
    assert [card.title for card in discovery["cards"]] == ["A", "B"]
    assert "No deals in negotiation" in response.text


def test_totals_never_add_up_different_currencies(rep):
    sized(open_deal_for(rep, title="Dollars"), rep, "1000")
    sized(open_deal_for(rep, title="Euros"), rep, "500", currency="EUR")
    totals = column(logged_in(rep).get(BOARD), "discovery")["totals"]
    assert [(row["currency"], row["total"]) for row in totals] == [("USD", Decimal("1000")), ("EUR", Decimal("500"))]


def test_closed_deals_are_not_on_the_board(rep):
    lost = open_deal_for(rep, title="Gone")
    services.close_deal(deal_id=lost.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    assert "Gone" not in logged_in(rep).get(BOARD).text


def test_a_salesperson_sees_only_their_deals_and_a_manager_their_teams(rep, teammate, manager, stranger):
    open_deal_for(rep, title="Sam's")
    open_deal_for(teammate, title="Sara's")
    open_deal_for(stranger, title="Stan's")
    titles = lambda user: {card.title for c in logged_in(user).get(BOARD).context["columns"] for card in c["cards"]}  # noqa: E731
    assert titles(rep) == {"Sam's"}
    assert titles(manager) == {"Sam's", "Sara's"}
    assert titles(stranger) == {"Stan's"}


def test_a_manager_filters_the_board_by_owner_and_by_expected_close_month(rep, teammate, manager):
    today = timezone.localdate()
    sized(open_deal_for(rep, title="Sam now"), rep, "1", expected_close=today)
    sized(open_deal_for(teammate, title="Sara now"), teammate, "1", expected_close=today)
    sized(
        open_deal_for(teammate, title="Sara later"), teammate, "1", expected_close=today + datetime.timedelta(days=70)
    )
    client = logged_in(manager)
    cards = lambda **q: [card.title for card in column(client.get(BOARD, q), "discovery")["cards"]]  # noqa: E731
    assert cards(owner=teammate.pk) == ["Sara now", "Sara later"]
    assert cards(month=today.strftime("%Y-%m")) == ["Sam now", "Sara now"]
    assert cards(owner=teammate.pk, month=today.strftime("%Y-%m")) == ["Sara now"]


def test_a_team_filter_shows_only_that_teams_deals(rep, stranger, admin_user):
    open_deal_for(rep, title="Inside")
    open_deal_for(stranger, title="Field")
    response = logged_in(admin_user).get(BOARD, {"team": stranger.sales_rep.team_id})
    assert [card.title for card in column(response, "discovery")["cards"]] == ["Field"]


@pytest.mark.parametrize("query", [{"month": "2025-13"}, {"month": "last week"}, {"owner": "abc"}, {"team": "999999"}])
def test_a_bad_filter_is_a_bad_request_that_names_it(manager, query):
    response = logged_in(manager).get(BOARD, query)
    assert response.status_code == 400
    assert response.context["filters"].errors
    assert 'role="alert"' in response.text


def test_a_salesperson_cannot_filter_on_someone_elses_deals(rep, teammate):
    open_deal_for(teammate, title="Sara's")
    response = logged_in(rep).get(BOARD, {"owner": teammate.pk})
    assert response.status_code == 400
    assert "Sara's" not in response.text


def test_deals_gone_quiet_stand_out(rep, settings):
    settings.LEADFLOW_STALE_DEAL_DAYS = 14
    quiet, busy = open_deal_for(rep, title="Quiet"), open_deal_for(rep, title="Busy")
    Deal.objects.filter(pk=quiet.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=20))
    response = logged_in(rep).get(BOARD)
    cards = {card.title: card.quiet_days for card in column(response, "discovery")["cards"]}
    assert cards == {"Quiet": 20, "Busy": 0}
    assert "No activity for 20 days" in response.text
    assert response.context["quiet_count"] == 1
    assert busy.pk


def test_a_long_column_shows_the_first_cards_and_links_to_the_rest(rep):
    Deal.objects.bulk_create(
        Deal(pipeline=stage("discovery").pipeline, stage=stage("discovery"), owner=rep, title=f"Deal {i}")
        for i in range(CARDS_PER_COLUMN + 3)
    )
    response = logged_in(rep).get(BOARD)
    discovery = column(response, "discovery")
    assert (len(discovery["cards"]), discovery["count"], discovery["more"]) == (
        CARDS_PER_COLUMN,
        CARDS_PER_COLUMN + 3,
        3,
    )
    assert f"{reverse('sales:deal-list')}?stage={stage('discovery').pk}" in response.text


def rows_of_every_page(client, href: str) -> list[str]:
    """The deal titles of a list, following its rendered Next links to the end."""
    titles = []
    while href:
        page = BeautifulSoup(client.get(href).text, "html.parser")
        titles += [link.text.strip() for link in page.select("td a.cell-title")]
        following = page.select_one("a[rel=next]")
        href = following and urljoin(href, following["href"])
    return titles


def test_a_filtered_columns_more_link_opens_exactly_the_deals_it_counts(rep, teammate, manager):
    pipeline = stage("discovery").pipeline
    Deal.objects.bulk_create(
        Deal(
            pipeline=pipeline, stage=stage("discovery"), owner=teammate, team=teammate.sales_rep.team, title=f"Sara {i}"
        )
        for i in range(CARDS_PER_COLUMN + 3)
    )
    for i in range(4):
        open_deal_for(rep, title=f"Sam {i}")
    client = logged_in(manager)
    board = BeautifulSoup(client.get(BOARD, {"owner": teammate.pk}).text, "html.parser")
    discovery = board.select_one(f'[data-stage="{stage("discovery").pk}"]')
    count = int(discovery.select_one(".badge").text)
    more = discovery.select_one("a.kanban-col-more")
    assert (count, more.text.split()[0]) == (CARDS_PER_COLUMN + 3, "3")

    titles = rows_of_every_page(client, more["href"])
    assert len(titles) == count
    assert all(title.startswith("Sara ") for title in titles)


@pytest.mark.parametrize(
    "query, named",
    [({"owner": "abc"}, "Owner:"), ({"month": "2026-13"}, "Expected close:"), ({"team": "9999"}, "Team:")],
)
def test_a_bad_filter_on_the_deal_list_is_a_bad_request_that_names_it(manager, query, named):
    response = logged_in(manager).get(reverse("sales:deal-list"), query)
    assert response.status_code == 400
    assert named in response.text


def test_the_board_costs_the_same_queries_for_many_deals_owners_and_stages(rep, teammate, manager):
    client = logged_in(manager)
    open_deal_for(rep)
    client.get(BOARD)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BOARD).status_code == 200
    for i in range(12):
        deal_at(
            rep if i % 2 else teammate, ["discovery", "qualification", "proposal", "negotiation"][i % 4], title=f"D{i}"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(BOARD).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("persona", ["marketer"])
def test_the_board_is_for_sales(request, persona):
    assert logged_in(request.getfixturevalue(persona)).get(BOARD).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(BOARD).status_code == 302


# --- moving cards -------------------------------------------------------------------------


def test_a_move_redraws_the_board_with_the_card_in_its_new_column_and_says_so(rep):
    deal = open_deal_for(rep, title="Initech")
    response = move(logged_in(rep), deal, "qualification")
    assert response.status_code == 200
    assert where(deal) == ("qualification", 2, 2)
    assert [card.title for card in column(response, "qualification")["cards"]] == ["Initech"]
    assert "Moved Initech to Qualification." in response.text
    assert f'id="move-{deal.pk}" name="stage" data-focus' in response.text  # focus goes back to the card


def test_an_illegal_move_is_refused_with_the_reason_and_the_card_snaps_back(rep):
    deal = open_deal_for(rep, title="Initech")
    before = where(deal)
    response = move(logged_in(rep), deal, "negotiation")
    assert response.status_code == 409
    assert "cannot move from Discovery to Negotiation" in response.text
    assert "The card is back where it was." in response.text
    assert [card.title for card in column(response, "discovery")["cards"]] == ["Initech"]
    assert where(deal) == before


@pytest.mark.parametrize("slug", ["won", "lost"])
def test_won_and_lost_are_not_reached_by_dragging(rep, slug):
    deal = deal_at(rep, "negotiation")
    before = where(deal)
    response = move(logged_in(rep), deal, slug)
    assert response.status_code == 409
    assert "Use Won or Lost" in response.text
    assert where(deal) == before


def test_a_move_from_a_stale_board_is_a_conflict(rep, manager):
    deal = open_deal_for(rep)
    services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=manager, expected_version=1)
    before = where(deal)
    response = move(logged_in(rep), deal, "proposal", version=1)
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.text
    assert where(deal) == before


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "abc", "version": 1},
        {"version": 1},
        {"stage": "1"},
        {"stage": "1", "version": "0"},
        {"stage": "99999999999999999999999", "version": 1},
    ],
)
def test_a_malformed_move_is_a_bad_request(rep, data):
    deal = open_deal_for(rep)
    before = where(deal)
    response = logged_in(rep).post(reverse("sales:board-move", args=[deal.pk]), data, headers=HTMX)
    assert response.status_code == 400
    assert where(deal) == before


def test_a_move_without_a_stage_says_to_choose_one(rep):
    deal = open_deal_for(rep)
    response = logged_in(rep).post(
        reverse("sales:board-move", args=[deal.pk]), {"stage": "", "version": 1}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Choose the stage to move it to." in response.text
    assert where(deal)[0] == "discovery"


def test_a_stage_of_another_pipeline_is_a_bad_request(rep):
    other = services.create_pipeline(name="Partners")
    deal = open_deal_for(rep)
    before = where(deal)
    foreign = other.stages.get(slug="qualification")
    response = logged_in(rep).post(
        reverse("sales:board-move", args=[deal.pk]), {"stage": foreign.pk, "version": 1}, headers=HTMX
    )
    assert response.status_code == 400
    assert where(deal) == before


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_another_salesperson_cannot_move_my_deal(request, rep, persona):
    deal = open_deal_for(rep)
    before = where(deal)
    assert move(logged_in(request.getfixturevalue(persona)), deal, "qualification", version=1).status_code == 404
    assert where(deal) == before


def test_a_marketer_cannot_move_a_deal(rep, marketer):
    deal = open_deal_for(rep)
    assert move(logged_in(marketer), deal, "qualification", version=1).status_code == 403
    assert where(deal)[0] == "discovery"


def test_the_manager_moves_a_teammates_deal(rep, manager):
    deal = open_deal_for(rep)
    assert move(logged_in(manager), deal, "qualification").status_code == 200
    assert where(deal)[0] == "qualification"


def test_a_move_keeps_the_filters_of_the_board(rep, teammate, manager):
    mine = open_deal_for(rep, title="Sam's")
    open_deal_for(teammate, title="Sara's")
    response = move(logged_in(manager), mine, "qualification", owner=rep.pk)
    titles = {card.title for c in response.context["columns"] for card in c["cards"]}
    assert titles == {"Sam's"}


def test_without_javascript_a_move_redirects_back_to_the_board_with_a_message(rep):
    deal = open_deal_for(rep, title="Initech")
    client = logged_in(rep)
    response = client.post(
        reverse("sales:board-move", args=[deal.pk]), {"stage": stage("qualification").pk, "version": 1}
    )
    assert (response.status_code, response["Location"]) == (303, BOARD)
    assert "Moved Initech to Qualification." in client.get(BOARD).text


def test_each_card_offers_only_the_moves_the_pipeline_allows(rep):
    deal_at(rep, "proposal", title="Mid")
    response = logged_in(rep).get(BOARD)
    assert [s.slug for s in column(response, "proposal")["allowed"]] == ["qualification", "negotiation"]


def test_cards_of_another_teams_manager_are_not_shown(rep, other_team):
    open_deal_for(rep, title="Ours")
    olga = factories.sales_manager(other_team, username="olga")
    assert "Ours" not in logged_in(olga).get(BOARD).text


def test_script_in_a_title_is_shown_as_text_on_the_board(rep):
    open_deal_for(rep, title="<script>alert(1)</script>")
    text = logged_in(rep).get(BOARD).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_a_filter_chosen_on_the_board_brings_a_link_that_clears_it(rep, teammate, manager):
    open_deal_for(rep, title="Initech")
    open_deal_for(teammate, title="Globex")
    client = logged_in(manager)
    redrawn = client.get(BOARD, {"owner": teammate.pk}, headers=HTMX)  # what htmx swaps in on a change
    assert "Initech" not in redrawn.text
    clear = BeautifulSoup(redrawn.text, "html.parser").find("a", string="Clear filters")
    board = client.get(clear["href"])
    assert "Initech" in board.text and "Globex" in board.text
    assert BeautifulSoup(board.text, "html.parser").find("a", string="Clear filters") is None
