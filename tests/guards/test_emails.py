"""What an address's domain says (guards/emails.py), read alike by marketing's dedupe keys and
scoring and by handoff's routing. The identity itself (normalize_email, IDN/punycode) is
tested as used, in tests/marketing/test_email_identity.py."""

import pytest

from guards.emails import FREE_MAIL_DOMAINS, email_domain, normalize_email, work_domain
from handoff.routing import company_domain


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("ada@analytical.example", "analytical.example"),
        ("ada@gmail.com", ""),
        ("ada@googlemail.com", ""),
        ("ada@proton.me", ""),
        ("row-7@x.import.invalid", ""),  # an imported row's stand-in
        ("erased-12@erased.invalid", ""),
        ("lead-3@merged.invalid", ""),
        ("a@b@corp.example", "corp.example"),  # the last @ separates the domain
        ("ada@bücher.example", "bücher.example"),
        ("no-at-sign", "no-at-sign"),
        ("", ""),
    ],
)
def test_the_work_domain_is_the_employers_or_nothing(email, domain):
    assert work_domain(email) == domain


def test_the_work_domain_of_a_typed_address_is_read_from_its_identity():
    assert work_domain(normalize_email(" Ada@XN--BCHER-KVA.Example ")) == "bücher.example"
    assert work_domain(normalize_email("ADA@GMAIL.COM")) == ""


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("ada@Analytical.Example", "analytical.example"),
        ("ada@GMail.com ", ""),
        ("x@Y.IMPORT.INVALID", ""),
        ("nobody@", ""),
    ],
)
def test_routing_reads_the_same_list_after_lower_casing_as_it_always_has(email, domain):
    assert company_domain(email) == domain


def test_every_free_mail_domain_is_nobodys_company_on_both_sides():
    for domain in FREE_MAIL_DOMAINS:
        assert work_domain(f"a@{domain}") == company_domain(f"a@{domain}") == ""
        assert email_domain(f"a@{domain}") == domain  # scoring's fit rules still see it
