"""Marketers' pages: who gets in, what they see, and handing a lead to sales by hand."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff import services as handoff_services
from marketing import services
from marketing.models import Lead, Stage
from marketing.views.leads import LEADS_PER_PAGE
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

LEADS = reverse("marketing:lead-list")
CAMPAIGNS = reverse("marketing:campaign-list")


def qualify_url(lead: Lead) -> str:
    return reverse("marketing:lead-qualify", args=[lead.pk])


def listed(response) -> set[str]:
    return {lead.email_normalized for lead in response.context["page"].rows}


def sales_accepted(rep) -> Lead:
    handoff = factories.offered()
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    return Lead.objects.get(pk=handoff.lead_id)


def assert_sent_to_login(response, url: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- lead list ------------------------------------------------------------------------


def test_the_lead_list_sends_anonymous_visitors_to_log_in(db):
    assert_sent_to_login(Client().get(LEADS), LEADS)


def test_a_salesperson_lists_only_the_leads_they_own(rep):
    own = sales_accepted(rep)
    factories.offered(email="offered@globex.example")  # offered to them, not accepted: not theirs yet
    factories.capture("grace@navy.example")
    response = logged_in(rep).get(LEADS)
    assert response.status_code == 200
    assert listed(response) == {own.email_normalized}
    assertNotContains(response, "Export CSV")
    assertNotContains(response, 'name="ids"')


@pytest.mark.parametrize("persona", ["marketer", "admin_user"])
def test_marketing_sees_every_lead_including_ones_sales_owns(request, persona, rep):
    owned = sales_accepted(rep)
    factories.capture("grace@navy.example", first_name="Grace", last_name="Hopper")
    response = logged_in(request.getfixturevalue(persona)).get(LEADS)
    assert response.status_code == 200
    assert listed(response) == {owned.email_normalized, "grace@navy.example"}
    assertContains(response, "Grace Hopper")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hopper", {"grace@navy.example"}),  # last name, other case
        ("GRACE@NAVY", {"grace@navy.example"}),  # email
        ("analytical", {"ada@analytical.example"}),  # company
        ("  Ada  ", {"ada@analytical.example"}),
        ("nobody", set()),
    ],
)
def test_search_matches_name_email_and_company(marketer, query, expected):
    factories.capture("ada@analytical.example", company="Analytical Engines")
    factories.capture("grace@navy.example", first_name="Grace", last_name="Hopper", company="US Navy")
    assert listed(logged_in(marketer).get(LEADS, {"q": query})) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("100%", {"pure@oils.example"}, id="percent"),
        pytest.param("%", {"pure@oils.example"}, id="percent-alone"),
        pytest.param("a_b", {"a_b@under.example"}, id="underscore"),
        pytest.param("_", {"a_b@under.example"}, id="underscore-alone"),
        pytest.param('O\'Reilly "Media"', {"tim@oreilly.example"}, id="quotes"),
        pytest.param("C:\\Temp", {"dos@backslash.example"}, id="backslash"),
        pytest.param("' OR 1=1 --", set(), id="sql-comment"),
        pytest.param("a\x00b", set(), id="nul"),
    ],
)
def test_search_takes_wildcards_and_quotes_literally(marketer, query, expected):
    factories.capture("pure@oils.example", company="100% Pure")
    factories.capture("pure2@oils.example", company="1000 Pure Oils")
    factories.capture("a_b@under.example", first_name="", company="Under")
    factories.capture("axb@under.example", first_name="", company="Over")
    factories.capture("tim@oreilly.example", company='O\'Reilly "Media"')
    factories.capture("dos@backslash.example", company="C:\\Temp")
    response = logged_in(marketer).get(LEADS, {"q": query})
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.postgres  # SQLite's LIKE folds case for ASCII only
def test_search_ignores_case_beyond_ascii(marketer):
    factories.capture("anders@lab.example", first_name="Anders", last_name="Ångström", company="Zoë Labs")
    client = logged_in(marketer)
    assert listed(client.get(LEADS, {"q": "ÅNGSTRÖM"})) == {"anders@lab.example"}
    assert listed(client.get(LEADS, {"q": "ZOË"})) == {"anders@lab.example"}


def test_the_stage_filter_shows_only_that_stage_and_an_unknown_stage_is_a_400(marketer):
    # Changed with the million-lead list: a filter that makes no sense is refused and named
    # (it used to be ignored silently).
    qualified = factories.capture("mql@corp.example")
    services.qualify_lead(lead_id=qualified.pk)
    factories.capture("lead@corp.example")
    client = logged_in(marketer)
    assert listed(client.get(LEADS, {"stage": Stage.MQL})) == {"mql@corp.example"}
    assert listed(client.get(LEADS, {"stage": Stage.LEAD})) == {"lead@corp.example"}
    refused = client.get(LEADS, {"stage": "'; DROP TABLE"})
    assertContains(refused, "Stage: Select a valid choice.", status_code=400)
    assert listed(refused) == set()


def test_the_list_is_paged_by_keyset_and_a_forged_page_link_is_a_400(marketer):
    # Changed with the million-lead list: pages are "after this row" links, not numbers.
    for n in range(LEADS_PER_PAGE + 1):
        factories.capture(f"lead{n}@corp.example")
    client = logged_in(marketer)
    first = client.get(LEADS)
    assert len(listed(first)) == LEADS_PER_PAGE
    second = client.get(LEADS, {"after": first.context["page"].next_cursor})
    assert listed(second) == {"lead0@corp.example"}  # newest first, so the first capture is last
    back = client.get(LEADS, {"before": second.context["page"].previous_cursor})
    assert listed(back) == listed(first)
    for forged in ("abc", "W10", "WyJ4IiwxXQ", "!!"):
        assert client.get(LEADS, {"after": forged}).status_code == 400


# --- lead page ------------------------------------------------------------------------


def test_the_lead_page_shows_the_timeline_and_the_score_reasons(marketer, campaign):
    lead = factories.capture(company="Analytical Engines", campaign=campaign, utm={"utm_source": "newsletter"})
    services.score_lead(lead_id=lead.pk)
    services.qualify_lead(lead_id=lead.pk, by=marketer, reason="Asked for a demo")
    response = logged_in(marketer).get(lead.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "Form submitted")
    assertContains(response, "Forecasting webinar")
    assertContains(response, "utm_source=newsletter")
    assertContains(response, "Asked for a demo")
    assertContains(response, "Captured")
    assertContains(response, "Business email domain <b>+10</b>", html=True)
    assertContains(response, "Company given <b>+10</b>", html=True)
    assertContains(response, '<span class="score score-big">30</span>', html=True)


def test_a_missing_lead_is_a_404(marketer):
    assert logged_in(marketer).get(reverse("marketing:lead-detail", args=[987654])).status_code == 404


def test_a_salesperson_gets_a_404_for_a_lead_that_is_not_theirs(rep):
    lead = factories.capture()
    assert logged_in(rep).get(lead.get_absolute_url()).status_code == 404


def test_a_salesperson_reads_their_own_lead_without_marketings_controls(rep):
    lead = sales_accepted(rep)
    response = logged_in(rep).get(lead.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, lead.email)
    assertContains(response, "read-only")
    assertNotContains(response, "Hand to sales now")
    assertNotContains(response, "Disqualify")


def test_the_lead_page_sends_anonymous_visitors_to_log_in(db):
    lead = factories.capture()
    assert_sent_to_login(Client().get(lead.get_absolute_url()), lead.get_absolute_url())


# --- hand to sales now ----------------------------------------------------------------


def test_a_marketer_hands_a_lead_to_sales(marketer):
    lead = factories.capture()
    response = logged_in(marketer).post(qualify_url(lead))
    assert response.status_code == 303
    assert response["Location"] == lead.get_absolute_url()
    lead.refresh_from_db()
    assert lead.stage == Stage.MQL
    change = lead.stage_changes.last()
    assert (change.stage, change.changed_by, change.reason) == (Stage.MQL, marketer, "Handed to sales by hand")


def test_the_lead_page_offers_the_hand_over_only_while_marketing_has_the_lead(marketer, rep):
    client = logged_in(marketer)
    assertContains(client.get(factories.capture().get_absolute_url()), "Hand to sales now")
    assertNotContains(client.get(sales_accepted(rep).get_absolute_url()), "Hand to sales now")


def test_a_salesperson_may_not_hand_a_lead_over(rep):
    lead = factories.capture()
    assert logged_in(rep).post(qualify_url(lead)).status_code == 403
    lead.refresh_from_db()
    assert (lead.stage, lead.stage_changes.count()) == (Stage.LEAD, 1)


def test_an_anonymous_hand_over_goes_to_log_in_and_changes_nothing(db):
    lead = factories.capture()
    assert_sent_to_login(Client().post(qualify_url(lead)), qualify_url(lead))
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_a_lead_sales_already_accepted_is_a_409_and_stays_put(marketer, rep):
    lead = sales_accepted(rep)
    changes = lead.stage_changes.count()
    response = logged_in(marketer).post(qualify_url(lead))
    assertContains(response, "cannot move from Sales accepted to Marketing qualified", status_code=409)
    lead.refresh_from_db()
    assert (lead.stage, lead.owner, lead.stage_changes.count()) == (Stage.SAL, rep, changes)


def test_handing_over_twice_is_a_409_the_second_time(marketer):
    lead = factories.capture()
    client = logged_in(marketer)
    assert client.post(qualify_url(lead)).status_code == 303
    assert client.post(qualify_url(lead)).status_code == 409
    assert lead.stage_changes.filter(stage=Stage.MQL).count() == 1


def test_handing_over_needs_a_post(marketer):
    lead = factories.capture()
    assert logged_in(marketer).get(qualify_url(lead)).status_code == 405
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_handing_over_needs_the_csrf_token(marketer):
    lead = factories.capture()
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(qualify_url(lead)).status_code == 403
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_handing_over_a_missing_lead_is_a_404(marketer):
    assert logged_in(marketer).post(reverse("marketing:lead-qualify", args=[987654])).status_code == 404


# --- campaigns ------------------------------------------------------------------------


def test_a_marketer_sees_every_campaign(marketer, campaign):
    factories.CampaignFactory(name="Partner summit")
    response = logged_in(marketer).get(CAMPAIGNS)
    assert response.status_code == 200
    assertContains(response, "Forecasting webinar")
    assertContains(response, "Partner summit")


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_sees_campaigns_read_only(request, persona, campaign):
    response = logged_in(request.getfixturevalue(persona)).get(CAMPAIGNS)
    assert response.status_code == 200
    assertContains(response, "Forecasting webinar")
    assertNotContains(response, "New campaign")


def test_the_campaign_list_sends_anonymous_visitors_to_log_in(db):
    assert_sent_to_login(Client().get(CAMPAIGNS), CAMPAIGNS)


def test_campaign_names_are_shown_escaped(marketer):
    factories.CampaignFactory(name="<script>alert(1)</script>")
    response = logged_in(marketer).get(CAMPAIGNS)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)</script>")


# --- admin ----------------------------------------------------------------------------


def test_the_admin_shows_markup_in_a_lead_as_text(admin_user, campaign):
    lead = factories.capture(first_name="<script>alert(1)</script>", company="<b>ACME</b>", campaign=campaign)
    client = logged_in(admin_user)
    search = client.get(reverse("admin:marketing_lead_changelist"), {"q": "acme"})
    change = client.get(reverse("admin:marketing_lead_change", args=[lead.pk]))
    for response in (search, change):
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        assertNotContains(response, "<script>alert(1)</script>")
        assertNotContains(response, "<b>ACME</b>")
