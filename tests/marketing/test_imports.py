"""CSV import: upload → mapping → dry run → background run → report, with the files people really have."""

import csv
import datetime
import io
import re
import string
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from marketing.csvio import MIXED, CsvFileError, detect_format, read_records
from marketing.models import CampaignSpend, ImportRowError, Lead, LeadImport, Stage, Touchpoint
from marketing.services import Capture, capture_lead
from marketing.services import imports as import_services
from tests import factories
from tests.conftest import logged_in, require
from tests.marketing import pages
from tests.shared_data import shared_data

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
X_EDUCATION = (FIXTURES / "x_education_sample.csv").read_bytes()
BANK = (FIXTURES / "bank_marketing_sample.csv").read_bytes()
PEOPLE = "email,First Name,Last Name,Company,Job Title,Notes\n"
# The whole file, from shared/data beside the repository (tests/shared_data.py finds it)
X_EDUCATION_FULL = shared_data("x_education_leads.csv")


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # uploads land in this test's folder


def upload(client, content: bytes | str, name: str = "leads.csv", **extra):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("marketing:import-new"), {"file": SimpleUploadedFile(name, data), "source": "event", **extra}
    )


def uploaded(client, content, name: str = "leads.csv") -> LeadImport:
    response = upload(client, content, name)
    assert response.status_code == 303, response.content[:500]
    return LeadImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def run(lead_import: LeadImport) -> LeadImport:
    """Start it and do what the task does, batch after batch, here and now."""
    import_services.start_import(import_id=lead_import.pk)
    while import_services.import_rows(import_id=lead_import.pk, seconds=600):
        pass
    lead_import.refresh_from_db()
    return lead_import


# --- the two real files ------------------------------------------------------------------------


def test_x_education_rows_get_their_id_as_identity_and_keep_every_column(marketer):
    lead_import = uploaded(logged_in(marketer), X_EDUCATION, "x_education_leads.csv")
    assert (lead_import.total_rows, lead_import.encoding, lead_import.delimiter) == (6, "utf-8-sig", ",")
    assert lead_import.mapping["Prospect ID"] == "external_id"
    assert lead_import.mapping["Country"] == "country"
    assert lead_import.mapping["Column 38"] == "ignore"  # the trailing comma
    lead_import = run(lead_import)
    assert (lead_import.status, lead_import.created_count, lead_import.rejected_count) == ("done", 6, 0)
    lead = Lead.objects.get(email_normalized="7927b2df-8bba-4d29-b9a2-b6e0beafe620@x-education-leads.import.invalid")
    assert (lead.display_email, lead.has_real_email, lead.source, lead.stage) == ("", False, "event", Stage.LEAD)
    assert lead.attributes["Lead Source"] == "Olark Chat"
    assert lead.attributes["Converted"] == "0"
    assert "Specialization" not in lead.attributes  # "Select" means empty
    assert lead.touchpoints.get().kind == Touchpoint.Kind.IMPORT
    assert lead.scored_at is not None
    assert "Business email domain" not in [reason["rule"] for reason in lead.score_reasons]


def test_importing_the_same_file_again_merges_into_the_same_leads(marketer):
    client = logged_in(marketer)
    run(uploaded(client, X_EDUCATION, "x_education_leads.csv"))
    again = run(uploaded(client, X_EDUCATION, "x_education_leads.csv"))
    assert (again.created_count, again.merged_count) == (0, 6)
    assert Lead.objects.count() == 6
    assert Touchpoint.objects.filter(kind=Touchpoint.Kind.IMPORT).count() == 12


def test_the_bank_file_without_email_or_id_is_known_by_each_rows_fingerprint(marketer):
    lead_import = uploaded(logged_in(marketer), BANK, "bank-additional-full.csv")
    assert lead_import.delimiter == ";"
    assert lead_import.headers[:3] == ["age", "job", "marital"]
    assert "external_id" not in lead_import.mapping.values()
    lead_import = run(lead_import)
    assert (lead_import.created_count, lead_import.rejected_count) == (6, 0)
    lead = Lead.objects.order_by("pk").first()
    assert lead.email_normalized.startswith("row-") and lead.email_normalized.endswith(
        "@bank-additional-full.import.invalid"
    )
    assert (lead.attributes["job"], lead.attributes["y"]) == ("housemaid", "no")


