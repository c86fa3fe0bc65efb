"""Marketing's side of a person's erasure: the lead, its duplicates, its history and the
import rows that named them are blanked; the rows and their numbers stay; nothing writes
the person back or matches them again."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from marketing import services
from marketing.errors import LeadNotEditable, MergeNotAllowed, StageChangeNotAllowed
from marketing.models import ImportRowError, Lead, LeadImport, ScoreChange, Stage, Touchpoint
from marketing.services import imports as import_services
from marketing.timeline import possible_duplicates
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "ada@analytical.example"


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # uploads land in this test's folder


def ada(**fields) -> Lead:
    fields = {"company": "Analytical Engines", "phone": "+44 20 7946 0958", "title": "Countess", **fields}
    return factories.capture(EMAIL, **fields)


def test_the_lead_keeps_its_numbers_and_loses_its_person(campaign):
    lead = ada(campaign=campaign, country="United Kingdom", industry="Computing", company_size="11-50")
    services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.WEBINAR, note="Ada asked about Bernoulli numbers")
    services.score_lead(lead_id=lead.pk)
    before = Lead.objects.get(pk=lead.pk)
    result = services.erase_person_data(lead_id=lead.pk)
    lead = Lead.objects.get(pk=lead.pk)
    assert (result.lead_ids, result.already_erased) == ([lead.pk], False)
    assert (lead.first_name, lead.last_name, lead.company, lead.title, lead.phone) == ("", "", "", "", "")
    assert (lead.attributes, lead.score_reasons, lead.consent_text) == ({}, [], "")
    assert (lead.stage, lead.score, lead.source, lead.first_touch_campaign_id, lead.created_at) == (
        before.stage,
        before.score,
        before.source,
        campaign.pk,
        before.created_at,
    )
    assert (lead.country, lead.industry, lead.company_size) == ("United Kingdom", "Computing", "11-50")
    touches = list(lead.touchpoints.values_list("kind", "campaign_id", "details", "landing_page"))
    assert touches == [("form_submit", campaign.pk, {}, ""), ("webinar", None, {}, "")]
    assert not ScoreChange.objects.filter(lead=lead).exclude(reasons=[]).exists()


def test_search_and_duplicate_detection_no_longer_find_the_person():
    lead = ada()
    services.erase_person_data(lead_id=lead.pk)
    assert not Lead.objects.search("analytical").filter(pk=lead.pk).exists()
    assert not Lead.objects.search("ada").filter(pk=lead.pk).exists()
    newcomer = factories.capture("lovelace@elsewhere.example", company="Analytical Engines", phone="+44 20 7946 0958")
    assert possible_duplicates(newcomer) == []


def test_a_capture_of_the_address_afterwards_is_a_new_lead_and_the_stand_in_cannot_be_captured():
    lead = ada()
    services.erase_person_data(lead_id=lead.pk)
    again = factories.capture(EMAIL)
    assert again.pk != lead.pk
    with pytest.raises(ValidationError):
        factories.capture(f"erased-{lead.pk}@erased.invalid")


def test_nothing_writes_an_erased_lead_again(settings):
    lead, other = ada(), factories.capture("charles@babbage.example", first_name="Charles")
    services.erase_person_data(lead_id=lead.pk)
    with pytest.raises(LeadNotEditable):
        services.update_lead_profile(lead_id=lead.pk, by=None, first_name="Ada")
    with pytest.raises(LeadNotEditable):
        services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.EVENT, note="Ada again")
    with pytest.raises(StageChangeNotAllowed):
        services.qualify_lead(lead_id=lead.pk)
    with pytest.raises(MergeNotAllowed):
        services.merge_leads(keep_id=other.pk, duplicate_id=lead.pk)
    settings.LEADFLOW_MQL_THRESHOLD = 1  # scoring would qualify anyone: not an erased lead
    services.score_lead(lead_id=lead.pk)
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD
    assert Lead.objects.get(pk=lead.pk).first_name == ""


def test_a_second_erasure_changes_nothing():
    lead = ada()
    first = services.erase_person_data(lead_id=lead.pk)
    erased = Lead.objects.get(pk=lead.pk)
    second = services.erase_person_data(lead_id=lead.pk)
    assert (second.already_erased, second.erased_at) == (True, first.erased_at)
    assert Lead.objects.get(pk=lead.pk).updated_at == erased.updated_at


def test_a_merged_duplicate_is_erased_with_its_lead_whichever_is_asked_for():
    duplicate = factories.capture("ada@home.example", first_name="Ada", last_name="Lovelace")
    lead = ada()
    nested = factories.capture("countess@home.example", first_name="Ada", last_name="Lovelace")
    services.merge_leads(keep_id=duplicate.pk, duplicate_id=nested.pk)
    services.merge_leads(keep_id=lead.pk, duplicate_id=duplicate.pk)
    result = services.erase_person_data(lead_id=nested.pk)
    assert result.lead_ids == [lead.pk, duplicate.pk, nested.pk]
    assert not Lead.objects.filter(pk__in=result.lead_ids, erased_at__isnull=True).exists()
    assert not Lead.objects.filter(last_name="Lovelace").exists()
    assert factories.capture("ada@home.example").pk not in result.lead_ids  # the alias went


def test_the_import_rows_that_named_the_person_are_blanked(marketer):
    people = (
        "email,First Name,Last Name,Company\n"
        f"{EMAIL},Ada,Lovelace,Analytical Engines\n"
        "charles@babbage.example,Charles,Babbage,Difference Engines\n"
        f"{EMAIL.upper()},Ada,Lovelace,{'A' * 300}\n"
    )
    upload = SimpleUploadedFile("people.csv", people.encode())
    lead_import = import_services.create_import(upload=upload, by=marketer, source="event")
    import_services.start_import(import_id=lead_import.pk)
    while import_services.import_rows(import_id=lead_import.pk, seconds=600):
        pass
    assert ImportRowError.objects.get().row_number == 4  # the 300-character company
    lead = Lead.objects.get(email_normalized=EMAIL)

    exported = services.export_person_data(lead_id=lead.pk)["import_rows"]
    assert sorted((row["row"], bool(row["refused"])) for row in exported) == [(2, False), (4, False), (4, True)]
    services.erase_person_data(lead_id=lead.pk)

    sample = LeadImport.objects.get(pk=lead_import.pk).sample
    assert sample[0] == ["", "", "", ""]
    assert sample[1] == ["charles@babbage.example", "Charles", "Babbage", "Difference Engines"]
    assert sample[2] == ["", "", "", ""]
    refused = ImportRowError.objects.get()
    assert (refused.row_number, refused.cells) == (4, [])
    assert "ada" not in refused.reason.casefold()


def test_a_row_imported_without_an_email_is_found_in_the_preview_by_its_row_number(marketer):
    sample_file = (Path(__file__).parent / "fixtures" / "x_education_sample.csv").read_bytes()
    upload = SimpleUploadedFile("x_education_leads.csv", sample_file)
    lead_import = import_services.create_import(upload=upload, by=marketer, source="event")
    import_services.start_import(import_id=lead_import.pk)
    while import_services.import_rows(import_id=lead_import.pk, seconds=600):
        pass
    before = LeadImport.objects.get(pk=lead_import.pk).sample
    third = Touchpoint.objects.get(details__import=lead_import.pk, details__row=4).lead
    assert not third.has_real_email
    services.erase_person_data(lead_id=third.pk)
    after = LeadImport.objects.get(pk=lead_import.pk).sample
    assert after[2] == [""] * len(before[2])
    assert after[:2] + after[3:] == before[:2] + before[3:]
