"""capture_lead: one person is one lead, however the address is typed; bad input leaves nothing."""

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketing.models import Channel, Lead, LeadStageChange, Stage, Touchpoint
from marketing.services import Capture, capture_lead
from tests import factories

pytestmark = pytest.mark.django_db

ADA = "ada@analytical.example"


def capture(email: str = ADA, **fields):
    return capture_lead(capture=Capture(email=email, **fields))


def assert_nothing_stored() -> None:
    assert not Lead.objects.exists()
    assert not Touchpoint.objects.exists()
    assert not LeadStageChange.objects.exists()


def test_a_new_address_becomes_a_lead_with_its_first_touchpoint_and_stage(campaign):
    result = capture(
        "Ada@Analytical.example",
        first_name="Ada",
        campaign=campaign,
        utm={"utm_source": "newsletter", "utm_medium": "email"},
        landing_page="https://example.com/webinar",
    )
    lead = Lead.objects.get()
    assert (result.created, result.lead.pk) == (True, lead.pk)
    assert (lead.email, lead.email_normalized) == ("Ada@Analytical.example", ADA)
    assert (lead.stage, lead.source, lead.first_touch_campaign) == (Stage.LEAD, Channel.WEBINAR, campaign)
    assert (lead.utm_source, lead.utm_medium, lead.review_reason) == ("newsletter", "email", "")
    touch = lead.touchpoints.get()
    assert (touch.kind, touch.campaign, touch.channel) == (Touchpoint.Kind.FORM_SUBMIT, campaign, Channel.WEBINAR)
    assert (touch.utm_source, touch.landing_page) == ("newsletter", "https://example.com/webinar")
    change = lead.stage_changes.get()
    assert (change.stage, change.exited_at, change.reason) == (Stage.LEAD, None, "Captured")


def test_a_capture_without_campaign_or_source_is_direct():
    capture()
    assert Lead.objects.get().source == Channel.DIRECT


@pytest.mark.parametrize(
    ("first", "again"),
    [
        pytest.param(ADA, "ADA@Analytical.EXAMPLE", id="other-case"),
        pytest.param(ADA, f"  {ADA}\t ", id="surrounding-whitespace"),
        pytest.param("john@example.com", "ｊｏｈｎ@example.com", id="full-width"),
        pytest.param("john@example.com", "ＪＯＨＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", id="full-width-everything"),
        pytest.param(
            unicodedata.normalize("NFC", "José@example.com"),
            unicodedata.normalize("NFD", "José@example.com"),
            id="nfc-then-nfd",
        ),
        pytest.param(
            unicodedata.normalize("NFD", "José@example.com"),
            unicodedata.normalize("NFC", "JOSÉ@example.com"),
            id="nfd-then-nfc-upper",
        ),
    ],
)
def test_the_same_person_typed_differently_is_the_existing_lead(first, again):
    assert first != again
    original = capture(first)
    repeat = capture(again)
    assert (repeat.created, repeat.lead.pk) == (False, original.lead.pk)
    lead = Lead.objects.get()
    assert lead.email == first.strip()  # the display spelling is the first one typed
    assert lead.touchpoints.count() == 2
    assert lead.stage_changes.count() == 1


def test_nfc_and_nfd_spellings_share_one_normalized_email():
    nfd = unicodedata.normalize("NFD", "José@example.com")
    assert len(nfd) == len("José@example.com") + 1  # the é really is decomposed
    capture(nfd)
    assert Lead.objects.get().email_normalized == unicodedata.normalize("NFC", "josé@example.com")


def test_a_verified_repeat_fills_blank_profile_fields_but_never_overwrites_given_ones(campaign):
    first_campaign = factories.CampaignFactory()
    capture(first_name="Ada", phone="", campaign=first_campaign, utm={"utm_source": "first"})
    result = capture(
        first_name="Augusta",
        last_name="King",
        phone="+44 20 7946 0000",
        campaign=campaign,
        utm={"utm_source": "second"},
        verified=True,
    )
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.phone) == ("Ada", "King", "+44 20 7946 0000")
    # First touch stays first touch; the repeat's attribution lives on its touchpoint.
    assert (lead.first_touch_campaign, lead.utm_source) == (first_campaign, "first")
    assert list(lead.touchpoints.values_list("utm_source", flat=True)) == ["first", "second"]
    # The lead handed back is the merged row, not the copy read before the lock.
    assert (result.lead.last_name, result.lead.phone) == ("King", "+44 20 7946 0000")


def test_a_verified_repeat_adds_new_attributes_and_keeps_the_old_values():
    capture(attributes={"plan": "free"})
    capture(attributes={"plan": "enterprise", "seats": 40}, verified=True)
    assert Lead.objects.get().attributes == {"plan": "free", "seats": 40}


def test_consent_is_stored_with_its_wording_time_and_source():
    now = timezone.now()
    capture_lead(
        capture=Capture(email=ADA, consent_text="Yes, send me news.", consent_source="Web form: Spring"),
        now=now,
    )
    lead = Lead.objects.get()
    assert (lead.consent_text, lead.consent_given_at, lead.consent_source) == (
        "Yes, send me news.",
        now,
        "Web form: Spring",
    )


def test_consent_without_wording_is_not_consent():
    capture(consent_source="Web form: Spring")
    lead = Lead.objects.get()
    assert (lead.consent_given_at, lead.consent_text, lead.consent_source) == (None, "", "")


