"""An email address as an identity (marketing/emails.py): properties that hold for any input,
the punycode and Unicode spellings of a domain as one lead, and the migration that brought
stored addresses to that rule without merging anyone."""

import importlib
import unicodedata

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from marketing import duplicates
from marketing.emails import check_typed, normalize_email, review_reason_for
from marketing.models import Lead, LeadEmailAlias, Touchpoint
from marketing.services import Capture, capture_lead
from tests import factories

MIGRATION = importlib.import_module("marketing.migrations.0012_renormalize_idn_emails")
PROPERTIES = settings(max_examples=300, deadline=None)

# Letters of several scripts, upper and lower case, as people type them in domains and names.
LATIN = "abcdefghijklmnopqrstuvwxyzàáâäçèéêëíîïñóôöúûüýßæøåœšž"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюяё"
GREEK = "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώς"
OTHER = "日本語中文한국어ไทยعربيעברית"
DIGITS = "0123456789"
LOCAL_ASCII = "abcdefghijklmnopqrstuvwxyz0123456789._+-"


def _label(alphabet: str) -> st.SearchStrategy[str]:
    letters = alphabet + alphabet.upper()
    return st.text(st.sampled_from(letters + DIGITS), min_size=1, max_size=12).filter(lambda s: s[0] not in DIGITS)


def _one_script_domain() -> st.SearchStrategy[str]:
    script = st.sampled_from([LATIN, CYRILLIC, GREEK, OTHER])
    return script.flatmap(lambda alphabet: st.lists(_label(alphabet), min_size=1, max_size=3)).map(
        lambda labels: ".".join(labels)
    )


def _local() -> st.SearchStrategy[str]:
    ascii_local = st.text(st.sampled_from(LOCAL_ASCII), min_size=1, max_size=20).filter(
        lambda s: s[0] not in ".-" and s[-1] != "." and ".." not in s
    )
    return st.one_of(ascii_local, _label(LATIN + CYRILLIC + GREEK))


tlds = st.sampled_from(["com", "example", "de", "рф", "δοκιμή", "中国"])
emails = st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}", _local(), _one_script_domain(), tlds)
ascii_local_emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=20),
    _one_script_domain(),
    tlds,
)