def test_the_whole_x_education_file_imports(marketer):
    """All 9,240 rows, as CI runs it (well under a minute)."""
    content = X_EDUCATION_FULL
    require(content.exists(), f"needs the X Education file at {content}")
    lead_import = run(uploaded(logged_in(marketer), content.read_bytes(), "x_education_leads.csv"))
    assert (lead_import.status, lead_import.total_rows, lead_import.created_count) == ("done", 9240, 9240)
    assert (lead_import.merged_count, lead_import.rejected_count, lead_import.processed_rows) == (0, 0, 9240)
    assert Lead.objects.filter(attributes__Converted="1").count() == 3561  # PROVENANCE.md's figure


# --- what people's files look like -------------------------------------------------------------


def test_a_latin1_semicolon_file_with_quoted_newlines_is_read_right(marketer):
    content = 'email;Nom;Société;Notes\n"zoe@cafe.example";"Zoë Café";"Crème Brûlée SA";"line one\nline two"\n'
    lead_import = uploaded(logged_in(marketer), content.encode("latin-1"))
    assert (lead_import.encoding, lead_import.delimiter) == ("cp1252", ";")
    lead_import.mapping.update({"Nom": "full_name", "Société": "company"})
    lead_import.save()
    run(lead_import)
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company) == ("Zoë", "Café", "Crème Brûlée SA")
    assert lead.attributes["Notes"] == "line one\nline two"


def test_a_bom_does_not_hide_the_email_column(marketer):
    lead_import = uploaded(logged_in(marketer), "\ufeffEmail,Name\nada@corp.example,Ada Lovelace\n".encode())
    assert lead_import.headers == ["Email", "Name"]
    assert lead_import.mapping == {"Email": "email", "Name": "full_name"}


def test_a_header_with_a_line_break_in_quotes_is_read(marketer):
    """Trying `;` on it left the quoted line break unquoted: csv raised, and the upload was a 500."""
    lead_import = uploaded(logged_in(marketer), 'email,"Notes\n(free text)"\nada@corp.example,hello\n')
    assert (lead_import.delimiter, lead_import.headers) == (",", ["email", "Notes (free text)"])


def test_missing_and_repeated_headers_get_names_of_their_own(marketer):
    lead_import = uploaded(logged_in(marketer), "email,,Notes,notes\na@corp.example,x,1,2\n")
    assert lead_import.headers == ["email", "Column 2", "Notes", "notes (2)"]
    run(lead_import)
    assert Lead.objects.get().attributes == {"Column 2": "x", "Notes": "1", "notes (2)": "2"}


def test_bad_rows_are_refused_with_reasons_and_the_good_ones_land(marketer):
    content = (
        PEOPLE
        + "ada@corp.example,Ada,Lovelace,Analytical,CTO,\n"
        + "not-an-email,Bad,Row,X,Y,\n"
        + "grace@navy.example,Grace,Hopper,US Navy,Admiral,\n"
        + "extra@corp.example,A,B,C,D,E,unexpected\n"
        + "ADA@corp.example,,,,,second time\n"
        + "\n"
        + f"long@corp.example,Long,Notes,X,Y,{'x' * 200_000}\n"
        + f"co@corp.example,Co,Name,{'c' * 201},Y,\n"
    )
    client = logged_in(marketer)
    lead_import = run(uploaded(client, content))
    assert (lead_import.created_count, lead_import.merged_count, lead_import.rejected_count) == (2, 1, 4)
    assert lead_import.blank_count == 1
    reasons = dict(ImportRowError.objects.values_list("row_number", "reason"))
    assert "Enter a valid email address." in reasons[3]
    assert reasons[5] == "The row has 7 values; the header has 6 columns."
    assert reasons[8] == "“Notes” is 200,000 characters; at most 2,000."
    assert reasons[9] == "“Company” is 201 characters; company takes 200."
    assert Lead.objects.get(email_normalized="ada@corp.example").attributes == {"Notes": "second time"}
    report = client.get(lead_import.get_absolute_url())
    assertContains(report, "Row 3")
    assertContains(report, "Download them as CSV")