def test_consent_given_later_through_a_verified_channel_is_recorded_and_the_first_consent_is_kept():
    first = timezone.now()
    later = first + datetime.timedelta(days=1)
    capture_lead(capture=Capture(email=ADA), now=first - datetime.timedelta(days=1))
    capture_lead(capture=Capture(email=ADA, consent_text="Yes, news.", verified=True), now=first)
    capture_lead(
        capture=Capture(email=ADA, consent_text="Other wording", consent_source="API", verified=True), now=later
    )
    lead = Lead.objects.get()
    assert (lead.consent_text, lead.consent_given_at, lead.consent_source) == ("Yes, news.", first, "web form")


# What a repeat capture may move without a verified channel: the last touch (and updated_at).
LAST_TOUCH = {"last_touch_at", "last_touch_campaign_id", "last_touch_channel", "last_utm_source", "last_utm_medium"}
LAST_TOUCH |= {"last_utm_campaign", "updated_at"}


def lead_row(lead_id: int) -> dict:
    return Lead.objects.filter(pk=lead_id).values().get()


def test_an_unverified_repeat_records_the_visit_but_leaves_consent_and_profile_unchanged(campaign):
    """Anyone may type anyone's address: a second anonymous capture is a touchpoint, not an edit."""
    first = capture(first_name="Ada", attributes={"plan": "free"}).lead
    before = lead_row(first.pk)
    later = timezone.now() + datetime.timedelta(hours=1)
    repeat = Capture(
        email=ADA,
        first_name="Mallory",
        last_name="King",
        phone="+44 20 7946 0000",
        company="Evil Corp",
        campaign=campaign,
        attributes={"seats": 40},
        consent_text="Yes, send me everything.",
        consent_source="Web form",
        details={"consent_version": 3},
    )
    result = capture_lead(capture=repeat, now=later)
    assert (result.created, result.lead.pk) == (False, first.pk)
    after = lead_row(first.pk)
    assert {name: value for name, value in after.items() if name not in LAST_TOUCH} == {
        name: value for name, value in before.items() if name not in LAST_TOUCH
    }
    assert (after["consent_given_at"], after["last_name"], after["attributes"]) == (None, "", {"plan": "free"})
    # The person came back: that visit is kept, with what they claimed, on its touchpoint.
    assert (after["last_touch_at"], after["last_touch_campaign_id"]) == (later, campaign.pk)
    touch = Touchpoint.objects.filter(lead_id=first.pk).latest("occurred_at")
    assert (touch.campaign, touch.details) == (campaign, {"consent_version": 3})


LONGEST_VALID = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("", id="empty"),
        pytest.param("not-an-email", id="no-at"),
        pytest.param("ada@analytical", id="no-tld"),
        pytest.param("ada@@analytical.example", id="two-ats"),
        pytest.param("a@b.com\r\nBcc: x@y.com", id="crlf-header-injection"),
        pytest.param("a@b.com\nBcc: x@y.com", id="lf-header-injection"),
        pytest.param("a@b.com\r\n", id="trailing-crlf"),
        pytest.param("ada\x00@analytical.example", id="nul"),
        pytest.param("a@b.com\x00", id="trailing-nul"),
        pytest.param("ada\u200b@analytical.example", id="zero-width-space"),
        pytest.param("ada@analy\u00adtical.example", id="soft-hyphen-in-domain"),
        pytest.param("a" + LONGEST_VALID, id="255-chars"),
        pytest.param("a" * 64 + "@" + ".".join(["b" * 63] * 4) + ".com", id="over-300-chars"),
    ],
)
def test_an_invalid_address_raises_and_stores_nothing(email):
    with pytest.raises(ValidationError):
        capture(email, first_name="Mallory")
    assert_nothing_stored()


def test_an_address_over_254_characters_is_refused_for_its_length():
    with pytest.raises(ValidationError) as error:
        capture("a" + LONGEST_VALID)
    assert "254" in error.value.messages[0]
    assert_nothing_stored()


def test_an_address_typed_longer_than_254_characters_is_refused_even_if_its_identity_is_shorter():
    decomposed = unicodedata.normalize("NFD", "é" * 200 + "@example.com")
    assert len(decomposed) > 254 >= len(unicodedata.normalize("NFC", decomposed))
    with pytest.raises(ValidationError):
        capture(decomposed)
    assert_nothing_stored()


def test_an_address_of_exactly_254_characters_is_accepted():
    assert len(LONGEST_VALID) == 254
    capture(LONGEST_VALID)
    assert Lead.objects.get().email_normalized == LONGEST_VALID


def test_a_mixed_script_look_alike_domain_is_accepted_flagged_and_never_merged():
    latin = capture("billing@paypal.com").lead
    look_alike = capture("billing@p\u0430ypal.com")  # Cyrillic а
    assert look_alike.created
    assert look_alike.lead.pk != latin.pk
    assert Lead.objects.count() == 2
    assert "look-alike" in Lead.objects.get(pk=look_alike.lead.pk).review_reason
    assert Lead.objects.get(pk=latin.pk).review_reason == ""


def test_a_mixed_script_look_alike_name_is_flagged_too():
    capture("j\u043ehn@example.com")  # Cyrillic о
    assert "look-alike" in Lead.objects.get().review_reason


@pytest.mark.parametrize(
    "email", ["ivan@пример.рф", "δοκιμή@παράδειγμα.δοκιμή", "josé@exämple.com", "ada@analytical.example"]
)
def test_an_address_in_one_script_is_not_flagged(email):
    capture(email)
    assert Lead.objects.get().review_reason == ""


def test_markup_in_names_is_stored_verbatim():
    script = "<script>alert(1)</script>"
    capture(first_name=script, last_name='O\'Brien & "Sons"', company="<b>ACME</b>")
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company) == (script, 'O\'Brien & "Sons"', "<b>ACME</b>")
