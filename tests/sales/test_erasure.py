"""Sales' side of a person's export and erasure: the deal's copy of the contact, its brief and
what was written about the buyer go; amounts, stages, dates and activity times stay."""

from decimal import Decimal

import pytest

from sales import services
from sales.errors import DealConflict
from sales.models import Activity, Deal, Note
from tests.sales.helpers import deal_at

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@analytical.example",
    "contact_phone": "+44 20 7946 0958",
    "company": "Analytical Engines",
    "brief": {"name": "Ada Lovelace", "email": "ada@analytical.example", "score": 60},
}


@pytest.fixture
def deal(rep) -> Deal:
    deal = deal_at(rep, "negotiation", title="Ada Lovelace – engines", **CONTACT)
    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call Ada", details="Ada: evenings", done=True)
    services.add_note(deal_id=deal.pk, by=rep, body="Ada wants the difference engine")
    deal = Deal.objects.get(pk=deal.pk)
    return services.close_deal(
        deal_id=deal.pk,
        won=False,
        by=rep,
        expected_version=deal.version,
        amount=Decimal("12500"),
        lost_reason="No budget",
        lost_note="Ada's board said no",
    )


def test_the_export_holds_every_column_of_the_deal_and_its_history(deal):
    [exported] = services.export_deal_data(deal_ids=[deal.pk])
    assert {field.attname for field in Deal._meta.concrete_fields} <= set(exported["deal"])
    assert (exported["deal"]["contact_email"], exported["deal"]["brief"]) == (
        CONTACT["contact_email"],
        CONTACT["brief"],
    )
    assert (exported["deal"]["stage"], exported["deal"]["lost_note"]) == ("Lost", "Ada's board said no")
    assert [change["to_stage"] for change in exported["stage_changes"]] == [
        "Discovery",
        "Qualification",
        "Proposal",
        "Negotiation",
        "Lost",
    ]
    assert [(a["subject"], a["details"]) for a in exported["activities"]] == [("Call Ada", "Ada: evenings")]
    assert [note["body"] for note in exported["notes"]] == ["Ada wants the difference engine"]


def test_erasing_blanks_the_contact_and_every_text_but_keeps_the_numbers(deal, rep):
    other = deal_at(rep, "discovery", title="Babbage", contact_name="Charles Babbage")
    services.add_note(deal_id=other.pk, by=rep, body="Charles likes engines too")
    before = Deal.objects.get(pk=deal.pk)
    activities = list(Activity.objects.filter(deal=deal).values_list("kind", "due_at", "done_at", "owner_id"))
    assert services.erase_deal_contacts(deal_ids=[deal.pk]) == 1
    after = Deal.objects.get(pk=deal.pk)
    assert (after.contact_name, after.contact_email, after.contact_phone, after.company) == ("", "", "", "")
    assert (after.brief, after.lost_note, after.title) == ({}, "", f"Deal #{deal.pk} (contact erased)")
    assert (after.amount, after.currency, after.stage_id, after.closed_at, after.lost_reason, after.owner_id) == (
        before.amount,
        before.currency,
        before.stage_id,
        before.closed_at,
        before.lost_reason,
        before.owner_id,
    )
    assert list(Activity.objects.filter(deal=deal).values_list("kind", "due_at", "done_at", "owner_id")) == activities
    assert list(Activity.objects.filter(deal=deal).values_list("subject", "details")) == [("(erased)", "")]
    assert list(Note.objects.filter(deal=deal).values_list("body", flat=True)) == ["(erased)"]
    # Someone else's deal is untouched.
    assert Deal.objects.get(pk=other.pk).contact_name == "Charles Babbage"
    assert Note.objects.get(deal=other).body == "Charles likes engines too"


def test_an_edit_form_opened_before_the_erasure_is_refused(rep, team):
    deal = deal_at(rep, "discovery", **CONTACT)
    services.erase_deal_contacts(deal_ids=[deal.pk])
    with pytest.raises(DealConflict):
        services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, contact_name="Ada Lovelace")
    assert Deal.objects.get(pk=deal.pk).contact_name == ""


def test_erasing_no_deals_is_nothing(db):
    assert services.erase_deal_contacts(deal_ids=[]) == 0
    assert services.export_deal_data(deal_ids=[]) == []
