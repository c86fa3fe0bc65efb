import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales import services
from sales.models import Deal, Stage
from sales.views.deals import DEALS_PER_PAGE
from tests import factories

pytestmark = pytest.mark.django_db

OPEN_SLUGS = ["discovery", "qualification", "proposal", "negotiation"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stage(slug: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, slug=slug)


def open_deal_for(owner, title: str = "Analytical Engines", **fields) -> Deal:
    return services.open_deal(owner_id=owner.pk, team_id=owner.sales_rep.team_id, title=title, **fields)


def walk_to(deal: Deal, slug: str, by) -> Deal:
    for next_slug in OPEN_SLUGS[1 : OPEN_SLUGS.index(slug) + 1]:
        deal = services.move_deal(
            deal_id=deal.pk, to_stage_id=stage(next_slug).pk, by=by, expected_version=deal.version
        )
    return deal


def row(deal: Deal) -> tuple:
    """What a refused action must leave untouched."""
    deal = Deal.objects.get(pk=deal.pk)
    return (deal.stage.slug, deal.version, deal.amount, deal.closed_at, deal.lost_reason, deal.stage_changes.count())


def url(name: str, deal: Deal) -> str:
    return reverse(f"sales:{name}", args=[deal.pk])


@pytest.fixture
def deal(rep):
    return open_deal_for(rep, contact_name="Ada Lovelace")


@pytest.fixture
def lost_deal(rep):
    deal = walk_to(open_deal_for(rep, title="Difference Engines"), "proposal", rep)
    return services.close_deal(
        deal_id=deal.pk, won=False, lost_reason="Chose a competitor", by=rep, expected_version=deal.version
    )


# --- who sees what --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["deal-list", "deal-detail"])
def test_anonymous_visitors_are_sent_to_log_in(client, deal, name):
    target = reverse("sales:deal-list") if name == "deal-list" else url(name, deal)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["deal-list", "deal-detail"])
def test_a_marketer_may_not_open_deal_pages(marketer, deal, name):
    target = reverse("sales:deal-list") if name == "deal-list" else url(name, deal)
    assert logged_in(marketer).get(target).status_code == 403


def test_the_owner_sees_their_deal_in_the_list_and_on_its_page(rep, deal):
    client = logged_in(rep)
    listing = client.get(reverse("sales:deal-list"))
    assert listing.status_code == 200
    assert list(listing.context["deals"]) == [deal]
    page = client.get(url("deal-detail", deal))
    assert page.status_code == 200
    assert page.context["deal"] == deal
    assert "Ada Lovelace" in page.text


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_another_salesperson_neither_sees_nor_finds_the_deal(request, deal, persona):
    client = logged_in(request.getfixturevalue(persona))
    listing = client.get(reverse("sales:deal-list"))
    assert listing.status_code == 200
    assert deal not in listing.context["deals"]
    assert "Analytical Engines" not in listing.text
    assert client.get(url("deal-detail", deal)).status_code == 404


def test_the_team_manager_sees_the_teams_deals_but_not_other_teams(rep, teammate, manager, stranger):
    ours = [open_deal_for(rep, title="Ours 1"), open_deal_for(teammate, title="Ours 2")]
    theirs = open_deal_for(stranger, title="Theirs")
    client = logged_in(manager)
    assert set(client.get(reverse("sales:deal-list")).context["deals"]) == set(ours)
    assert client.get(url("deal-detail", ours[1])).status_code == 200
    assert client.get(url("deal-detail", theirs)).status_code == 404


def test_an_admin_sees_every_deal(rep, stranger, admin_user):
    deals = {open_deal_for(rep, title="Ours"), open_deal_for(stranger, title="Theirs")}
    client = logged_in(admin_user)
    assert set(client.get(reverse("sales:deal-list")).context["deals"]) == deals
    assert all(client.get(url("deal-detail", deal)).status_code == 200 for deal in deals)


def test_an_empty_list_says_where_deals_come_from(rep):
    response = logged_in(rep).get(reverse("sales:deal-list"))
    assert "No deals yet" in response.text


def test_script_in_a_deal_title_or_contact_is_shown_as_text(rep):
    script = "<script>alert('x')</script>"
    deal = open_deal_for(rep, title=script, contact_name=script, company=script, contact_email=script)
    client = logged_in(rep)
    for response in (client.get(url("deal-detail", deal)), client.get(reverse("sales:deal-list"))):
        assert response.status_code == 200
        assert script not in response.text
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.text


# --- moving -----------------------------------------------------------------------------


def test_moving_a_deal_one_step_redirects_back_to_it(rep, deal):
    response = logged_in(rep).post(url("deal-move", deal), {"stage": stage("qualification").pk, "version": 1})
    assert response.status_code == 303
    assert response["Location"] == url("deal-detail", deal)
    assert row(deal)[:2] == ("qualification", 2)


