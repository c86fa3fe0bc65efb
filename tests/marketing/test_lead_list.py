"""The lead list: filters, sorts, keyset pages, a capped count, and bulk actions."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from handoff import services as handoff_services
from marketing import paging, services
from marketing.models import Lead, Stage, Touchpoint
from marketing.services import leads as lead_services
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

LEADS = reverse("marketing:lead-list")
BULK = reverse("marketing:lead-bulk")


def listed(response) -> list[str]:
    return [lead.email_normalized for lead in response.context["page"].rows]


def scored(email: str, score: int, **fields) -> Lead:
    """A lead with a given score, the way scoring writes it."""
    lead = factories.capture(email, **fields)
    Lead.objects.filter(pk=lead.pk).update(score=score)
    return Lead.objects.get(pk=lead.pk)


# --- filters --------------------------------------------------------------------------------


def test_filters_combine_campaign_source_score_and_dates(marketer, campaign):
    other = factories.CampaignFactory(name="Other")
    scored("a@corp.example", 80, campaign=campaign)
    scored("b@corp.example", 20, campaign=campaign)
    scored("c@corp.example", 90, campaign=other)
    scored("d@corp.example", 70, source="referral")
    client = logged_in(marketer)
    assert set(listed(client.get(LEADS, {"campaign": campaign.pk}))) == {"a@corp.example", "b@corp.example"}
    assert listed(client.get(LEADS, {"campaign": campaign.pk, "score_min": 50})) == ["a@corp.example"]
    assert set(listed(client.get(LEADS, {"score_min": 70, "score_max": 85}))) == {"a@corp.example", "d@corp.example"}
    assert listed(client.get(LEADS, {"source": "referral"})) == ["d@corp.example"]
    today = datetime.date.today()
    assert len(listed(client.get(LEADS, {"created_from": today, "created_to": today}))) == 4
    assert listed(client.get(LEADS, {"created_to": today - datetime.timedelta(days=1)})) == []


def test_the_owner_filter_finds_a_reps_leads_and_marketings_own(marketer, rep):
    owned = factories.accepted_deal(rep, email="owned@corp.example")
    assert owned is not None
    factories.capture("free@corp.example")
    client = logged_in(marketer)
    assert listed(client.get(LEADS, {"owner": rep.pk})) == ["owned@corp.example"]
    assert listed(client.get(LEADS, {"owner": "none"})) == ["free@corp.example"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"score_min": "ten"}, "Score from"),
        ({"score_min": 50, "score_max": 10}, "Score to"),
        ({"created_from": "2026-02-30"}, "Captured from"),
        ({"campaign": "987654"}, "Campaign"),
        ({"owner": "987654"}, "Owner"),
        ({"sort": "email_normalized"}, "Sort"),
        ({"sort": "-password"}, "Sort"),
        ({"source": "carrier_pigeon"}, "Source"),
        ({"score_min": "1" * 30}, "Score from"),
    ],
)
def test_a_bad_filter_or_sort_is_a_400_naming_it(marketer, query, field):
    factories.capture()
    response = logged_in(marketer).get(LEADS, query)
    assertContains(response, f"{field}:", status_code=400)
    assert listed(response) == []


# --- sorting and pages ------------------------------------------------------------------------


def test_each_sort_orders_the_leads(marketer):
    scored("low@corp.example", 5, first_name="Zed", last_name="Adams")
    scored("high@corp.example", 95, first_name="Amy", last_name="Zhou")
    scored("mid@corp.example", 50, first_name="Bob", last_name="Adams")
    client = logged_in(marketer)
    assert listed(client.get(LEADS, {"sort": "score"})) == ["high@corp.example", "mid@corp.example", "low@corp.example"]
    assert listed(client.get(LEADS, {"sort": "score_low"}))[0] == "low@corp.example"
    assert listed(client.get(LEADS, {"sort": "name"})) == ["mid@corp.example", "low@corp.example", "high@corp.example"]
    assert listed(client.get(LEADS, {"sort": "oldest"}))[0] == "low@corp.example"
    assert listed(client.get(LEADS))[0] == "mid@corp.example"


@pytest.mark.parametrize("sort", ["newest", "oldest", "score", "score_low", "name"])
def test_walking_the_pages_forward_and_back_shows_every_lead_once(marketer, sort):
    for n in range(7):
        scored(f"lead{n}@corp.example", n % 3 * 10, first_name=f"F{n % 2}", last_name=f"L{n % 3}")
    client = logged_in(marketer)
    seen, after, pages = [], "", []
    while True:
        page = paginated(client, sort, after=after)
        pages.append(page)
        seen += [lead.email_normalized for lead in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(f"lead{n}@corp.example" for n in range(7))
    assert len(seen) == len(set(seen))
    back = paginated(client, sort, before=pages[-1].previous_cursor)
    assert [lead.pk for lead in back.rows] == [lead.pk for lead in pages[-2].rows]


def paginated(client, sort, **cursor) -> paging.Page:
    from marketing.forms.leads import SORTS
    from marketing.paging import paginate

    return paginate(Lead.objects.active(), SORTS[sort], size=3, **cursor)


def test_a_cursor_from_another_sort_is_a_400(marketer):
    for n in range(60):
        factories.capture(f"lead{n}@corp.example")
    client = logged_in(marketer)
    cursor = client.get(LEADS, {"sort": "name"}).context["page"].next_cursor
    response = client.get(LEADS, {"sort": "score", "after": cursor})
    assertContains(response, "start again from the first page", status_code=400)


def test_the_count_stops_at_the_cap_and_a_search_at_a_lower_one(marketer, monkeypatch):
    monkeypatch.setattr("marketing.views.leads.COUNT_CAP", 4)
    monkeypatch.setattr("marketing.views.leads.SEARCH_COUNT_CAP", 2)
    for n in range(5):
        factories.capture(f"lead{n}@corp.example")
    client = logged_in(marketer)
    response = client.get(LEADS)
    assert (response.context["count"], response.context["capped"]) == (4, True)
    assertContains(response, "4+ leads")
    searched = client.get(LEADS, {"q": "corp"})
    assert (searched.context["count"], searched.context["capped"]) == (2, True)
    capped_free = client.get(LEADS, {"stage": "lead", "q": "lead3"})
    assert (capped_free.context["count"], capped_free.context["capped"]) == (1, False)


def test_merged_duplicates_leave_the_list(marketer):
    keep = factories.capture("keep@corp.example")
    duplicate = factories.capture("dup@corp.example")
    services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert listed(logged_in(marketer).get(LEADS)) == ["keep@corp.example"]


# --- bulk actions -----------------------------------------------------------------------------


def bulk(client, action: str, leads, **extra):
    return client.post(BULK, {"action": action, "ids": [lead.pk for lead in leads], "next": LEADS, **extra})


def test_handing_a_selection_to_sales_skips_leads_already_there(marketer, rep):
    fresh = [factories.capture(f"fresh{n}@corp.example") for n in range(3)]
    taken = factories.accepted_deal(rep, email="taken@corp.example")
    taken_lead = Lead.objects.get(email_normalized="taken@corp.example")
    assert taken is not None
    client = logged_in(marketer)
    response = bulk(client, "qualify", [*fresh, taken_lead])
    assert response.status_code == 303 and response["Location"] == LEADS
    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in fresh]).values_list("stage", flat=True)) == {Stage.MQL}
    assert Lead.objects.get(pk=taken_lead.pk).stage == Stage.SAL
    message = str(list(client.get(LEADS).context["messages"])[0])
    assert message == "3 leads handed to sales; 1 skipped (already sales accepted)."


def test_disqualifying_a_selection_records_the_reason_and_who(marketer):
    leads = [factories.capture(f"junk{n}@corp.example") for n in range(2)]
    bulk(logged_in(marketer), "disqualify", leads, reason="Competitor research")
    for lead in leads:
        change = Lead.objects.get(pk=lead.pk).stage_changes.last()
        assert (change.stage, change.reason, change.changed_by) == (Stage.DISQUALIFIED, "Competitor research", marketer)


def test_adding_a_touchpoint_to_a_selection_credits_the_campaign(marketer, campaign):
    leads = [factories.capture(f"booth{n}@corp.example") for n in range(2)]
    bulk(logged_in(marketer), "touch", leads, kind=Touchpoint.Kind.EVENT, campaign=campaign.pk, note="Booth scan")
    for lead in leads:
        touch = Touchpoint.objects.filter(lead=lead, kind=Touchpoint.Kind.EVENT).get()
        assert (touch.campaign, touch.details) == (campaign, {"added_by": marketer.username, "note": "Booth scan"})
        assert Lead.objects.get(pk=lead.pk).last_touch_campaign == campaign


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "disqualify", "reason": "  "}, "Why disqualify"),
        ({"action": "touch", "kind": ""}, "Kind"),
        ({"action": "touch", "kind": "telepathy"}, "Kind"),
        ({"action": "explode"}, "Action"),
        ({"action": "qualify", "ids": ["abc"]}, "Leads"),
        ({"action": "qualify", "ids": []}, "Leads"),
    ],
)
def test_a_bad_bulk_action_is_a_400_and_changes_nothing(marketer, data, field):
    lead = factories.capture()
    response = logged_in(marketer).post(BULK, {"ids": [lead.pk], **data})
    assertContains(response, f"{field}:", status_code=400)
    lead.refresh_from_db()
    assert (lead.stage, lead.touchpoints.count(), lead.stage_changes.count()) == (Stage.LEAD, 1, 1)


def test_more_than_the_bulk_limit_is_refused(marketer, monkeypatch):
    monkeypatch.setattr("marketing.forms.leads.BULK_LIMIT", 2)
    leads = [factories.capture(f"l{n}@corp.example") for n in range(3)]
    response = bulk(logged_in(marketer), "qualify", leads)
    assert response.status_code == 400
    assert not Lead.objects.filter(stage=Stage.MQL).exists()


def test_a_salesperson_may_not_run_bulk_actions(rep):
    lead = factories.capture()
    assert bulk(logged_in(rep), "disqualify", [lead], reason="mine now").status_code == 403
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_bulk_actions_need_the_csrf_token(marketer):
    lead = factories.capture()
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert bulk(client, "qualify", [lead]).status_code == 403
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_bulk_never_redirects_off_site(marketer):
    lead = factories.capture()
    response = bulk(logged_in(marketer), "qualify", [lead], next="https://evil.example/")
    assert response["Location"] == LEADS


def test_a_missing_lead_in_a_selection_is_skipped(marketer):
    lead = factories.capture()
    client = logged_in(marketer)
    client.post(BULK, {"action": "qualify", "ids": [lead.pk, 987654]})
    message = str(list(client.get(LEADS).context["messages"])[0])
    assert message == "1 lead handed to sales; 1 skipped (no such lead)."


def test_bulk_service_refuses_an_oversized_selection():
    with pytest.raises(ValueError, match="At most"):
        lead_services.bulk_qualify(lead_ids=list(range(lead_services.BULK_LIMIT + 1)), by=None)


def test_recycled_leads_go_back_to_nurture_in_bulk(marketer, rep):
    handoff = factories.offered(email="back@corp.example")
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason="no_budget")
    lead = Lead.objects.get(pk=handoff.lead_id)
    bulk(logged_in(marketer), "renurture", [lead])
    lead.refresh_from_db()
    assert (lead.stage, lead.stage_changes.last().reason) == (Stage.LEAD, "Back to nurture")
