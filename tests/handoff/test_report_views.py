"""Scorecards, SLA reports, the offers-due fragment and the playbook editor: who sees what,
bad input, and query counts that stay flat as data grows."""

import datetime
import re
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import Commitment, Handoff
from insights import scorecards
from sales import services as sales_services
from sales.models import AssetSend, Stage, StageAsset
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import decided_deal, rejected, team_hours
from tests.marketing.pages import link

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


@pytest.fixture
def nobody(db):
    """Logged in, but in no group at all."""
    return factories.UserFactory(username="nobody")


# --- offers due (My day) ------------------------------------------------------------------


def test_offers_due_lists_my_offers_due_soon_soonest_first(settings, team, rep, teammate):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 60
    mine = [h for h in (factories.offered(email=f"l{n}@c{n}.example") for n in range(4)) if h.assignee == rep]
    Handoff.objects.filter(pk=mine[1].pk).update(due_at=timezone.now() + datetime.timedelta(minutes=5))
    response = logged_in(rep).get(reverse("handoff:offers-due"), {"hours": "2"})
    assert response.status_code == 200
    assert [offer.pk for offer in response.context["offers"]] == [mine[1].pk, mine[0].pk]
    assert "data-due=" in response.text


def test_offers_due_leaves_out_offers_due_later_than_asked(settings, team, rep):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 600
    factories.offered()
    response = logged_in(rep).get(reverse("handoff:offers-due"), {"hours": "1"})
    assert list(response.context["offers"]) == []
    assert "Nothing due in the next 1 hour" in text_of(response)


@pytest.mark.parametrize("hours", ["0", "73", "abc", "-1", "1e3"])
def test_offers_due_refuses_a_bad_number_of_hours(rep, hours):
    response = logged_in(rep).get(reverse("handoff:offers-due"), {"hours": hours})
    assert response.status_code == 400
    assert "hours" in response.text


def test_offers_due_is_for_sales_only(marketer, client):
    assert logged_in(marketer).get(reverse("handoff:offers-due")).status_code == 403
    assert client.get(reverse("handoff:offers-due")).status_code == 302


# --- rejecting a duplicate from the inbox ------------------------------------------------------