def test_the_refused_rows_come_back_as_a_csv_to_fix_safely(marketer):
    content = PEOPLE + "=cmd|'/C calc'!A0,Bad,Row,X,Y,\n"
    client = logged_in(marketer)
    lead_import = run(uploaded(client, content))
    response = client.get(reverse("marketing:import-errors", args=[lead_import.pk]))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["error", "row", "email", "First Name", "Last Name", "Company", "Job Title", "Notes"]
    assert rows[1][1:4] == ["2", "'=cmd|'/C calc'!A0", "Bad"]
    assert "Enter a valid email address" in rows[1][0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00workbook", "looks like an Excel workbook", id="xlsx-renamed"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "looks like a PNG image", id="png-renamed"),
        pytest.param(b"email,name\x00\x01\x02\n", "binary data", id="binary"),
        pytest.param(b"\n\nada@corp.example,Ada\n", "should name the columns", id="no-header"),
    ],
)
def test_a_file_that_cannot_be_imported_is_a_400_and_nothing_is_kept(marketer, settings, content, message):
    response = upload(logged_in(marketer), content)
    assertContains(response, message, status_code=400)
    assert not LeadImport.objects.exists()
    assert not any((settings.DATA_DIR / "imports").rglob("*.csv"))


def test_a_file_over_the_limit_is_refused(marketer, settings):
    settings.LEADFLOW_IMPORT_MAX_MB = 1
    response = upload(logged_in(marketer), PEOPLE + "a@corp.example,A,B,C,D,x\n" * 50_000)
    assertContains(response, "imports take at most 1 MB", status_code=400)
    assert not LeadImport.objects.exists()


def test_an_empty_upload_is_a_400(marketer):
    response = upload(logged_in(marketer), b"")
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


# --- damaged files: an unclosed quote, two encodings, a lead field named twice -------------------
# Excerpts of the Fortune 1000 file in shared/data, damaged on purpose (fixtures/README.md).
FORTUNE_UNCLOSED = (FIXTURES / "fortune1000_unclosed_quote.csv").read_bytes()
FORTUNE_MIXED = (FIXTURES / "fortune1000_mixed_encoding.csv").read_bytes()
COMPANIES = ["Estée Lauder", "M&T Bank", "MasTec", "Philip Morris International", "UPS"]


def test_an_unclosed_quote_refuses_its_row_naming_the_line_and_the_rows_after_it_land(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, FORTUNE_UNCLOSED, "fortune1000.csv")
    assert lead_import.total_rows == 5
    lead_import = run(lead_import)
    assert (lead_import.status, lead_import.created_count, lead_import.rejected_count) == ("done", 4, 1)
    refusal = ImportRowError.objects.get()
    assert refusal.row_number == 3
    assert refusal.reason.startswith("A quote opens “sector” on line 3 and is never closed")
    assert refusal.cells[:2] == ["Philip Morris International", "107"]  # for the CSV of refused rows
    assert sorted(Lead.objects.values_list("company", flat=True)) == [c for c in COMPANIES if c[0] != "P"]
    assertContains(client.get(lead_import.get_absolute_url()), "on line 3 and is never closed")


def test_the_dry_run_shows_the_row_an_unclosed_quote_breaks(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, FORTUNE_UNCLOSED, "fortune1000.csv")
    mapping = pages.form_with_button(client.get(lead_import.get_absolute_url()), "Dry run")
    dry_run = client.get(client.post(mapping.action, mapping.data())["Location"])
    preview = dry_run.context["preview"]
    assert (preview.checked, preview.creates, [refused.number for refused in preview.refused]) == (5, 4, [3])
    assert not Lead.objects.exists()


def test_a_quote_closed_only_rows_later_refuses_its_own_row_and_keeps_the_next(marketer):
    content = (
        PEOPLE
        + 'ada@corp.example,Ada,L,X,Y,"note without its closing quote\n'
        + 'bob@corp.example,Bob,M,X,Y,"fine"\n'
        + 'cy@corp.example,Cy,N,X,Y,"two\nlines"\n'
    )
    lead_import = run(uploaded(logged_in(marketer), content))
    assert (lead_import.created_count, lead_import.rejected_count) == (2, 1)
    reason = ImportRowError.objects.get(row_number=2).reason
    assert reason.startswith("A quote opens “Notes” on line 2 and runs on to line 3 without closing cleanly")
    notes = dict(Lead.objects.values_list("email_normalized", "attributes__Notes"))
    assert notes == {"bob@corp.example": "fine", "cy@corp.example": "two\nlines"}