def ace(email: str) -> str:
    """The address with each non-ASCII domain label in punycode (what DNS and SMTP carry)."""
    local, _, domain = email.rpartition("@")
    labels = [
        "xn--" + label.encode("punycode").decode() if not label.isascii() else label for label in domain.split(".")
    ]
    return f"{local}@{'.'.join(labels)}"


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def normalized_or_none(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except ValidationError:
        return None


# --- properties of the normaliser -----------------------------------------------------------


@PROPERTIES
@given(st.one_of(emails, st.text(max_size=80), st.builds(lambda a, b: f"{a}@{b}", st.text(max_size=30), st.text())))
@example("ǰ@example.com")  # case folding decomposes ǰ: the identity must still be a fixed point
@example("user@xn--bcher-kva.example")
def test_normalising_an_identity_again_changes_nothing(raw):
    identity = normalized_or_none(raw)
    assume(identity is not None)
    assert normalize_email(identity) == identity


@PROPERTIES
@given(emails)
def test_case_spacing_and_unicode_forms_do_not_change_the_identity(email):
    identity = normalized_or_none(email)
    assume(identity is not None)
    variants = [
        f"  {email}\t",
        email.lower(),
        unicodedata.normalize("NFD", email),
        unicodedata.normalize("NFKD", email),
        unicodedata.normalize("NFC", email),
        full_width(email),
    ]
    # str.upper() is not undone by case folding for every letter (dotless ı), so only where it is.
    if email.upper().casefold() == email.casefold():
        variants.append(email.upper())
    for variant in variants:
        assert normalize_email(variant) == identity, variant


@PROPERTIES
@given(emails)
@example("user@bücher.example")
@example("a@straße.de")
def test_a_punycode_domain_is_the_same_identity_as_its_unicode_spelling(email):
    identity = normalized_or_none(email)
    assume(identity is not None)
    for spelling in (ace(identity), ace(email), ace(identity).upper()):
        assume(len(spelling) <= 254)  # a longer spelling is refused for its length, as it should be
        assert normalize_email(spelling) == identity, spelling


@PROPERTIES
@given(ascii_local_emails)
def test_an_identity_is_always_an_address_djangos_email_field_accepts(email):
    # Django's EmailField takes only ASCII before the @ (LeadFlow accepts josé@, RFC 6531),
    # so the property is stated for the addresses the field can judge at all.
    identity = normalized_or_none(email)
    assume(identity is not None)
    assert forms.EmailField().clean(identity) == identity
    assert forms.EmailField().clean(ace(identity)) == ace(identity)
    assert len(identity) <= Lead._meta.get_field("email_normalized").max_length


@PROPERTIES
@given(emails)
def test_look_alike_detection_is_the_same_for_every_spelling(email):
    identity = normalized_or_none(email)
    assume(identity is not None)
    reason = review_reason_for(identity)
    for spelling in (ace(email), email.lower(), unicodedata.normalize("NFD", email), full_width(email)):
        assume(len(spelling) <= 254)
        assert review_reason_for(normalize_email(spelling)) == reason, spelling


@PROPERTIES
@given(_label(LATIN), _label(CYRILLIC), tlds)
def test_a_domain_mixing_latin_and_cyrillic_is_flagged_in_either_spelling(latin, cyrillic, tld):
    assume(any(c.isascii() and c.isalpha() for c in latin))
    mixed = f"billing@{latin}{cyrillic}.{tld}"
    assume(normalized_or_none(mixed) is not None)
    assert "look-alike" in review_reason_for(normalize_email(mixed))
    assert "look-alike" in review_reason_for(normalize_email(ace(mixed)))


# --- examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "identity"),
    [
        ("user@xn--bcher-kva.example", "user@bücher.example"),
        ("USER@XN--BCHER-KVA.EXAMPLE", "user@bücher.example"),
        ("ｕｓｅｒ＠ｂüｃｈｅｒ．ｅｘａｍｐｌｅ", "user@bücher.example"),
        ("user@bücher。example", "user@bücher.example"),  # the ideographic full stop separates labels (UTS 46)
        ("ivan@xn--e1afmkfd.xn--p1ai", "ivan@пример.рф"),
        ("a@xn--strae-oqa.de", "a@strasse.de"),  # IDNA 2008's straße.de, folded as a typed ß is
    ],
)
def test_a_domain_reads_the_same_typed_in_unicode_or_in_punycode(typed, identity):
    assert normalize_email(typed) == identity


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("a@xn--zzzzzz.example", id="punycode-that-does-not-decode"),
        pytest.param("a@xn--abc-.example", id="punycode-of-plain-ascii"),
        pytest.param("a@xn--.example", id="empty-punycode"),
        pytest.param("a@xn--n3h.example", id="punycode-of-a-symbol"),
        pytest.param("a@xn--a.example", id="punycode-of-a-control-character"),
        pytest.param("a@" + "ü" * 62 + ".example", id="label-over-63-octets-as-dns-carries-it"),
    ],
)
def test_a_domain_that_cannot_exist_is_an_invalid_address(email):
    with pytest.raises(ValidationError) as error:
        normalize_email(email)
    assert error.value.messages == ["Enter a valid email address."]


@pytest.mark.parametrize(
    "email", ["4711@x-education-leads.import.invalid", "lead-3@merged.invalid", "A@B.IMPORT.INVALID"]
)
def test_an_address_under_invalid_cannot_be_typed(email):
    with pytest.raises(ValidationError) as error:
        check_typed(normalize_email(email))
    assert "never receive email" in error.value.messages[0]


@pytest.mark.django_db
def test_the_punycode_spelling_of_a_known_domain_is_the_existing_lead():
    first = capture_lead(capture=Capture(email="user@bücher.example"))
    again = capture_lead(capture=Capture(email="user@xn--bcher-kva.example"))
    assert (again.created, again.lead.pk) == (False, first.lead.pk)
    assert (Lead.objects.count(), Touchpoint.objects.count()) == (1, 2)
    assert Lead.objects.get().email == "user@bücher.example"  # shown as first typed


@pytest.mark.django_db
def test_a_look_alike_domain_in_punycode_is_flagged_and_not_merged_with_the_real_one():
    real = capture_lead(capture=Capture(email="billing@paypal.com")).lead
    look_alike = capture_lead(capture=Capture(email="billing@xn--pypal-4ve.com")).lead  # pаypal, Cyrillic а
    assert look_alike.pk != real.pk
    assert "look-alike" in Lead.objects.get(pk=look_alike.pk).review_reason


# --- the migration of stored addresses ---------------------------------------------------------


def stored_as(lead: Lead, email_normalized: str) -> Lead:
    """A lead as the old normaliser left it (it kept punycode domains as typed)."""
    Lead.objects.filter(pk=lead.pk).update(email_normalized=email_normalized, work_domain="")
    return Lead.objects.get(pk=lead.pk)