def test_a_duplicate_named_with_an_unknown_original_comes_back_on_its_field(rep):
    handoff = factories.offered()
    response = logged_in(rep).post(
        reverse("handoff:offer-reject", args=[handoff.pk]),
        {"reason": "duplicate", "original_email": "nobody@nowhere.example"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "None of your team&#x27;s leads that you can see has this address." in response.text
    assert 'id="reject-original-' in response.text and 'aria-invalid="true"' in response.text
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED


# --- SLA & fairness, two-sided SLA ----------------------------------------------------------


def test_a_manager_sees_their_teams_sla_and_fairness(team, rep, teammate, manager):
    team_hours(team, manager=manager, sla_minutes=90)
    for n in range(4):
        factories.offered(email=f"l{n}@c{n}.example")
    response = logged_in(manager).get(reverse("insights:sla"), {"days": "7"})
    assert response.status_code == 200
    team_report = response.context["teams"][0]
    assert team_report["team"] == team
    assert [share.offers for share, _width in team_report["shares"]] == [2, 2]
    assert "90 working minutes to answer" in text_of(response)


def test_the_sla_page_refuses_an_unknown_period(manager):
    response = logged_in(manager).get(reverse("insights:sla"), {"days": "365"})
    assert response.status_code == 400
    assert "days" in text_of(response)


@pytest.mark.parametrize("persona", ["rep", "marketer"])
def test_the_sla_page_is_for_managers(request, persona):
    assert logged_in(request.getfixturevalue(persona)).get(reverse("insights:sla")).status_code == 403


def test_a_marketer_sets_the_commitments_and_sees_both_sides(marketer, rep):
    factories.offered()
    response = logged_in(marketer).post(
        reverse("insights:agreement"),
        {"month": timezone.localdate().strftime("%Y-%m"), "mqls_per_month": "40"},
    )
    assert response.status_code == 303
    commitment = Commitment.objects.get()
    assert (commitment.starts_on.day, commitment.mqls_per_month, commitment.updated_by) == (1, 40, marketer)
    page = logged_in(marketer).get(reverse("insights:agreement"))
    assert page.context["months"][-1].mqls == 1
    assert "Missed · 2.5%" in text_of(page)


@pytest.mark.parametrize(
    "overrides", [{"mqls_per_month": "-1"}, {"mqls_per_month": "many"}, {"month": "2026-13"}, {"month": ""}]
)
def test_bad_commitments_are_refused_and_nothing_is_saved(manager, overrides):
    data = {"month": "2026-03", "mqls_per_month": "40"}
    response = logged_in(manager).post(reverse("insights:agreement"), {**data, **overrides})
    assert response.status_code == 400
    assert set(overrides) <= set(response.context["form"].errors)
    assert not Commitment.objects.exists()


def test_a_salesperson_neither_sees_nor_sets_the_commitments(rep):
    assert logged_in(rep).get(reverse("insights:agreement")).status_code == 403
    response = logged_in(rep).post(reverse("insights:agreement"), {"month": "2026-03", "mqls_per_month": "1"})
    assert response.status_code == 403
    assert not Commitment.objects.exists()


# --- scorecards -------------------------------------------------------------------------------


@pytest.fixture
def scored(team, rep, teammate, campaign):
    decided_deal(rep, won=True, amount=5000, rating=5, email="a@a.example", campaign=campaign)
    rejected(rep, reason="no_budget", email="b@b.example", campaign=campaign)
    scorecards.rebuild_all()
    return campaign


def test_a_marketer_sees_every_source_with_the_best_first(marketer, scored):
    response = logged_in(marketer).get(reverse("insights:scorecards"))
    assert response.status_code == 200
    assert response.context["scope"] == "all"
    rows = response.context["rows"]
    assert [(row.label, row.offered, row.won) for row in rows] == [("Webinar", 2, 1)]
    assert "50.0%" in text_of(response)


def test_the_scorecard_sorts_by_any_column_both_ways(marketer, scored, rep):
    factories.offered(email="c@c.example", source="referral")
    scorecards.rebuild_all()
    client = logged_in(marketer)
    down = client.get(reverse("insights:scorecards"), {"by": "source", "sort": "leads", "dir": "desc"})
    up = client.get(reverse("insights:scorecards"), {"by": "source", "sort": "leads", "dir": "asc"})
    assert [row.leads for row in down.context["rows"]] == [2, 1]
    assert [row.leads for row in up.context["rows"]] == [1, 2]


@pytest.mark.parametrize("query", [{"by": "planet"}, {"sort": "secret_column"}, {"dir": "sideways"}])
def test_the_scorecard_refuses_unknown_groupings_and_sorts(marketer, scored, query):
    response = logged_in(marketer).get(reverse("insights:scorecards"), query)
    assert response.status_code == 400
    assert f"({next(iter(query))})" in text_of(response)


def test_a_salesperson_sees_only_their_own_leads(scored, rep, teammate):
    response = logged_in(teammate).get(reverse("insights:scorecards"), {"by": "rep"})
    assert response.status_code == 200
    assert response.context["scope"] == "own"
    assert [row.key for row in response.context["rows"]] == [str(teammate.pk)]


def test_a_manager_sees_their_teams_leads_and_not_another_teams(scored, manager, stranger):
    factories.offered(email="x@x.example")  # our team
    ours = logged_in(manager).get(reverse("insights:scorecards"), {"by": "campaign"})
    theirs = logged_in(factories.sales_manager(stranger.sales_rep.team, username="fred")).get(
        reverse("insights:scorecards"), {"by": "campaign"}
    )
    assert sum(row.offered for row in ours.context["rows"]) == 3
    assert theirs.context["rows"] == []


def test_someone_without_a_role_cannot_see_scorecards(nobody):
    assert logged_in(nobody).get(reverse("insights:scorecards")).status_code == 403


@pytest.mark.parametrize("persona", ["marketer", "manager"])
def test_the_scorecard_costs_the_same_queries_as_groups_grow(request, persona, team, rep, manager):
    client = logged_in(request.getfixturevalue(persona))
    decided_deal(rep, won=True, email="a0@a0.example", campaign=factories.CampaignFactory())
    # The Campaign tab, as the page renders it.
    url = urljoin(reverse("insights:scorecards"), link(client.get(reverse("insights:scorecards")), "Campaign"))
    scorecards.rebuild_all()
    small = count_queries(client, url)
    for n in range(1, 8):
        decided_deal(rep, won=n % 2 == 0, email=f"a{n}@a{n}.example", campaign=factories.CampaignFactory())
    scorecards.rebuild_all()
    assert count_queries(client, url) == small


def test_the_campaign_fragment_shows_how_sales_judged_its_leads(marketer, scored):
    response = logged_in(marketer).get(reverse("insights:campaign-scorecard", args=[scored.pk]))
    assert response.status_code == 200
    text = text_of(response)
    assert "2 → 2 → 2" in text and "50.0%" in text and "No budget 1" in text
    assert "<html" not in response.text  # a fragment, for hx-get


def test_the_campaign_fragment_of_an_unknown_campaign_is_a_404(marketer):
    assert logged_in(marketer).get(reverse("insights:campaign-scorecard", args=[999999])).status_code == 404


def test_the_campaign_fragment_needs_a_role(nobody, campaign, client):
    url = reverse("insights:campaign-scorecard", args=[campaign.pk])
    assert logged_in(nobody).get(url).status_code == 403
    assert client.get(url).status_code == 302


# --- playbooks ------------------------------------------------------------------------------


def playbook_form(**overrides) -> dict:
    data = {
        "buyer_guidance": "Their problem, in their words.",
        "exit_criteria": "A pain the champion owns.",
        "assets-TOTAL_FORMS": "2",
        "assets-INITIAL_FORMS": "0",
        "assets-MIN_NUM_FORMS": "0",
        "assets-MAX_NUM_FORMS": "50",
        "assets-0-title": "Customer story: logistics",
        "assets-0-url": "https://leadflow.example/stories/logistics",
        "assets-1-title": "",
        "assets-1-url": "",
    }
    return {**data, **overrides}


@pytest.fixture
def discovery(db):
    return sales_services.default_pipeline().stages.get(slug="discovery")


def test_a_marketer_writes_a_stages_playbook_for_sales(marketer, discovery):
    response = logged_in(marketer).post(reverse("handoff:playbook-edit", args=[discovery.pk]), playbook_form())
    assert response.status_code == 303
    discovery.refresh_from_db()
    assert (discovery.buyer_guidance, discovery.exit_criteria) == (
        "Their problem, in their words.",
        "A pain the champion owns.",
    )
    assert list(discovery.assets.values_list("title", "url")) == [
        ("Customer story: logistics", "https://leadflow.example/stories/logistics")
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"assets-0-url": "javascript:alert(1)"},
        {"assets-0-url": "not a link"},
        {"assets-0-title": ""},
        {"buyer_guidance": "x" * 5001},
        {"assets-TOTAL_FORMS": "500"},
    ],
)
def test_a_bad_playbook_is_refused_and_the_old_one_stays(marketer, discovery, overrides):
    before = discovery.buyer_guidance
    response = logged_in(marketer).post(
        reverse("handoff:playbook-edit", args=[discovery.pk]), playbook_form(**overrides)
    )
    assert response.status_code == 400
    discovery.refresh_from_db()
    assert (discovery.buyer_guidance, discovery.assets.count()) == (before, 0)


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_only_marketing_writes_the_playbook(request, persona, discovery):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("handoff:playbooks")).status_code == 403
    assert client.post(reverse("handoff:playbook-edit", args=[discovery.pk]), playbook_form()).status_code == 403
    assert not discovery.assets.exists()