def test_a_file_mixing_utf8_and_latin1_reads_every_name_right_and_says_which_rows_were_latin1(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, FORTUNE_MIXED, "fortune1000.csv")
    page = client.get(lead_import.get_absolute_url())
    assertContains(page, "read as UTF-8 with some Latin-1 lines")
    assertContains(page, "Not all of this file is UTF-8")
    mapping = pages.form_with_button(page, "Dry run")
    dry_run = client.get(client.post(mapping.action, mapping.data())["Location"])
    assert dry_run.context["preview"].latin1_rows == [5, 6]
    assertContains(dry_run, "Read as Latin-1 (Windows-1252): rows 5, 6.")

    run(LeadImport.objects.get(pk=lead_import.pk))
    ceos = sorted(lead.attributes["CEO"] for lead in Lead.objects.all())
    assert ceos == ["André Calantzopoulos", "Carol B. Tomé", "Fabrizio Freda", "José R. Mas", "René F. Jones"]
    assert sorted(Lead.objects.values_list("company", flat=True)) == COMPANIES


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("email,First Name,Email", "The column “email” appears 2 times (columns 1 and 3)"),
        ("E-mail,Name,email,Notes,mail", "The column “E-mail” appears 2 times (columns 1 and 3)"),
        ("Prospect ID,Name,Prospect ID,Prospect ID", "The column “Prospect ID” appears 3 times (columns 1, 3 and 4)"),
    ],
)
def test_a_file_naming_a_lead_field_twice_is_refused_naming_the_column_and_nothing_is_kept(
    marketer, settings, header, message
):
    response = upload(logged_in(marketer), f"{header}\nada@corp.example,Ada,ada@home.example,x,y\n")
    assertContains(response, message, status_code=400)
    assert not LeadImport.objects.exists() and not Lead.objects.exists()
    assert not any((settings.DATA_DIR / "imports").rglob("*.csv"))


# --- the spend import reads its files the same way -----------------------------------------------


def spend_report(client, campaign, content: bytes):
    form = pages.form_with_button(client.get(campaign.get_absolute_url()), "Import spend")
    return client.post(form.action, form.data(file=SimpleUploadedFile("spend.csv", content)))


def spent(campaign) -> list[tuple]:
    return list(CampaignSpend.objects.filter(campaign=campaign).order_by("spent_on").values_list("spent_on", "note"))


def test_a_spend_row_with_an_unclosed_quote_is_refused_and_the_rows_after_it_are_added(marketer, campaign):
    content = b'date,amount,note\n2026-03-01,100,"LinkedIn ads\n2026-03-02,200,Booth\n2026-03-03,300,Print\n'
    response = spend_report(logged_in(marketer), campaign, content)
    rows = [(row.row, row.status) for row in response.context["report"].rows]
    assert rows == [(2, "error"), (3, "added"), (4, "added")]
    assert response.context["report"].rows[0].message.startswith("A quote opens “note” on line 2")
    assert spent(campaign) == [(datetime.date(2026, 3, 2), "Booth"), (datetime.date(2026, 3, 3), "Print")]


def test_a_spend_file_naming_the_amount_twice_is_a_400_and_adds_nothing(marketer, campaign):
    response = spend_report(logged_in(marketer), campaign, b"date,amount,Amount\n2026-03-01,100,90\n")
    assertContains(response, "The column “amount” appears 2 times (columns 2 and 3)", status_code=400)
    assert spent(campaign) == []


def test_a_spend_file_mixing_utf8_and_latin1_reads_both_notes_right_and_says_so(marketer, campaign):
    content = "date,amount,note\n2026-04-01,250,Messe München\n".encode() + "2026-04-02,90,Salon Café\n".encode(
        "cp1252"
    )
    response = spend_report(logged_in(marketer), campaign, content)
    assert [note for _, note in spent(campaign)] == ["Messe München", "Salon Café"]
    assertContains(response, "most of it is UTF-8, but line 3 is Windows-1252 (Latin-1)")


# --- mapping and dry run -----------------------------------------------------------------------


def mapping_post(lead_import: LeadImport, **choices) -> dict:
    data = {
        f"col_{i}": choices.get(header, lead_import.mapping[header]) for i, header in enumerate(lead_import.headers)
    }
    return {**data, "empty_values": "Select, N/A", "id_namespace": "people", "source": "event"}


def test_the_dry_run_tells_what_would_happen_and_writes_nothing(marketer):
    factories.capture("grace@navy.example")
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\ngrace@navy.example,G,H,X,Y,\nbad,X,Y,Z,W,\n")
    response = client.post(
        reverse("marketing:import-preview", args=[lead_import.pk]), mapping_post(lead_import), follow=True
    )
    preview = response.context["preview"]
    assert (preview.checked, preview.creates, preview.merges, len(preview.refused)) == (3, 1, 1, 1)
    assert Lead.objects.count() == 1
    assertContains(response, "Import all 3 rows")


