"""The deal page offers exactly the moves and closes the pipeline's transition table allows, and says
why an action is not possible yet; every test submits the forms the page rendered."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from sales import services
from sales.models import Deal
from tests.sales.helpers import deal_at, logged_in, stage
from tests.sales.pages import post_forms, unavailable

pytestmark = pytest.mark.django_db

ACTIONS = {"Move", "Mark won", "Mark lost", "Reopen deal"}
WON_LATER = "Won is possible from Negotiation: move the deal there first."


def deal_page(client, deal: Deal):
    """Open the deal the way a salesperson does: from the deal list, by its link."""
    listing = BeautifulSoup(client.get(reverse("sales:deal-list")).text, "html.parser")
    href = next(link["href"] for link in listing.select("a[href]") if link.text.strip() == deal.title)
    response = client.get(href)
    assert response.status_code == 200
    return response


def offered(response) -> list[str]:
    return sorted(set(post_forms(response.text)) & ACTIONS)


def row(deal: Deal) -> tuple:
    """What a refused or empty action must leave untouched."""
    deal = Deal.objects.get(pk=deal.pk)
    return (deal.stage.slug, deal.version, deal.closed_at, deal.stage_changes.count())


@pytest.mark.parametrize(
    "slug, moves, actions, shown_unavailable",
    [
        ("discovery", ["Qualification"], ["Mark lost", "Move"], {"Mark won": WON_LATER}),
        ("qualification", ["Discovery", "Proposal"], ["Mark lost", "Move"], {"Mark won": WON_LATER}),
        ("proposal", ["Qualification", "Negotiation"], ["Mark lost", "Move"], {"Mark won": WON_LATER}),
        ("negotiation", ["Proposal"], ["Mark lost", "Mark won", "Move"], {}),
    ],
)
def test_the_deal_page_offers_exactly_the_moves_and_closes_the_pipeline_allows_at_each_stage(
    rep, slug, moves, actions, shown_unavailable
):
    deal = deal_at(rep, slug, title="Initech")
    response = deal_page(logged_in(rep), deal)
    assert offered(response) == actions
    move = post_forms(response.text)["Move"]
    assert [label for _value, label in move.options["stage"]] == [f"{stage(slug).name} (now)", *moves]
    assert unavailable(response.text) == shown_unavailable


@pytest.mark.parametrize("slug", ["discovery", "qualification", "proposal", "negotiation"])
def test_every_move_the_page_offers_is_accepted(rep, slug):
    client = logged_in(rep)
    first = deal_at(rep, slug, title="Initech")
    labels = [label for _value, label in post_forms(deal_page(client, first).text)["Move"].options["stage"][1:]]
    for index, label in enumerate(labels):
        deal = first if index == 0 else deal_at(rep, slug, title=f"Initech {index}")
        move = post_forms(deal_page(client, deal).text)["Move"]
        response = client.post(move.action, move.data(stage=move.option("stage", label)))
        assert response.status_code == 303
        assert Deal.objects.get(pk=deal.pk).stage.name == label


@pytest.mark.parametrize("slug", ["discovery", "proposal", "negotiation"])
def test_submitting_the_move_form_as_rendered_leaves_the_deal_where_it_is(rep, slug):
    client = logged_in(rep)
    deal = deal_at(rep, slug, title="Initech")
    before = row(deal)
    move = post_forms(deal_page(client, deal).text)["Move"]
    response = client.post(move.action, move.data(), follow=True)
    assert response.redirect_chain[-1][1] == 303
    assert f"The deal stays in {stage(slug).name}: choose another stage to move it." in response.text
    assert row(deal) == before


def test_the_untouched_move_form_of_a_page_gone_stale_is_a_conflict(rep, manager):
    client = logged_in(rep)
    deal = deal_at(rep, "proposal", title="Initech")
    move = post_forms(deal_page(client, deal).text)["Move"]
    services.update_deal(deal_id=deal.pk, by=manager, expected_version=deal.version, title="Initech")
    before = row(deal)
    response = client.post(move.action, move.data())
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.text
    assert row(deal) == before


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_another_salesperson_posting_the_move_form_gets_404_and_nothing_moves(request, rep, persona):
    deal = deal_at(rep, "proposal", title="Initech")
    move = post_forms(deal_page(logged_in(rep), deal).text)["Move"]
    before = row(deal)
    other = logged_in(request.getfixturevalue(persona))
    assert other.post(move.action, move.data()).status_code == 404
    assert other.post(move.action, move.data(stage=move.option("stage", "Negotiation"))).status_code == 404
    assert row(deal) == before


def test_the_won_form_the_page_offers_in_negotiation_wins_the_deal(rep):
    client = logged_in(rep)
    deal = deal_at(rep, "negotiation", title="Initech")
    won = post_forms(deal_page(client, deal).text)["Mark won"]
    assert client.post(won.action, won.data(amount="64000")).status_code == 303
    deal.refresh_from_db()
    assert (deal.stage.slug, str(deal.amount)) == ("won", "64000.00")


@pytest.mark.parametrize("slug", ["discovery", "qualification", "proposal"])
def test_winning_before_negotiation_is_still_refused_as_a_conflict_and_changes_nothing(rep, slug):
    deal = deal_at(rep, slug, title="Initech")
    before = row(deal)
    response = logged_in(rep).post(
        reverse("sales:deal-won", args=[deal.pk]), {"amount": "5000", "version": deal.version}
    )
    assert response.status_code == 409
    assert f"cannot move from {stage(slug).name} to Won" in response.text
    assert row(deal) == before


@pytest.mark.parametrize("slug", ["proposal", "negotiation", "won", "lost"])
def test_a_move_the_table_does_not_allow_is_a_conflict_with_its_reason(rep, slug):
    deal = deal_at(rep, "discovery", title="Initech")
    before = row(deal)
    response = logged_in(rep).post(
        reverse("sales:deal-move", args=[deal.pk]), {"stage": stage(slug).pk, "version": deal.version}
    )
    assert response.status_code == 409
    reason = "Use Won or Lost to close a deal." if slug in ("won", "lost") else "cannot move from Discovery to"
    assert reason in response.text
    assert row(deal) == before


def test_the_page_follows_the_table_a_manager_edits(rep, manager):
    """Proposal may now close as won, and Discovery can no longer be lost: the page says so at once."""
    pipeline = services.default_pipeline()
    table = services.transition_table(pipeline_id=pipeline.pk)
    moves = [
        (a, b) for a, targets in table.items() for b in targets if (a, b) != (stage("discovery").pk, stage("lost").pk)
    ]
    services.set_transitions(pipeline_id=pipeline.pk, moves=[*moves, (stage("proposal").pk, stage("won").pk)])
    client = logged_in(rep)

    early = deal_at(rep, "discovery", title="Globex")
    page = deal_page(client, early)
    assert offered(page) == ["Move"]
    assert unavailable(page.text) == {
        "Mark won": "Won is possible from Proposal or Negotiation: move the deal there first.",
        "Mark lost": "Lost is possible from Qualification, Proposal or Negotiation: move the deal there first.",
    }

    deal = deal_at(rep, "proposal", title="Initech")
    won = post_forms(deal_page(client, deal).text)["Mark won"]
    assert client.post(won.action, won.data(amount="1000")).status_code == 303
    assert Deal.objects.get(pk=deal.pk).stage.slug == "won"


def test_a_closed_deal_offers_a_manager_reopen_and_tells_a_salesperson_who_can(rep, manager):
    deal = deal_at(rep, "proposal", title="Initech")
    services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=deal.version)

    page = deal_page(logged_in(rep), deal)
    assert offered(page) == []
    assert "Only a sales manager can reopen a closed deal." in page.text

    client = logged_in(manager)
    page = deal_page(client, deal)
    assert offered(page) == ["Reopen deal"]
    reopen = post_forms(page.text)["Reopen deal"]
    assert client.post(reopen.action, reopen.data()).status_code == 303
    assert Deal.objects.get(pk=deal.pk).stage.slug == "proposal"