def test_a_move_from_a_stale_page_is_a_conflict_that_says_so_and_changes_nothing(rep, manager, deal):
    services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=manager, expected_version=1)
    before = row(deal)
    response = logged_in(rep).post(url("deal-move", deal), {"stage": stage("discovery").pk, "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.text
    assert response.context["move_form"]["version"].value() == 2  # the page now carries the fresh version
    assert row(deal) == before


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "abc", "version": 1},
        {"stage": "", "version": 1},
        {"version": 1},
        {"stage": "999999", "version": 1},
        {"stage": "99999999999999999999", "version": 1},
    ],
)
def test_a_malformed_move_is_a_bad_request(rep, deal, data):
    before = row(deal)
    assert logged_in(rep).post(url("deal-move", deal), data).status_code == 400
    assert row(deal) == before


@pytest.mark.parametrize("version", ["", "abc", "0", "-1"])
def test_a_move_without_a_valid_version_is_a_bad_request_that_says_why(rep, deal, version):
    before = row(deal)
    response = logged_in(rep).post(url("deal-move", deal), {"stage": stage("qualification").pk, "version": version})
    assert response.status_code == 400
    assert "Reload the page" in response.text
    assert row(deal) == before


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_another_salesperson_cannot_act_on_the_deal(request, deal, persona):
    client = logged_in(request.getfixturevalue(persona))
    before = row(deal)
    for name, data in [
        ("deal-move", {"stage": stage("qualification").pk, "version": 1}),
        ("deal-lost", {"lost_reason": "Not mine", "version": 1}),
        ("deal-won", {"amount": "1", "version": 1}),
    ]:
        assert client.post(url(name, deal), data).status_code == 404
    assert row(deal) == before


def test_a_marketer_cannot_act_on_a_deal(marketer, deal):
    before = row(deal)
    response = logged_in(marketer).post(url("deal-lost", deal), {"lost_reason": "x", "version": 1})
    assert response.status_code == 403
    assert row(deal) == before


def test_anonymous_posts_go_to_log_in_and_change_nothing(client, deal):
    before = row(deal)
    response = client.post(url("deal-lost", deal), {"lost_reason": "x", "version": 1})
    assert response.status_code == 302
    assert row(deal) == before


@pytest.mark.parametrize("name", ["deal-move", "deal-won", "deal-lost", "deal-reopen"])
def test_action_urls_answer_get_with_405(manager, deal, name):
    assert logged_in(manager).get(url(name, deal)).status_code == 405


# --- closing ----------------------------------------------------------------------------


def test_winning_a_deal_in_negotiation_records_the_amount(rep, deal):
    deal = walk_to(deal, "negotiation", rep)
    response = logged_in(rep).post(url("deal-won", deal), {"amount": "12000.50", "version": deal.version})
    assert response.status_code == 303
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.amount, deal.closed_at is not None) == ("won", Decimal("12000.50"), True)


def test_winning_from_discovery_is_refused_as_a_conflict(rep, deal):
    before = row(deal)
    response = logged_in(rep).post(url("deal-won", deal), {"amount": "5000", "version": 1})
    assert response.status_code == 409
    assert "cannot move from Discovery to Won" in response.text
    assert row(deal) == before


@pytest.mark.parametrize("amount", ["-1", "-0.01", "abc", "", "NaN", "Infinity", "1e20", "1.001"])
def test_winning_with_a_bad_amount_is_a_bad_request_naming_the_field(rep, deal, amount):
    deal = walk_to(deal, "negotiation", rep)
    before = row(deal)
    response = logged_in(rep).post(url("deal-won", deal), {"amount": amount, "version": deal.version})
    assert response.status_code == 400
    assert response.context["won_form"].errors["amount"]
    assert row(deal) == before


def test_losing_a_deal_records_the_reason(rep, deal):
    response = logged_in(rep).post(url("deal-lost", deal), {"lost_reason": " Chose a competitor ", "version": 1})
    assert response.status_code == 303
    deal.refresh_from_db()
    assert (deal.stage.slug, deal.lost_reason) == ("lost", "Chose a competitor")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_losing_a_deal_without_a_reason_shows_the_field_error(rep, deal, reason):
    before = row(deal)
    data = {"version": 1} if reason is None else {"version": 1, "lost_reason": reason}
    response = logged_in(rep).post(url("deal-lost", deal), data)
    assert response.status_code == 400
    assert response.context["lost_form"].errors["lost_reason"] == ["This field is required."]
    assert "This field is required." in response.text
    assert row(deal) == before


@pytest.mark.parametrize("reason", ["x" * 201, "nul\x00byte"])
def test_losing_with_an_oversized_or_binary_reason_is_a_bad_request(rep, deal, reason):
    before = row(deal)
    response = logged_in(rep).post(url("deal-lost", deal), {"lost_reason": reason, "version": 1})
    assert response.status_code == 400
    assert response.context["lost_form"].errors["lost_reason"]
    assert row(deal) == before