def _dry_run_panel(response) -> str:
    """The dry run's panel as a person reads it (the form's CSRF token changes on every render)."""
    panel = re.search(r'<section[^>]*aria-labelledby="preview-title".*?</section>', response.content.decode(), re.S)
    assert panel, "no dry run on the page"
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", panel.group(0))


def test_the_dry_run_is_a_page_one_can_reload_and_bookmark(marketer):
    factories.capture("grace@navy.example")
    client = logged_in(marketer)
    upload_form = pages.form_with_button(client.get(reverse("marketing:import-list")), "Upload and map columns")
    csv_file = SimpleUploadedFile(
        "people.csv", (PEOPLE + "ada@corp.example,Ada,L,X,Y,\ngrace@navy.example,G,H,X,Y,\n").encode()
    )
    uploaded_to = client.post(upload_form.action, upload_form.data(file=csv_file, source="event"))
    mapping = pages.form_with_button(client.get(uploaded_to["Location"]), "Dry run")
    saved = client.post(mapping.action, mapping.data(id_namespace="people"))
    assert saved.status_code == 303  # Post/Redirect/Get: the browser lands on a GET page

    dry_run = client.get(saved["Location"])
    assertContains(dry_run, "Dry run of the first 2 rows")
    assert dry_run.context["preview"].creates == 1 and dry_run.context["preview"].merges == 1
    reloaded = client.get(saved["Location"])
    assert reloaded.status_code == 200
    assert _dry_run_panel(reloaded) == _dry_run_panel(dry_run)
    assert LeadImport.objects.get().id_namespace == "people"  # the mapping lives on the import
    assert Lead.objects.count() == 1


def test_the_dry_run_of_a_started_import_sends_the_browser_to_its_progress(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    dry_run_url = client.post(reverse("marketing:import-preview", args=[lead_import.pk]), mapping_post(lead_import))[
        "Location"
    ]
    import_services.start_import(import_id=lead_import.pk)
    response = client.get(dry_run_url)
    assert (response.status_code, response["Location"]) == (302, lead_import.get_absolute_url())


def test_a_changed_mapping_is_what_the_import_uses(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, "Contact,Organisation,Budget\nada@corp.example,Analytical,50k\n")
    assert lead_import.mapping["Contact"] == "attribute"  # no guess: the marketer says what it is
    client.post(
        reverse("marketing:import-preview", args=[lead_import.pk]),
        mapping_post(lead_import, Contact="email", Budget="ignore"),
    )
    run(LeadImport.objects.get(pk=lead_import.pk))
    lead = Lead.objects.get()
    assert (lead.email, lead.company, lead.attributes) == ("ada@corp.example", "Analytical", {})


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"email": "email", "First Name": "email"}, "Only one column can be “Email”"),
        ({"First Name": "full_name"}, "either a full-name column or first/last"),
        ({"email": "password"}, "Select a valid choice"),
    ],
)
def test_an_impossible_mapping_is_a_400_and_keeps_the_old_one(marketer, choices, message):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    before = dict(lead_import.mapping)
    response = client.post(
        reverse("marketing:import-preview", args=[lead_import.pk]), mapping_post(lead_import, **choices)
    )
    assertContains(response, message, status_code=400)
    assert LeadImport.objects.get(pk=lead_import.pk).mapping == before


def test_a_started_import_can_neither_be_remapped_nor_started_twice(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    import_services.start_import(import_id=lead_import.pk)
    import_services.start_import(import_id=lead_import.pk)
    response = client.post(reverse("marketing:import-preview", args=[lead_import.pk]), mapping_post(lead_import))
    assert response.status_code == 409
    run(lead_import)
    assert import_services.import_rows(import_id=lead_import.pk) is False  # delivered twice: nothing more
    assert Lead.objects.count() == 1 and Touchpoint.objects.count() == 1


# --- running -----------------------------------------------------------------------------------


def test_an_import_cut_short_resumes_from_its_checkpoint(marketer):
    lines = "".join(f"p{n}@corp.example,P,{n},X,Y,\n" for n in range(7))
    lead_import = uploaded(logged_in(marketer), PEOPLE + lines)
    import_services.start_import(import_id=lead_import.pk)
    assert import_services.import_rows(import_id=lead_import.pk, seconds=0, size=2) is True  # one batch, then "died"
    lead_import.refresh_from_db()
    assert (lead_import.checkpoint, lead_import.processed_rows, Lead.objects.count()) == (3, 2, 2)
    assert import_services.stalled_imports(now=lead_import.updated_at + datetime.timedelta(hours=1)) == [lead_import.pk]
    while import_services.import_rows(import_id=lead_import.pk, seconds=0, size=2):
        pass
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count, Lead.objects.count()) == ("done", 7, 7)


