"""The recycled view (what sales sent back, and why) and CSV export of any filtered list."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from guards.csvsafe import safe_cell
from handoff import services as handoff_services
from marketing import services
from marketing.models import Lead, Stage
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

RECYCLED = reverse("marketing:recycled-list")
EXPORT = reverse("marketing:lead-export")


def rejected(rep, email: str, reason: str, note: str = "") -> Lead:
    handoff = factories.offered(email=email)
    handoff_services.reject_offer(handoff_id=handoff.pk, by=rep, reason=reason, note=note)
    return Lead.objects.get(pk=handoff.lead_id)


# --- recycled -------------------------------------------------------------------------------


def test_recycled_leads_are_listed_with_sales_reason_newest_first(marketer, rep):
    older = rejected(rep, "old@corp.example", "no_budget", "Frozen until Q1")
    newer = rejected(rep, "new@corp.example", "bad_timing")
    factories.capture("fresh@corp.example")
    response = logged_in(marketer).get(RECYCLED)
    rows = response.context["page"].rows
    assert [lead.pk for lead in rows] == [newer.pk, older.pk]
    assert rows[1].recycled_reason.startswith("Rejected by sales — No budget")
    assertContains(response, "Frozen until Q1")
    assert dict(response.context["headlines"]) == {
        "Rejected by sales — No budget": 1,
        "Rejected by sales — Bad timing": 1,
    }


def test_a_lost_deal_comes_back_as_recycled_with_its_reason(marketer, rep):
    deal_lead = factories.offered(email="lost@corp.example").lead
    services.accept_lead(lead_id=deal_lead.pk, owner_id=rep.pk)
    services.record_outcome(
        lead_id=deal_lead.pk, won=False, amount=Decimal(0), closed_at=deal_lead.created_at, reason="Price"
    )
    rows = logged_in(marketer).get(RECYCLED).context["page"].rows
    assert [(lead.pk, lead.recycled_reason) for lead in rows] == [(deal_lead.pk, "Deal lost: Price")]


def test_the_recycled_view_is_for_marketing(rep, manager):
    assert logged_in(rep).get(RECYCLED).status_code == 403
    assert logged_in(manager).get(RECYCLED).status_code == 403


def test_an_empty_recycled_view_says_what_will_land_there(marketer):
    assertContains(logged_in(marketer).get(RECYCLED), "Nothing sent back")


# --- export ---------------------------------------------------------------------------------


def exported(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_export_has_the_filtered_leads_in_the_lists_order(marketer, campaign):
    factories.capture("a@corp.example", campaign=campaign, company="Acme")
    factories.capture("b@corp.example", campaign=campaign)
    factories.capture("c@corp.example")
    rows = exported(logged_in(marketer).get(EXPORT, {"campaign": campaign.pk}))
    assert [row["email"] for row in rows] == ["b@corp.example", "a@corp.example"]
    assert (rows[1]["company"], rows[1]["first_touch_campaign"], rows[1]["stage"]) == ("Acme", campaign.name, "lead")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Plain Co", "Plain Co"),
        ("-5", "-5"),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(marketer, value, written):
    factories.capture("f@corp.example", company=value)
    [row] = exported(logged_in(marketer).get(EXPORT))
    assert row["company"] == written


def test_a_nul_led_cell_is_neutralised():
    assert safe_cell("\x00=1") == "'\x00=1"


def test_numbers_stay_numbers_and_markup_stays_text(marketer, settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture("n@corp.example", first_name="<script>alert(1)</script>", attributes={"visits": "=1+1"})
    services.score_lead(lead_id=lead.pk)
    response = logged_in(marketer).get(EXPORT)
    text = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(text[1:])))
    assert ",20," in text  # the score, unquoted
    assert row["score"] == "20"
    assert row["first_name"] == "<script>alert(1)</script>"
    assert json.loads(row["attributes"]) == {"visits": "=1+1"}  # JSON starts with "{": safe as is


def test_an_imported_lead_without_an_email_exports_a_blank_email(marketer):
    from marketing.services import Capture, capture_lead

    capture_lead(capture=Capture(email="prospect-7@x-education.import.invalid", first_name="Row"))
    [row] = exported(logged_in(marketer).get(EXPORT))
    assert row["email"] == ""


def test_a_bad_filter_is_a_400_not_a_file(marketer):
    response = logged_in(marketer).get(EXPORT, {"score_min": "lots"})
    assert response.status_code == 400
    assertContains(response, "Score from:", status_code=400)


def test_a_salesperson_may_not_export_leads(rep):
    factories.capture()
    assert logged_in(rep).get(EXPORT).status_code == 403


def test_the_export_streams_every_lead_not_one_page(marketer):
    for n in range(120):
        factories.capture(f"l{n}@corp.example")
    assert len(exported(logged_in(marketer).get(EXPORT))) == 120


def test_merged_duplicates_are_not_exported(marketer):
    keep, duplicate = factories.capture("k@corp.example"), factories.capture("d@corp.example")
    services.merge_leads(keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert [row["email"] for row in exported(logged_in(marketer).get(EXPORT))] == ["k@corp.example"]
    assert Lead.objects.get(pk=duplicate.pk).stage == Stage.DISQUALIFIED
