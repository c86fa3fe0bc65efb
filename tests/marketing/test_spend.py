"""The spend log: dated entries by hand or from a CSV, with a row-by-row report."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from marketing.models import CampaignSpend
from marketing.services import campaigns as campaign_services
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def add_url(campaign) -> str:
    return reverse("marketing:spend-add", args=[campaign.pk])


def import_url(campaign) -> str:
    return reverse("marketing:spend-import", args=[campaign.pk])


def csv_file(content: bytes | str, name: str = "spend.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def logged(campaign) -> list[tuple]:
    return list(
        CampaignSpend.objects.filter(campaign=campaign)
        .order_by("spent_on", "id")
        .values_list("spent_on", "amount", "note")
    )


# --- by hand ----------------------------------------------------------------------------


def test_a_marketer_logs_spend_and_the_page_totals_it(marketer, campaign):
    client = logged_in(marketer)
    response = client.post(add_url(campaign), {"spent_on": "2026-03-02", "amount": "1200.50", "note": "Zoom licence"})
    assert response.status_code == 303
    assert logged(campaign) == [(datetime.date(2026, 3, 2), Decimal("1200.50"), "Zoom licence")]
    page = client.get(campaign.get_absolute_url())
    assert page.context["stats"].spend == Decimal("1200.50")
    assertContains(page, "Zoom licence")


def test_logging_spend_with_htmx_answers_the_spend_panel_only(marketer, campaign):
    response = logged_in(marketer).post(
        add_url(campaign), {"spent_on": "2026-03-02", "amount": "99", "note": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="panel" id="spend-panel"')
    assert len(logged(campaign)) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"spent_on": "2026-03-02", "amount": "-5"}, "amount"),
        ({"spent_on": "2026-03-02", "amount": "abc"}, "amount"),
        ({"spent_on": "2026-03-02", "amount": "99999999999"}, "amount"),
        ({"spent_on": "yesterday", "amount": "5"}, "spent_on"),
        ({"spent_on": "2026-03-02", "amount": "5", "note": "x" * 201}, "note"),
        ({"spent_on": "2026-03-02", "amount": "5", "note": "a\x00b"}, "note"),
    ],
)
def test_bad_spend_is_a_400_on_its_field_and_logs_nothing(marketer, campaign, data, field):
    response = logged_in(marketer).post(add_url(campaign), {"note": "", **data})
    assert response.status_code == 400
    assert field in response.context["spend_form"].errors
    assert logged(campaign) == []


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_log_or_remove_spend(request, persona, campaign):
    entry = campaign_services.add_spend(campaign_id=campaign.pk, spent_on=datetime.date(2026, 1, 1), amount=Decimal(5))
    client = logged_in(request.getfixturevalue(persona))
    assert client.post(add_url(campaign), {"spent_on": "2026-03-02", "amount": "5"}).status_code == 403
    assert client.post(reverse("marketing:spend-delete", args=[campaign.pk, entry.pk])).status_code == 403
    assert client.post(import_url(campaign), {"file": csv_file("date,amount\n2026-01-02,5\n")}).status_code == 403
    assert len(logged(campaign)) == 1


def test_a_marketer_removes_a_wrong_entry(marketer, campaign):
    entry = campaign_services.add_spend(campaign_id=campaign.pk, spent_on=datetime.date(2026, 1, 1), amount=Decimal(5))
    response = logged_in(marketer).post(reverse("marketing:spend-delete", args=[campaign.pk, entry.pk]))
    assert response.status_code == 303
    assert logged(campaign) == []


def test_removing_another_campaigns_entry_is_a_404_and_keeps_it(marketer, campaign):
    other = factories.CampaignFactory()
    entry = campaign_services.add_spend(campaign_id=other.pk, spent_on=datetime.date(2026, 1, 1), amount=Decimal(5))
    response = logged_in(marketer).post(reverse("marketing:spend-delete", args=[campaign.pk, entry.pk]))
    assert response.status_code == 404
    assert CampaignSpend.objects.filter(pk=entry.pk).exists()


def test_spend_for_a_missing_campaign_is_a_404(marketer):
    response = logged_in(marketer).post(reverse("marketing:spend-add", args=[987654]), {"amount": "5"})
    assert response.status_code == 404


# --- from a CSV ---------------------------------------------------------------------------


def test_a_spend_csv_adds_good_rows_and_reports_each_bad_one(marketer, campaign):
    content = (
        "Date,Amount,Note\n"
        "2026-03-01,1200,LinkedIn ads\n"
        '2026-03-08,"$1,350.25",LinkedIn ads\n'
        "03/15/2026,400,ambiguous date\n"
        "2026-03-22,-50,refund\n"
        "2026-03-29,,missing amount\n"
        "\n"
        '31.03.2026,"1.234,50",Booth (European format)\n'
    )
    response = logged_in(marketer).post(import_url(campaign), {"file": csv_file(content)})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(row.row, row.status) for row in report.rows] == [
        (2, "added"),
        (3, "added"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (8, "added"),
    ]
    assert "write it as YYYY-MM-DD" in report.rows[2].message
    assert "negative" in report.rows[3].message
    assert "missing" in report.rows[4].message
    assert logged(campaign) == [
        (datetime.date(2026, 3, 1), Decimal("1200.00"), "LinkedIn ads"),
        (datetime.date(2026, 3, 8), Decimal("1350.25"), "LinkedIn ads"),
        (datetime.date(2026, 3, 31), Decimal("1234.50"), "Booth (European format)"),
    ]
    assertContains(response, "Refused")


def test_importing_the_same_file_twice_adds_nothing_the_second_time(marketer, campaign):
    content = "date;amount;note\n2026-03-01;100;a\n2026-03-01;100;a\n2026-03-02;100;a\n"
    client = logged_in(marketer)
    first = client.post(import_url(campaign), {"file": csv_file(content)}).context["report"]
    second = client.post(import_url(campaign), {"file": csv_file(content)}).context["report"]
    assert (first.added, first.skipped) == (2, 1)  # the repeated row inside the file
    assert (second.added, second.skipped) == (0, 3)
    assert len(logged(campaign)) == 2


def test_a_latin1_semicolon_file_with_a_bom_less_header_is_read(marketer, campaign):
    content = "Datum;Betrag;Notiz\n".replace("Datum", "date").replace("Betrag", "amount").replace("Notiz", "note")
    content += "2026-04-01;250;Messe München\n"
    response = logged_in(marketer).post(import_url(campaign), {"file": csv_file(content.encode("latin-1"))})
    assert response.context["report"].added == 1
    assert logged(campaign)[0][2] == "Messe München"


def test_a_utf8_bom_does_not_hide_the_date_column(marketer, campaign):
    content = "\ufeffdate,amount\n2026-04-01,250\n".encode()
    assert logged_in(marketer).post(import_url(campaign), {"file": csv_file(content)}).context["report"].added == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook", "looks like an Excel workbook", id="xlsx"),
        pytest.param(b"\x00\x01\x02binary", "binary data", id="binary"),
        pytest.param(b"", "The submitted file is empty.", id="empty"),
        pytest.param(b"when,how much\n2026-01-01,5\n", "needs a “date” and an “amount” column", id="no-columns"),
    ],
)
def test_a_file_that_is_not_a_spend_csv_is_a_400_and_adds_nothing(marketer, campaign, content, message):
    response = logged_in(marketer).post(import_url(campaign), {"file": csv_file(content)})
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert logged(campaign) == []


def test_a_spend_file_over_one_megabyte_is_refused(marketer, campaign):
    content = "date,amount,note\n" + "2026-01-01,5,padding\n" * 60_000
    response = logged_in(marketer).post(import_url(campaign), {"file": csv_file(content)})
    assert response.status_code == 400
    assertContains(response, "at most 1 MB", status_code=400)
    assert logged(campaign) == []


def test_a_formula_in_a_note_is_stored_as_text_and_shown_escaped(marketer, campaign):
    content = 'date,amount,note\n2026-01-01,5,"=HYPERLINK(""http://x"")<b>"\n'
    response = logged_in(marketer).post(import_url(campaign), {"file": csv_file(content)})
    assert logged(campaign)[0][2] == '=HYPERLINK("http://x")<b>'
    assert b"<b>" not in response.content.split(b"<main")[1].replace(b"<b>+", b"")


def test_posting_no_file_is_a_400_naming_the_field(marketer, campaign):
    response = logged_in(marketer).post(import_url(campaign), {})
    assert response.status_code == 400
    assert "file" in response.context["import_form"].errors
