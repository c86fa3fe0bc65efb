"""The dashboard page and its lists: who sees which view, bad filters, CSV, query counts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.dashboard import services
from tests import factories
from tests.conftest import logged_in
from tests.crawl.page import Page
from tests.dashboard.factories import START, Clock, build_story

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:overview")
MARCH = "?period=custom&start=2026-03-01&end=2026-06-30"


@pytest.fixture
def story(monkeypatch, rep, teammate, manager, admin_user):
    return build_story(Clock(monkeypatch, START), rep)


def get(user, url=URL):
    cache.clear()
    return logged_in(user).get(url)


def text_of(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.text


def test_a_manager_sees_every_widget_with_the_numbers_of_the_period(story, manager, admin_user):
    response = get(manager, URL + MARCH)
    assert response.status_code == 200
    w = response.context["w"]
    assert set(w) == {
        "revenue",
        "pipeline",
        "funnel",
        "channels",
        "campaigns",
        "sla",
        "rejections",
        "leaderboard",
        "lead_time",
    }
    assert w["revenue"]["amount"] == 1000
    for heading in ("Revenue won by month", "Joint funnel", "Revenue, spend and ROI by channel", "SLA compliance",
                    "Why sales rejected leads", "Salespeople", "Lead time by source", "Open pipeline"):  # fmt: skip
        assert heading in response.text
    # Spend is the company's: a manager's view of their teams shows where revenue came from instead.
    assert "Where revenue came from" in response.text and "Where the funnel leaks" in response.text
    assert "Best return on spend" in get(admin_user, URL + MARCH).text


def test_a_marketer_gets_the_marketing_view_without_people_or_pipeline(story, marketer):
    response = get(marketer, URL + MARCH)
    assert response.status_code == 200
    assert response.context["scope"].kind == "marketing"
    assert "leaderboard" not in response.context["w"] and "pipeline" not in response.context["w"]
    assert "Salespeople" not in response.text
    assert 'name="team"' not in response.text and 'name="rep"' not in response.text
    assert response.context["w"]["channels"]["totals"]["spend"] == 1000


def test_a_salesperson_sees_only_their_own_numbers(story, rep, teammate):
    mine = get(rep, URL + MARCH).context["w"]
    theirs = get(teammate, URL + MARCH).context["w"]
    won_by = story.deals["won"].owner_id
    assert mine["revenue"]["won"] == (1 if won_by == rep.pk else 0)
    assert theirs["revenue"]["won"] == (1 if won_by == teammate.pk else 0)
    assert "leaderboard" not in mine and "campaigns" not in mine
    assert mine["channels"]["show_spend"] is False  # spend is the company's, not a rep's


def test_a_stranger_from_another_team_sees_none_of_ours(story, stranger):
    w = get(stranger, URL + MARCH).context["w"]
    assert (w["revenue"]["won"], w["sla"]["offers"], w["funnel"]["leads"]) == (0, 0, 0)


def test_a_user_without_a_role_is_refused(db):
    nobody = factories.UserFactory(username="nobody")
    assert get(nobody).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("overview", "leads", "deals", "offers"):
        response = client.get(reverse(f"dashboard:{name}"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?period=forever", "period"),
        ("?period=custom&start=2026-05-01&end=2026-01-01", "end"),
        ("?period=custom&start=31/12/2025", "start"),
        ("?channel=carrier-pigeon", "channel"),
        ("?campaign=abc", "campaign"),
        ("?model=astrology", "model"),
        ("?period=custom&start=1900-01-01", "start"),
    ],
)
def test_bad_filters_get_a_400_that_names_the_field(story, manager, query, field):
    response = get(manager, URL + query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Those filters don't work" in response.text


def test_a_manager_cannot_pick_a_team_or_rep_they_do_not_manage(story, manager, stranger):
    assert get(manager, URL + f"?team={stranger.sales_rep.team_id}").status_code == 400
    assert get(manager, URL + f"?rep={stranger.pk}").status_code == 400
    assert get(manager, URL + f"?team={manager.managed_teams.first().pk}").status_code == 200


def test_script_in_a_campaign_name_is_shown_as_text(story, admin_user):
    story.email.name = "<script>alert(1)</script>"
    story.email.save()
    response = get(admin_user, URL + MARCH + "&model=last")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_dashboard_costs_the_same_queries_with_more_data(monkeypatch, rep, teammate, manager):
    from tests.dashboard.factories import accept, capture, close, hand_over, move

    clock = Clock(monkeypatch, START)
    factories.CampaignFactory(name="Only campaign")
    services.refresh_rollups()

    def count() -> int:
        cache.clear()
        client = logged_in(manager)
        client.get(URL)  # session and permission caches warm
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        deal = accept(hand_over(capture(f"lead{i}@corp{i}.example", company=f"Corp {i}")))
        clock.advance(days=1)
        deal = move(deal, "qualification", deal.owner)
        if i % 2:
            for slug in ("proposal", "negotiation"):
                deal = move(deal, slug, deal.owner)
            close(deal, won=True, by=deal.owner)
        capture(f"nurture{i}@other{i}.example")
    services.refresh_rollups()
    assert count() == few


def test_a_warm_cache_answers_with_a_handful_of_queries(story, manager):
    client = logged_in(manager)
    cache.clear()
    client.get(URL + MARCH)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL + MARCH).status_code == 200
    # session, user, permissions, managed teams, the filter choices (teams, reps, campaigns), rollup version
    assert len(queries) <= 10


def test_each_widget_downloads_as_csv_with_formula_cells_neutralised(story, admin_user):
    story.search.name = '=HYPERLINK("http://evil.example")'
    story.search.save()
    response = get(admin_user, reverse("dashboard:export", args=["campaigns"]) + MARCH + "&model=first")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text_of(response))))
    assert rows[0][0] == "Campaign"
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in names
    funnel = list(
        csv.reader(io.StringIO(text_of(get(admin_user, reverse("dashboard:export", args=["funnel"]) + MARCH))))
    )
    assert funnel[1][:2] == ["Leads", "4"]


def test_a_widget_outside_the_users_view_has_no_csv(story, marketer):
    assert get(marketer, reverse("dashboard:export", args=["leaderboard"])).status_code == 404
    assert get(marketer, reverse("dashboard:export", args=["nonsense"])).status_code == 404


def follow(user, response, name: str, *, under: str = "", to: str = ""):
    """Open the link the page rendered with this text (within the section headed `under`, to a URL with `to`)."""
    page = Page.parse(URL, response.text)
    for figure in page.figures():
        if figure.text.startswith(name) and (not under or figure.where == under) and to in figure.url:
            return get(user, figure.url)
    raise AssertionError(f"no link {name!r} under {under!r}: {[(f.text, f.where) for f in page.figures()]}")


def test_funnel_numbers_drill_down_to_the_leads_behind_them(story, admin_user):
    dashboard = get(admin_user, URL + MARCH)
    accepted = follow(admin_user, dashboard, "Accepted by sales", under="Joint funnel")
    assert accepted.status_code == 200
    assert {lead.email for lead in accepted.context["page"].object_list} == {"won@a.example", "lost@b.example"}
    assert "reached Accepted by sales" in accepted.text
    stopped = follow(admin_user, dashboard, "1 stopped at Accepted by sales").context["page"].object_list
    assert [lead.email for lead in stopped] == ["lost@b.example"]


def test_rejection_reasons_drill_down_to_the_rejections(story, admin_user):
    rejections = follow(admin_user, get(admin_user, URL + MARCH), "No budget", under="Why sales rejected leads")
    assert [handoff.lead.email for handoff in rejections.context["page"].object_list] == ["rejected@c.example"]
    assert "Offers rejected by sales in the period: No budget" in rejections.text


def test_revenue_drills_down_to_the_won_deals_and_attribution_to_the_credit_it_gave(story, admin_user):
    dashboard = get(admin_user, URL + MARCH + "&model=linear")
    won = follow(admin_user, dashboard, "1", under="Revenue won by month").context["page"].object_list
    assert [deal.pk for deal in won] == [story.deals["won"].pk]
    credited = follow(admin_user, dashboard, "Email", under="Revenue, spend and ROI by channel")
    [deal] = credited.context["page"].object_list
    # Linear: the won deal's two touches (paid search, then email) share its 1,000.00.
    assert (deal.pk, deal.credit) == (story.deals["won"].pk, Decimal("500.00"))
    assert "revenue credited to Email (Linear)" in credited.text


def test_sla_numbers_drill_down_to_the_offers(story, admin_user):
    dashboard = get(admin_user, URL + MARCH)
    expired = follow(admin_user, dashboard, "1", under="SLA compliance", to="sla=expired").context["page"]
    assert [offer.state for offer in expired.object_list] == ["expired"]
    within = follow(admin_user, dashboard, "3", under="SLA compliance", to="sla=within").context["page"]
    assert within.paginator.count == 3


def test_deal_lists_stay_within_what_the_user_may_see(story, rep, teammate, marketer, stranger):
    url = reverse("dashboard:deals") + MARCH + "&outcome=won"
    assert get(marketer, url).status_code == 403
    assert get(marketer, reverse("dashboard:offers") + MARCH).status_code == 403
    assert get(stranger, url).context["page"].paginator.count == 0
    owner = story.deals["won"].owner
    other = teammate if owner == rep else rep
    assert get(owner, url).context["page"].paginator.count == 1
    assert get(other, url).context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("dashboard:leads", "&reached=heaven"),
        ("dashboard:leads", "&dropped=lead"),
        ("dashboard:rejections", "&reason=because"),
        ("dashboard:deals", "&outcome=maybe"),
        ("dashboard:deals", "&outcome=open&stage=first"),
        ("dashboard:deals", "&touch_channel=telepathy"),
        ("dashboard:deals", "&touch_campaign=x"),
        ("dashboard:offers", "&sla=sometimes"),
    ],
)
def test_drill_downs_refuse_unknown_values_with_a_400(story, admin_user, path, query):
    response = get(admin_user, reverse(path) + MARCH + query)
    assert response.status_code == 400
    assert "can't be shown" in response.text


def test_htmx_filter_changes_get_just_the_dashboard(story, manager):
    cache.clear()
    response = logged_in(manager).get(URL + MARCH, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="dash-main">')
    assert "<html" not in response.text


def test_the_period_presets_cover_the_quarter_the_manager_asks_about(story, manager):
    response = get(manager, URL + "?period=last_quarter")
    assert response.status_code == 200
    filters = response.context["filters"]
    assert (filters.start, filters.end) == (date(2026, 1, 1), date(2026, 3, 31))  # the clock says April 2026


@pytest.mark.parametrize("who", ["admin_user", "manager", "rep"])
def test_every_list_behind_a_figure_costs_the_same_queries_with_more_rows(monkeypatch, request, who, teammate):
    from tests.dashboard.factories import accept, capture, close, hand_over, move

    clock = Clock(monkeypatch, START)
    user = request.getfixturevalue(who)
    client = logged_in(user)

    def play(count: int) -> None:
        for i in range(count):
            lead = capture(f"lead{clock.now:%j%H%M}{i}@corp{i}.example", company=f"Corp {i}")
            deal = accept(hand_over(lead))
            clock.advance(hours=3)
            for slug in ("qualification", "proposal", "negotiation"):
                deal = move(deal, slug, deal.owner)
            close(deal, won=bool(i % 2), by=deal.owner, amount=Decimal(100 + i))
            clock.advance(hours=1)
        services.refresh_rollups()

    def costs() -> dict[str, int]:
        cache.clear()
        dashboard = Page.parse(URL, client.get(URL).text)
        found = {}
        for figure in dashboard.figures():
            client.get(figure.url)  # warm the session and permission caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(figure.url).status_code == 200
            found[figure.url.split("?")[1]] = len(queries)
        return found

    play(2)
    few = costs()
    play(6)
    more = costs()
    both = few.keys() & more.keys()
    assert len(both) >= 5, (few, more)
    assert {url: more[url] for url in both} == {url: few[url] for url in both}