def test_a_closing_stage_has_no_playbook_page(marketer, discovery):
    won = Stage.objects.get(pipeline=discovery.pipeline, slug="won")
    assert logged_in(marketer).get(reverse("handoff:playbook-edit", args=[won.pk])).status_code == 404


def test_the_playbook_shows_which_assets_go_with_deals_that_move_on(marketer, rep, discovery):
    services.save_playbook(stage_id=discovery.pk, by=marketer, buyer_guidance="", exit_criteria="",
                           assets=[{"title": "Story", "url": "https://x.example/s"}])  # fmt: skip
    asset = StageAsset.objects.get()
    moved = factories.accepted_deal(rep, email="a@a.example")
    stuck = factories.accepted_deal(rep, email="b@b.example")
    factories.accepted_deal(rep, email="c@c.example")  # never got the asset, never moved
    for deal in (moved, stuck):
        sales_services.mark_asset_sent(deal_id=deal.pk, asset_id=asset.pk, by=deal.owner)
    qualification = Stage.objects.get(pipeline=discovery.pipeline, slug="qualification")
    sales_services.move_deal(deal_id=moved.pk, to_stage_id=qualification.pk, by=moved.owner,
                             expected_version=moved.version)  # fmt: skip
    response = logged_in(marketer).get(reverse("handoff:playbooks"))
    assert response.status_code == 200
    stage, results, baseline = response.context["pipelines"][0][1][0]
    assert stage == discovery
    assert [(r.sent, r.moved_on, r.moved_on_pct) for r in results] == [(2, 1, 50.0)]
    assert (baseline.deals, baseline.moved_on, baseline.moved_on_pct) == (3, 1, 33.3)
    assert AssetSend.objects.count() == 2


