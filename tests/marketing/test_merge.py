"""Duplicates: found by phone, name and company; merged keeping both histories."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from handoff import services as handoff_services
from marketing import duplicates, services
from marketing.errors import MergeNotAllowed
from marketing.models import Lead, LeadEmailAlias, LeadMerge, LeadStageChange, Stage, Touchpoint
from marketing.services import Capture
from tests import factories
from tests.conftest import logged_in
from tests.marketing.pages import form_with_button

pytestmark = pytest.mark.django_db

MERGE = reverse("marketing:lead-merge")


def test_merging_moves_both_histories_fills_blanks_and_keeps_the_duplicate_out_of_the_way(campaign):
    duplicate = factories.capture(
        "ada.lovelace@gmail.com", phone="+44 20 7946 0000", campaign=campaign, consent_text="Yes, email me"
    )
    keep = factories.capture("ada@analytical.example", company="Analytical Engines")
    services.add_touchpoint(lead_id=duplicate.pk, kind=Touchpoint.Kind.WEBINAR)
    services.score_lead(lead_id=duplicate.pk)

    kept = services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)

    assert kept.pk == keep.pk
    assert Touchpoint.objects.filter(lead=keep).count() == 3
    assert not Touchpoint.objects.filter(lead=duplicate).exists()
    stays = list(LeadStageChange.objects.filter(lead=keep).order_by("entered_at").values_list("stage", "exited_at"))
    assert len(stays) == 2 and stays[0][1] is not None and stays[1][1] is None  # one open stay
    kept = Lead.objects.get(pk=keep.pk)
    assert (kept.phone, kept.company, kept.consent_text) == ("+44 20 7946 0000", "Analytical Engines", "Yes, email me")
    assert kept.first_touch_campaign == campaign  # the duplicate's was the earlier first touch
    assert kept.score_changes.exists()
    gone = Lead.objects.get(pk=duplicate.pk)
    assert (gone.merged_into, gone.stage, gone.email) == (kept, Stage.DISQUALIFIED, "ada.lovelace@gmail.com")
    assert gone.email_normalized == f"lead-{duplicate.pk}@merged.invalid"
    assert LeadMerge.objects.get().duplicate_email == "ada.lovelace@gmail.com"


def test_a_capture_of_the_merged_address_lands_on_the_kept_lead():
    duplicate = factories.capture("ada.lovelace@gmail.com")
    keep = factories.capture("ada@analytical.example")
    services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)
    result = services.capture_lead(capture=Capture(email="ADA.Lovelace@gmail.com", first_name="Ada"))
    assert (result.lead.pk, result.created) == (keep.pk, False)
    assert Lead.objects.active().count() == 1


def test_merging_into_a_lead_that_is_later_merged_again_follows_the_chain():
    first, second, third = (factories.capture(f"p{n}@corp.example") for n in range(3))
    services.merge_leads(keep_id=second.pk, duplicate_id=first.pk)
    services.merge_leads(keep_id=third.pk, duplicate_id=second.pk)
    assert set(LeadEmailAlias.objects.values_list("email_normalized", "lead")) == {
        ("p0@corp.example", third.pk),
        ("p1@corp.example", third.pk),
    }
    assert services.capture_lead(capture=Capture(email="p0@corp.example")).lead.pk == third.pk


def test_a_duplicate_that_sales_rejected_can_be_merged_by_handoff(rep):
    """What the handoff app does for the "duplicate" rejection reason."""
    keep = factories.capture("ada@analytical.example")
    handoff = factories.offered(email="ada.l@analytical.example")
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason="duplicate")
    kept = services.merge_leads(keep_id=keep.pk, duplicate_id=handoff.lead_id, by=rep)
    assert Lead.objects.get(pk=handoff.lead_id).merged_into == kept
    reasons = list(kept.stage_changes.values_list("reason", flat=True))
    assert any(reason.startswith("Rejected by sales — Duplicate") for reason in reasons)


@pytest.mark.parametrize("case", ["itself", "already-merged"])
def test_impossible_merges_are_refused_and_change_nothing(case):
    keep, duplicate = factories.capture("a@corp.example"), factories.capture("b@corp.example")
    if case == "itself":
        with pytest.raises(MergeNotAllowed):
            services.merge_leads(keep_id=keep.pk, duplicate_id=keep.pk)
        assert not LeadMerge.objects.exists()
    else:
        services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)
        with pytest.raises(MergeNotAllowed):
            services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)
        assert LeadMerge.objects.count() == 1


def test_merging_a_lead_that_does_not_exist_raises():
    keep = factories.capture()
    with pytest.raises(Lead.DoesNotExist):
        services.merge_leads(keep_id=keep.pk, duplicate_id=987654)


# --- the duplicates page ------------------------------------------------------------------


def test_the_page_groups_leads_by_phone_name_and_company(marketer):
    factories.capture("a1@acme.example", first_name="Ann", last_name="Lee", phone="+1 (415) 555-0142")
    factories.capture("a2@gmail.com", first_name="Bo", last_name="Chan", phone="415.555.0142")
    factories.capture("grace@navy.example", first_name="Grace", last_name="Hopper")
    factories.capture("g.hopper@navy.example", first_name="GRACE", last_name="hopper")
    factories.capture("kat@nasa.example", first_name="Katherine", last_name="Johnson", company="NASA Inc.")
    factories.capture("kj@gmail.com", first_name="Katherine", last_name="Johnson", company="Nasa")
    factories.capture("alone@corp.example", first_name="Solo", last_name="Person")
    response = logged_in(marketer).get(reverse("marketing:duplicate-list"))
    groups = {group.reason: {lead.email_normalized for lead in group.leads} for group in response.context["groups"]}
    assert groups == {
        "Same phone number": {"a1@acme.example", "a2@gmail.com"},
        "Same name at the same company domain": {"grace@navy.example", "g.hopper@navy.example"},
        "Same person under another email (same name and company)": {"kat@nasa.example", "kj@gmail.com"},
    }


def test_the_suggested_keeper_is_the_lead_furthest_along():
    early = factories.capture("a@navy.example", first_name="Grace", last_name="Hopper")
    later = factories.capture("b@navy.example", first_name="Grace", last_name="Hopper")
    services.qualify_lead(lead_id=later.pk)
    [group] = duplicates.likely_groups()
    assert group.suggested_keep.pk == later.pk and early.pk != later.pk


def test_a_marketer_merges_from_the_page(marketer):
    keep = factories.capture("a@navy.example", first_name="Grace", last_name="Hopper")
    duplicate = factories.capture("b@navy.example", first_name="Grace", last_name="Hopper")
    response = logged_in(marketer).post(MERGE, {"keep": keep.pk, "duplicate": duplicate.pk})
    assert response.status_code == 303 and response["Location"] == keep.get_absolute_url()
    assert Lead.objects.get(pk=duplicate.pk).merged_into_id == keep.pk
    assert logged_in(marketer).get(reverse("marketing:duplicate-list")).context["groups"] == []


@pytest.mark.parametrize(
    ("data", "status"),
    [({"keep": "x", "duplicate": "1"}, 400), ({}, 400), ({"keep": 987654, "duplicate": None}, 404)],
)
def test_bad_merge_requests_change_nothing(marketer, data, status):
    lead = factories.capture()
    if data.get("duplicate", "") is None:
        data["duplicate"] = lead.pk
    response = logged_in(marketer).post(MERGE, data)
    assert response.status_code == status
    assert not LeadMerge.objects.exists()


def test_merging_a_lead_into_itself_from_the_page_is_a_400(marketer):
    lead = factories.capture()
    assertContains(
        logged_in(marketer).post(MERGE, {"keep": lead.pk, "duplicate": lead.pk}), "two different", status_code=400
    )


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_see_duplicates_or_merge(request, persona):
    keep, duplicate = factories.capture("a@corp.example"), factories.capture("b@corp.example")
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("marketing:duplicate-list")).status_code == 403
    assert client.post(MERGE, {"keep": keep.pk, "duplicate": duplicate.pk}).status_code == 403
    assert not LeadMerge.objects.exists()


def test_a_lead_with_sales_is_never_merged_away_from_the_page(marketer):
    # Marketing is read-only after handoff (docs/RELIABILITY.md): merging a qualified lead away
    # would disqualify it under the rep working it. It can still be the lead others merge into.
    kept = factories.capture("a@navy.example", first_name="Grace", last_name="Hopper")
    with_sales = factories.capture("b@navy.example", first_name="Grace", last_name="Hopper")
    services.qualify_lead(lead_id=kept.pk)
    services.qualify_lead(lead_id=with_sales.pk)
    client = logged_in(marketer)

    page = client.get(reverse("marketing:duplicate-list")).content.decode()
    response = client.post(MERGE, {"keep": kept.pk, "duplicate": with_sales.pk})

    assert f'name="duplicate" value="{with_sales.pk}"' not in page
    assert "With sales" in page
    assertContains(response, "is with sales", status_code=409)
    assert Lead.objects.get(pk=with_sales.pk).merged_into_id is None
    assert not LeadMerge.objects.exists()


# --- one address stored in two spellings (migration 0012 flags them) -------------------------


def same_address_pair(local: str) -> tuple[Lead, Lead]:
    """A lead in Unicode and one left in punycode by the migration, both flagged for review."""
    unicode_lead = factories.capture(f"{local}@bücher.example", first_name="Ute", last_name=local)
    punycode_lead = factories.capture(f"{local}.tmp@corp.example", first_name="Uwe", last_name=local)
    Lead.objects.filter(pk=punycode_lead.pk).update(
        email=f"{local}@xn--bcher-kva.example", email_normalized=f"{local}@xn--bcher-kva.example"
    )
    Lead.objects.filter(pk__in=[unicode_lead.pk, punycode_lead.pk]).update(review_reason=duplicates.SAME_ADDRESS)
    return unicode_lead, punycode_lead


def test_a_marketer_merges_one_address_in_two_spellings_from_the_page_and_the_group_goes(marketer):
    unicode_lead, punycode_lead = same_address_pair("ute")
    client = logged_in(marketer)
    page = client.get(reverse("marketing:duplicate-list"))
    assertContains(page, duplicates.SAME_ADDRESS_REASON)
    form = form_with_button(page, "Merge into the kept lead")
    assert {int(form.fields["keep"]), int(form.fields["duplicate"])} == {unicode_lead.pk, punycode_lead.pk}
    assert client.post(form.action, form.data()).status_code == 303
    assert Lead.objects.active().count() == 1
    assert client.get(reverse("marketing:duplicate-list")).context["groups"] == []


def test_the_duplicates_page_costs_the_same_queries_with_more_groups(marketer):
    client = logged_in(marketer)
    url = reverse("marketing:duplicate-list")

    def add_groups(start: int, count: int) -> None:
        for n in range(start, start + count):
            same_address_pair(f"person{n}")
            factories.capture(f"a{n}@one.example", first_name=f"A{n}", phone=f"+1 415 555 {n:04d}")
            factories.capture(f"b{n}@two.example", first_name=f"B{n}", phone=f"415.555.{n:04d}")

    add_groups(0, 1)
    client.get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["groups"]) == 2
    add_groups(1, 5)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["groups"]) == 12
    assert len(many) == len(few), [query["sql"][:120] for query in many.captured_queries]
