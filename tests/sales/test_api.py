"""The deals API: scoped reads with an ETag, edits and moves that need it back in If-Match."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from sales import services
from sales.models import Deal
from tests.sales.helpers import logged_in, open_deal_for, stage

pytestmark = pytest.mark.django_db


def detail(deal: Deal) -> str:
    return reverse("sales-api:deal-detail", args=[deal.pk])


def patch(client, deal: Deal, body, if_match: str | None = '"1"'):
    headers = {"If-Match": if_match} if if_match is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch(detail(deal), data=data, content_type="application/json", headers=headers)


def saved(deal: Deal) -> tuple:
    deal = Deal.objects.get(pk=deal.pk)
    return deal.version, deal.title, deal.amount, deal.owner_id, deal.stage_id, deal.closed_at


@pytest.fixture
def deal(rep):
    return open_deal_for(rep, contact_name="Ada Lovelace")


def test_get_returns_the_deal_with_its_version_as_etag(rep, deal):
    response = logged_in(rep).get(detail(deal))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["id"], body["title"], body["stage"]["name"], body["owner"]["id"], body["version"]) == (
        deal.pk,
        "Analytical Engines",
        "Discovery",
        rep.pk,
        1,
    )


def test_get_with_the_current_etag_answers_304(rep, deal):
    response = logged_in(rep).get(detail(deal), headers={"If-None-Match": '"1"'})
    assert response.status_code == 304


def test_patch_with_the_current_etag_saves_and_answers_the_new_one(rep, deal):
    response = patch(logged_in(rep), deal, {"amount": "12500.00", "expected_close": "2031-03-31"})
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["amount"] == "12500.00"
    assert saved(deal)[:3] == (2, "Analytical Engines", Decimal("12500"))


def test_patch_without_if_match_is_428_and_changes_nothing(rep, deal):
    before = saved(deal)
    response = patch(logged_in(rep), deal, {"amount": "5"}, if_match=None)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert saved(deal) == before


@pytest.mark.parametrize("if_match", ['"7"', "1", 'W/"0"', "garbage"])
def test_patch_with_a_stale_or_unreadable_etag_is_412_and_changes_nothing(rep, deal, if_match):
    before = saved(deal)
    response = patch(logged_in(rep), deal, {"amount": "5"}, if_match=if_match)
    assert response.status_code == 412
    assert saved(deal) == before


def test_two_clients_editing_from_one_read_one_wins_the_other_gets_412(rep, manager, deal):
    assert patch(logged_in(rep), deal, {"title": "First"}).status_code == 200
    assert patch(logged_in(manager), deal, {"title": "Second"}).status_code == 412
    assert saved(deal)[:2] == (2, "First")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "NaN-ish"}, "amount"),
        ({"currency": "DOLLAR"}, "currency"),
        ({"title": "x" * 201}, "title"),
        ({"expected_close": "2025-02-30"}, "expected_close"),
        ({"owner": 1}, "owner"),
        ({"stage": 3}, "stage"),
        ({"version": 9}, "version"),
        ({"closed_at": "2025-01-01T00:00:00Z"}, "closed_at"),
    ],
)
def test_bad_or_forbidden_fields_are_400_naming_them_and_nothing_changes(rep, deal, body, field):
    before = saved(deal)
    response = patch(logged_in(rep), deal, body)
    assert response.status_code == 400
    assert field in response.json()
    assert saved(deal) == before


@pytest.mark.parametrize("body", ["[1, 2]", "{", '{"amount": NaN}', '{"title": "a\\u0000b"}'])
def test_malformed_json_is_400(rep, deal, body):
    before = saved(deal)
    assert patch(logged_in(rep), deal, body).status_code == 400
    assert saved(deal) == before


def test_another_salespersons_deal_does_not_exist_for_me(teammate, deal):
    client = logged_in(teammate)
    assert client.get(detail(deal)).status_code == 404
    before = saved(deal)
    assert patch(client, deal, {"amount": "1"}).status_code == 404
    assert saved(deal) == before


def test_a_marketer_gets_403_and_anonymous_401(client, marketer, deal):
    assert logged_in(marketer).get(detail(deal)).status_code == 403
    # No credentials: challenged to send a Bearer token (leadflow/accounts).
    response = client.get(detail(deal))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_list_holds_only_my_deals_open_first(rep, teammate, deal):
    open_deal_for(teammate, title="Not mine")
    lost = open_deal_for(rep, title="Lost one")
    services.close_deal(deal_id=lost.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    response = logged_in(rep).get(reverse("sales-api:deal-list"))
    assert [row["title"] for row in response.json()["results"]] == ["Analytical Engines", "Lost one"]


def test_a_move_needs_if_match_and_follows_the_transition_table(rep, deal):
    client = logged_in(rep)
    url = reverse("sales-api:deal-move", args=[deal.pk])
    body = json.dumps({"stage": stage("qualification").pk})
    assert client.post(url, body, content_type="application/json").status_code == 428
    assert (
        client.post(
            url,
            json.dumps({"stage": stage("proposal").pk}),
            content_type="application/json",
            headers={"If-Match": '"1"'},
        ).status_code
        == 409
    )
    response = client.post(url, body, content_type="application/json", headers={"If-Match": '"1"'})
    assert (response.status_code, response["ETag"], response.json()["stage"]["name"]) == (200, '"2"', "Qualification")


def test_a_closed_deal_cannot_be_patched(rep, deal):
    closed = services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    before = saved(closed)
    response = patch(logged_in(rep), closed, {"amount": "1"}, if_match=f'"{closed.version}"')
    assert response.status_code == 409
    assert saved(closed) == before