def test_the_campaign_page_and_my_day_load_the_handoff_fragments(marketer, rep, campaign):
    campaign_page = logged_in(marketer).get(reverse("marketing:campaign-detail", args=[campaign.pk]))
    fragment = reverse("insights:campaign-scorecard", args=[campaign.pk])
    assert f'hx-get="{fragment}" hx-trigger="load"' in campaign_page.text
    my_day = logged_in(rep).get(reverse("sales:my-day"))
    assert f'hx-get="{reverse("handoff:offers-due")}" hx-trigger="load"' in my_day.text


# --- query counts stay flat as rows grow -----------------------------------------------------


def test_the_routing_page_costs_the_same_queries_as_rules_grow(team, manager, campaign):
    from tests.handoff.factories import rule

    client = logged_in(manager)
    rule(team, manager=manager, name="First", campaign_id=campaign.pk)
    small = count_queries(client, reverse("handoff:routing"))
    for n in range(6):
        rule(team, manager=manager, name=f"Rule {n}", campaign_id=factories.CampaignFactory().pk, countries=["X"])
    assert count_queries(client, reverse("handoff:routing")) == small


def test_the_sla_page_and_offers_due_cost_the_same_queries_as_offers_grow(settings, team, rep, teammate, manager):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 30
    factories.offered(email="first@c0.example")
    pages = [(logged_in(manager), reverse("insights:sla")), (logged_in(rep), reverse("handoff:offers-due"))]
    small = [count_queries(client, url) for client, url in pages]
    for n in range(1, 9):
        handoff = factories.offered(email=f"l{n}@c{n}.example")
        if n % 3 == 0:
            services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee)
    assert [count_queries(client, url) for client, url in pages] == small


def test_the_playbook_page_costs_the_same_queries_as_assets_and_sends_grow(marketer, rep, discovery):
    client = logged_in(marketer)
    services.save_playbook(stage_id=discovery.pk, by=marketer, buyer_guidance="", exit_criteria="",
                           assets=[{"title": "One", "url": "https://x.example/1"}])  # fmt: skip
    small = count_queries(client, reverse("handoff:playbooks"))
    services.save_playbook(stage_id=discovery.pk, by=marketer, buyer_guidance="", exit_criteria="",
                           assets=[{"title": f"A{n}", "url": f"https://x.example/{n}"} for n in range(6)])  # fmt: skip
    for n in range(3):
        deal = factories.accepted_deal(rep, email=f"d{n}@d{n}.example")
        for asset in StageAsset.objects.all():
            sales_services.mark_asset_sent(deal_id=deal.pk, asset_id=asset.pk, by=rep)
    assert count_queries(client, reverse("handoff:playbooks")) == small


def test_the_two_sided_report_costs_the_same_queries_as_commitments_grow(marketer, rep):
    client = logged_in(marketer)
    factories.offered()
    small = count_queries(client, reverse("insights:agreement"))
    for months_back in range(1, 6):
        day = (timezone.localdate().replace(day=1) - datetime.timedelta(days=28 * months_back)).replace(day=1)
        services.save_commitment(by=marketer, month=day, mqls_per_month=10)
    assert count_queries(client, reverse("insights:agreement")) == small