def migrate() -> None:
    MIGRATION.renormalize(apps, None)


def row(lead: Lead) -> tuple:
    lead = Lead.objects.get(pk=lead.pk)
    return lead.email_normalized, lead.work_domain, lead.review_reason


@pytest.mark.django_db
def test_the_migration_reads_a_stored_punycode_domain_in_unicode():
    lead = stored_as(factories.capture("placeholder@corp.example"), "user@xn--bcher-kva.example")
    plain = factories.capture("ada@analytical.example")
    migrate()
    assert row(lead) == ("user@bücher.example", "bücher.example", "")
    assert row(plain) == ("ada@analytical.example", "analytical.example", "")
    assert capture_lead(capture=Capture(email="USER@bücher.example")).lead.pk == lead.pk


@pytest.mark.django_db
def test_the_migration_flags_a_stored_punycode_look_alike():
    lead = stored_as(factories.capture("placeholder@corp.example"), "billing@xn--pypal-4ve.com")
    migrate()
    assert row(lead)[0] == "billing@pаypal.com"
    assert "look-alike" in row(lead)[2]


@pytest.mark.django_db
def test_two_stored_spellings_of_one_address_are_both_kept_unchanged_and_flagged_for_review():
    unicode_lead = factories.capture("user@bücher.example", first_name="Ute")
    punycode_lead = stored_as(
        factories.capture("placeholder@corp.example", first_name="Uwe"), "user@xn--bcher-kva.example"
    )
    migrate()
    assert row(unicode_lead)[0] == "user@bücher.example"
    assert row(punycode_lead)[0] == "user@xn--bcher-kva.example"
    for lead in (unicode_lead, punycode_lead):
        assert row(lead)[2].startswith(duplicates.SAME_ADDRESS)
    assert Lead.objects.active().count() == 2  # nobody merged
    # The duplicates page shows them together, for a person to merge.
    group = next(group for group in duplicates.likely_groups() if group.reason == duplicates.SAME_ADDRESS_REASON)
    assert {lead.pk for lead in group.leads} == {unicode_lead.pk, punycode_lead.pk}
    # Meanwhile a capture of either spelling lands on the lead stored in the new form.
    assert capture_lead(capture=Capture(email="user@xn--bcher-kva.example")).lead.pk == unicode_lead.pk


@pytest.mark.django_db
def test_an_alias_in_punycode_is_renormalized_so_its_captures_still_land_on_the_kept_lead():
    keep = factories.capture("ada@analytical.example")
    LeadEmailAlias.objects.create(email_normalized="ada@xn--bcher-kva.example", lead=keep)
    migrate()
    assert LeadEmailAlias.objects.get().email_normalized == "ada@bücher.example"
    assert capture_lead(capture=Capture(email="ada@bücher.example")).lead.pk == keep.pk


@pytest.mark.django_db
def test_an_alias_that_becomes_another_leads_address_changes_nothing_and_flags_both_leads():
    keep = factories.capture("ada@analytical.example")
    other = factories.capture("ada@bücher.example")
    LeadEmailAlias.objects.create(email_normalized="ada@xn--bcher-kva.example", lead=keep)
    migrate()
    assert LeadEmailAlias.objects.get().email_normalized == "ada@xn--bcher-kva.example"
    assert row(other)[0] == "ada@bücher.example"
    assert row(keep)[2].startswith(duplicates.SAME_ADDRESS) and row(other)[2].startswith(duplicates.SAME_ADDRESS)


@pytest.mark.django_db
def test_a_stored_address_the_rule_now_refuses_is_kept_and_flagged():
    lead = stored_as(factories.capture("placeholder@corp.example"), "a@xn--zzzzzz.example")
    migrate()
    email, _, reason = row(lead)
    assert email == "a@xn--zzzzzz.example"
    assert "no longer passes the address check" in reason


@pytest.mark.django_db
def test_running_the_migration_again_changes_nothing():
    factories.capture("user@bücher.example")
    stored_as(factories.capture("placeholder@corp.example"), "user@xn--bcher-kva.example")
    stored_as(factories.capture("placeholder2@corp.example"), "billing@xn--pypal-4ve.com")
    migrate()
    before = list(Lead.objects.order_by("pk").values_list("email_normalized", "work_domain", "review_reason"))
    migrate()
    assert list(Lead.objects.order_by("pk").values_list("email_normalized", "work_domain", "review_reason")) == before