def test_losing_from_a_stale_page_is_a_conflict(rep, deal):
    services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=rep, expected_version=1)
    before = row(deal)
    response = logged_in(rep).post(url("deal-lost", deal), {"lost_reason": "No budget", "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this deal" in response.text
    assert row(deal) == before


def test_a_closed_deal_cannot_be_closed_again(rep, lost_deal):
    before = row(lost_deal)
    client = logged_in(rep)
    response = client.post(url("deal-won", lost_deal), {"amount": "10", "version": lost_deal.version})
    assert response.status_code == 409
    assert "already closed" in response.text
    assert row(lost_deal) == before


def test_a_closed_deal_page_shows_the_outcome_and_no_close_forms(rep, lost_deal):
    response = logged_in(rep).get(url("deal-detail", lost_deal))
    assert "Reason: Chose a competitor" in response.text
    assert url("deal-won", lost_deal) not in response.text
    assert url("deal-reopen", lost_deal) not in response.text  # a salesperson may not reopen


# --- reopening --------------------------------------------------------------------------


def test_a_salesperson_may_not_reopen_a_deal(rep, lost_deal):
    before = row(lost_deal)
    assert logged_in(rep).post(url("deal-reopen", lost_deal), {"version": lost_deal.version}).status_code == 403
    assert row(lost_deal) == before


def test_the_manager_reopens_a_lost_deal_where_it_was(rep, manager, lost_deal):
    client = logged_in(manager)
    assert url("deal-reopen", lost_deal) in client.get(url("deal-detail", lost_deal)).text
    response = client.post(url("deal-reopen", lost_deal), {"version": lost_deal.version})
    assert response.status_code == 303
    lost_deal.refresh_from_db()
    assert (lost_deal.stage.slug, lost_deal.closed_at, lost_deal.lost_reason) == ("proposal", None, "")


def test_another_teams_manager_cannot_reopen_our_deal(lost_deal, other_team):
    other_manager = factories.sales_manager(other_team, username="olga")
    before = row(lost_deal)
    response = logged_in(other_manager).post(url("deal-reopen", lost_deal), {"version": lost_deal.version})
    assert response.status_code == 404
    assert row(lost_deal) == before


def test_reopening_from_a_stale_page_is_a_conflict(manager, lost_deal):
    before = row(lost_deal)
    response = logged_in(manager).post(url("deal-reopen", lost_deal), {"version": lost_deal.version - 1})
    assert response.status_code == 409
    assert row(lost_deal) == before


# --- query counts -----------------------------------------------------------------------


def count_queries(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_deal_page_costs_the_same_queries_for_a_long_history(rep):
    short = open_deal_for(rep, title="Short history")
    long = open_deal_for(rep, title="Long history")
    for i in range(9):
        target = "qualification" if i % 2 == 0 else "discovery"
        long = services.move_deal(deal_id=long.pk, to_stage_id=stage(target).pk, by=rep, expected_version=long.version)
    assert long.stage_changes.count() == 10
    client = logged_in(rep)
    client.get(url("deal-detail", short))  # warm the session and content types
    assert count_queries(client, url("deal-detail", long)) == count_queries(client, url("deal-detail", short))


def test_the_deal_list_costs_the_same_queries_for_many_deals_and_owners(rep, teammate, manager):
    client = logged_in(manager)
    for owner in (rep, teammate):
        open_deal_for(owner)
    client.get(reverse("sales:deal-list"))
    few = count_queries(client, reverse("sales:deal-list"))
    for i in range(18):
        open_deal_for(rep if i % 2 else teammate, title=f"Deal {i}")
    assert count_queries(client, reverse("sales:deal-list")) == few


def test_every_form_field_on_the_deal_page_has_a_unique_id_and_a_label(rep, manager, deal, lost_deal):
    pages = [
        logged_in(rep).get(url("deal-detail", deal)).text,
        logged_in(manager).get(url("deal-detail", lost_deal)).text,
    ]
    for html in pages:
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        for field_id in re.findall(r'<(?:select|textarea|input(?![^>]*type="hidden"))[^>]*\sid="([^"]+)"', html):
            assert f'for="{field_id}"' in html


def test_the_list_shows_open_deals_before_closed_ones_newest_first(rep, lost_deal):
    older, newer = open_deal_for(rep, title="Older open"), open_deal_for(rep, title="Newer open")
    deals = list(logged_in(rep).get(reverse("sales:deal-list")).context["deals"])
    assert deals == [newer, older, lost_deal]  # PostgreSQL sorts NULL closed_at last unless told


def test_a_long_deal_list_is_paged_not_cut_off(rep):
    for i in range(DEALS_PER_PAGE + 1):
        open_deal_for(rep, title=f"Deal {i}")
    client = logged_in(rep)
    first = client.get(reverse("sales:deal-list"))
    assert len(first.context["deals"]) == DEALS_PER_PAGE
    assert "Page 1 of 2" in first.text
    last = client.get(reverse("sales:deal-list"), {"page": 2})
    assert [deal.title for deal in last.context["deals"]] == ["Deal 0"]
    for junk in ("abc", "0", "-1", "99999999999999999999"):
        assert client.get(reverse("sales:deal-list"), {"page": junk}).status_code == 200