def queries_to_import(client, content: str) -> int:
    lead_import = uploaded(client, content)
    import_services.start_import(import_id=lead_import.pk)
    with CaptureQueriesContext(connection) as captured:
        assert import_services.import_rows(import_id=lead_import.pk, seconds=600) is False  # one batch
    return len(captured.captured_queries)


def test_a_batch_costs_the_same_queries_for_5_or_30_new_rows_and_one_more_per_merged_row(marketer):
    """Rows are landed in bulk (capture's rules, per row, on what the batch loaded at once)."""
    client = logged_in(marketer)
    few, many = (
        "".join(f"{who}{n}@corp.example,P,{n},X,Y,\n" for n in range(count)) for who, count in [("a", 5), ("b", 30)]
    )
    new_few, new_many = queries_to_import(client, PEOPLE + few), queries_to_import(client, PEOPLE + many)
    assert new_many == new_few
    merged_few, merged_many = queries_to_import(client, PEOPLE + few), queries_to_import(client, PEOPLE + many)
    assert merged_many - merged_few == 25  # one UPDATE of each merged lead; their touchpoints go in bulk


def test_the_progress_panel_polls_until_done_then_sends_the_browser_to_the_report(marketer):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    import_services.start_import(import_id=lead_import.pk)
    progress = reverse("marketing:import-progress", args=[lead_import.pk])
    assertContains(client.get(progress, headers={"HX-Request": "true"}), 'hx-trigger="every 1s"')
    run(lead_import)
    done = client.get(progress, headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == lead_import.get_absolute_url()


def test_imported_leads_land_on_the_chosen_campaign_and_are_scored(marketer, campaign):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@analytical.example,Ada,L,Analytical Engines,Director,\n")
    client.post(
        reverse("marketing:import-preview", args=[lead_import.pk]),
        {**mapping_post(lead_import), "campaign": campaign.pk},
    )
    run(LeadImport.objects.get(pk=lead_import.pk))
    lead = Lead.objects.get()
    assert (lead.first_touch_campaign, lead.touchpoints.get().campaign) == (campaign, campaign)
    assert lead.score == 40  # business domain 10 + company 10 + senior title 20; an import touch scores nothing
    assert lead.score_changes.get().cause == "Imported from leads.csv"


# --- a row is a capture: the same rules decide what its lead gets --------------------------------


@pytest.mark.parametrize(
    ("imported", "captured"),
    [
        pytest.param("billing@p\u0430ypal.com", "billing@p\u0430ypal.net", id="domain-with-a-cyrillic-a"),
        pytest.param("j\u043ehn@corp.example", "j\u043ehn@example.com", id="name-with-a-cyrillic-o"),
    ],
)
def test_a_row_spelling_a_known_address_with_a_look_alike_letter_is_flagged_as_a_capture_is(
    marketer, imported, captured
):
    real = factories.capture(imported.replace("\u0430", "a").replace("\u043e", "o"))
    flagged_by_capture = factories.capture(captured).review_reason
    assert "look-alike" in flagged_by_capture
    run(uploaded(logged_in(marketer), PEOPLE + f"{imported},Mallory,K,X,Y,\n"))
    lead = Lead.objects.exclude(pk__in=[real.pk]).get(email=imported)
    assert lead.review_reason == flagged_by_capture  # kept for a person to look at, never merged
    assert Lead.objects.get(pk=real.pk).review_reason == ""


def test_an_import_merge_moves_the_last_touch_channel_and_utm_as_a_capture_merge_does(marketer, campaign):
    newsletter = {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring"}
    by_import, by_capture = (
        factories.capture(email, utm=newsletter) for email in ("ada@corp.example", "bob@corp.example")
    )
    last_touch = ["last_touch_channel", "last_utm_source", "last_utm_medium", "last_utm_campaign"]
    last_touch += ["last_touch_campaign_id"]
    assert Lead.objects.filter(pk=by_import.pk).values_list(*last_touch).get() == (
        "email",
        "newsletter",
        "email",
        "spring",
        None,
    )
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    client.post(
        reverse("marketing:import-preview", args=[lead_import.pk]),
        {**mapping_post(lead_import), "campaign": campaign.pk},
    )
    run(LeadImport.objects.get(pk=lead_import.pk))
    # What a capture merge of the same row does: the person's last touch is this file's.
    capture_lead(
        capture=Capture(
            email="bob@corp.example",
            source="event",
            campaign=campaign,
            touch_kind=Touchpoint.Kind.IMPORT,
            verified=True,
        )
    )
    imported = Lead.objects.filter(pk=by_import.pk).values_list(*last_touch).get()
    assert imported == Lead.objects.filter(pk=by_capture.pk).values_list(*last_touch).get()
    assert imported == ("event", "", "", "", campaign.pk)
    assert Lead.objects.get(pk=by_import.pk).last_touch_at > by_import.last_touch_at


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_import(request, persona, marketer):
    lead_import = uploaded(logged_in(marketer), PEOPLE + "ada@corp.example,Ada,L,X,Y,\n")
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("marketing:import-list")).status_code == 403
    assert upload(client, PEOPLE).status_code == 403
    assert client.get(lead_import.get_absolute_url()).status_code == 403
    assert client.post(reverse("marketing:import-start", args=[lead_import.pk])).status_code == 403
    assert client.get(reverse("marketing:import-errors", args=[lead_import.pk])).status_code == 403
    assert LeadImport.objects.get(pk=lead_import.pk).status == "uploaded"


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(reverse("marketing:import-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_missing_import_is_a_404(marketer):
    assert logged_in(marketer).get(reverse("marketing:import-detail", args=[987654])).status_code == 404


def test_a_contact_column_of_channels_is_not_taken_for_names(marketer):
    """The bank file's "contact" holds telephone/cellular: it stays an attribute."""
    assert uploaded(logged_in(marketer), BANK, "bank.csv").mapping["contact"] == "attribute"


# --- the uploaded file is not kept -------------------------------------------------------------


def test_a_finished_import_deletes_its_upload_and_keeps_its_report(marketer, django_capture_on_commit_callbacks):
    client = logged_in(marketer)
    lead_import = uploaded(client, PEOPLE + "ada@corp.example,Ada,Lovelace,A,CTO,\nnot-an-email,Bad,Row,X,Y,\n")
    on_disk = Path(lead_import.file.path)
    assert on_disk.exists()

    with django_capture_on_commit_callbacks(execute=True):
        lead_import = run(lead_import)

    assert not on_disk.exists()
    assert (lead_import.file.name, lead_import.created_count, lead_import.rejected_count) == ("", 1, 1)
    assertContains(client.get(lead_import.get_absolute_url()), "Row 3")
    errors = client.get(reverse("marketing:import-errors", args=[lead_import.pk]))
    assert b"not-an-email" in b"".join(errors.streaming_content)


def test_an_upload_nobody_starts_is_stopped_and_deleted_after_a_week(marketer, django_capture_on_commit_callbacks):
    client = logged_in(marketer)
    abandoned, recent = uploaded(client, PEOPLE + "a@corp.example,A,B,C,D,\n"), uploaded(client, PEOPLE)
    LeadImport.objects.filter(pk=abandoned.pk).update(
        created_at=abandoned.created_at - import_services.ABANDONED_AFTER - datetime.timedelta(minutes=1)
    )
    files = Path(abandoned.file.path), Path(recent.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        assert import_services.discard_abandoned_uploads() == 1
        assert import_services.discard_abandoned_uploads() == 0

    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.file.name) == (LeadImport.Status.FAILED, "")
    assert "Never started" in abandoned.error
    assert (files[0].exists(), files[1].exists()) == (False, True)
    assert LeadImport.objects.get(pk=recent.pk).status == LeadImport.Status.UPLOADED
    assert not Lead.objects.exists()


# --- properties of the reader (Hypothesis) -------------------------------------------------------
# No example database on disk (.hypothesis/): CI starts clean, and a failure prints its example.
PROPERTY = settings(deadline=None, max_examples=200, database=None)


def read_back(content: bytes):
    """(format, records) of a file holding `content`, read the way imports read it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        path.write_bytes(content)
        fmt = detect_format(path)
        return fmt, list(read_records(path, fmt))


# Bytes that look like CSV, damaged in every way at once: quotes, delimiters, every line break,
# UTF-8 and Latin-1 accents, a UTF-16 byte order mark, NUL.
CSVISH = st.lists(
    st.sampled_from(
        [
            b'"',
            b",",
            b";",
            b"\t",
            b"|",
            b"\n",
            b"\r",
            b"\r\n",
            b"a",
            b"Jos\xc3\xa9",
            b"Ren\xe9e",
            b"\xff\xfe",
            b"\x00",
            b" ",
        ]
    ),
    max_size=60,
).map(b"".join)


@PROPERTY
@given(st.one_of(CSVISH, st.binary(max_size=300)))
def test_any_bytes_give_records_in_order_or_one_reason_for_the_whole_file(content):
    try:
        _, records = read_back(content)
    except CsvFileError as error:
        assert str(error)
        return
    assert [record.number for record in records] == list(range(1, len(records) + 1))
    starts = [record.line for record in records]
    assert starts == sorted(set(starts))
    assert all(isinstance(cell, str) for record in records for cell in record.cells)
    assert all(record.problem.startswith(("A quote opens", "A value on line")) for record in records if record.problem)


def _table(draw_cells):
    """A header of 2–5 plain names and up to 8 rows of cells as wide."""
    return st.integers(2, 5).flatmap(
        lambda width: st.tuples(
            st.just([f"col{n}" for n in range(width)]),
            st.lists(st.lists(draw_cells, min_size=width, max_size=width), max_size=8),
        )
    )


ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
# Latin-1 letters (bytes C0–FF in Windows-1252) never look like UTF-8: UTF-8 would need 80–BF after them.
LATIN_LETTERS = "".join(chr(code) for code in range(0xC0, 0x100))
LATIN_TEXT = st.text(st.sampled_from(string.ascii_letters + string.digits + ' ,;"\n\r' + LATIN_LETTERS), max_size=20)


@PROPERTY
@given(
    table=st.one_of(
        st.tuples(_table(ANY_TEXT), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
        st.tuples(_table(LATIN_TEXT), st.just("cp1252")),
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_a_well_formed_file_reads_back_exactly_what_was_written(table, delimiter):
    (header, rows), encoding = table
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows([header, *rows])
    fmt, records = read_back(text.getvalue().encode(encoding))
    assert fmt.delimiter == delimiter
    assert [record.cells for record in records] == [header, *rows]
    assert not any(record.problem for record in records)


NAME = st.text(st.sampled_from(string.ascii_letters + " .-" + LATIN_LETTERS), max_size=12)


@PROPERTY
@given(st.lists(st.tuples(NAME, NAME, st.booleans()), min_size=1, max_size=8))
def test_lines_in_utf8_and_latin1_read_back_as_written_and_say_which_were_latin1(rows):
    lines = [b"first,last\r\n"] + [f"{a},{b}\r\n".encode("cp1252" if latin1 else "utf-8") for a, b, latin1 in rows]
    fmt, records = read_back(b"".join(lines))
    assert [record.cells for record in records[1:]] == [[a, b] for a, b, _ in rows]
    read_as_latin1 = [latin1 and not (a + b).isascii() for a, b, latin1 in rows]
    if any(read_as_latin1) and any(not latin1 and not (a + b).isascii() for a, b, latin1 in rows):
        assert fmt.encoding == MIXED
        assert [record.latin1 for record in records[1:]] == read_as_latin1


PLAIN = st.text(st.sampled_from(string.ascii_letters + string.digits + " .@-"), max_size=10)


@PROPERTY
@given(rows=st.lists(st.lists(PLAIN, min_size=3, max_size=3), min_size=1, max_size=8), data=st.data())
def test_an_unclosed_quote_costs_its_own_row_and_no_other(rows, data):
    broken = data.draw(st.integers(0, len(rows) - 1), label="broken row")
    lines = ["a,b,c\n"] + [",".join(row) + "\n" for row in rows]
    lines[broken + 1] = ",".join([*rows[broken][:2], '"' + rows[broken][2]]) + "\n"
    _, records = read_back("".join(lines).encode())
    assert [record.number for record in records if record.problem] == [broken + 2]
    assert [record.cells for record in records[1:] if not record.problem] == rows[:broken] + rows[broken + 1 :]
