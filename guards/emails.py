"""An email address as an identity, and what its domain says: one person, one lead, however
the address was typed; and gmail.com is nobody's company.

Shared by marketing (capture, import, dedupe, scoring) and handoff (routing by company,
naming a duplicate's original), so that both read one address the same way.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

MAX_EMAIL_LENGTH = 254
# An erased person's lead keeps its row under `erased-<id>@erased.invalid` (unique, and
# never deliverable); nobody may type such an address, so no capture lands on that row.
ERASED_DOMAIN = "erased.invalid"
INVALID = "Enter a valid email address."
_validate = EmailValidator(message=INVALID)


def normalize_email(raw: str) -> str:
    """The identity form: NFKC (full-width and NFD forms fold), trimmed, case-folded, and the
    domain in Unicode whether it was typed as such or in punycode (user@xn--bcher-kva.example
    is user@bücher.example).

    Raises ValidationError for anything that is not one plain address.
    """
    if any(char in raw for char in "\r\n\x00"):
        raise ValidationError(INVALID, code="invalid")
    # The spelling as typed is stored too (Lead.email), so it must fit as well: decomposed
    # (NFD) text can be twice as long as its identity, and PostgreSQL refused it with a 500.
    # Checked first, too, so that nothing below ever works on a huge input.
    if len(raw.strip()) > MAX_EMAIL_LENGTH:
        raise ValidationError(_TOO_LONG, code="max_length")
    local, at, domain = _fold(raw).strip().rpartition("@")
    email = local + at + _unicode_domain(domain) if at else domain
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(_TOO_LONG, code="max_length")
    _validate_address(email)
    if email.endswith("@" + ERASED_DOMAIN):
        raise ValidationError(INVALID, code="invalid")
    return email


_TOO_LONG = f"Email addresses are at most {MAX_EMAIL_LENGTH} characters."
# Dots that UTS 46 (IDNA's mapping) reads as the label separator; NFKC leaves this one alone.
_IDEOGRAPHIC_FULL_STOP = "\u3002"
_ACE_PREFIX = "xn--"
_MAX_LABEL_OCTETS = 63  # RFC 1035, counted on the label as DNS carries it (its punycode form)


def _fold(text: str) -> str:
    """NFKC, case-folded, NFKC again: case folding can leave a composed letter decomposed
    (ǰ → j + caron), and the identity must be a fixed point of this function."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _unicode_domain(domain: str) -> str:
    """The domain with every punycode (xn--) label decoded, folded like the rest.

    Python's `encodings.idna` (the `idna` package is not a dependency) implements IDNA 2003
    with Unicode 3.2 tables: it refuses labels IDNA 2008 allows (xn--strae-oqa, straße, does
    not "round-trip") and knows no letter added to Unicode since 2002. So labels are decoded
    with the bare punycode algorithm (RFC 3492) and then folded exactly as a typed Unicode
    domain is; which characters are allowed is _validate_address's rule. The cost: ß and
    final ς fold to ss and σ (IDNA 2003's mapping, and the case folding every address already
    got), so straße.de and strasse.de are one domain here, as they were before.
    """
    labels = []
    for label in domain.replace(_IDEOGRAPHIC_FULL_STOP, ".").split("."):
        if label.startswith(_ACE_PREFIX):
            try:
                decoded = label[len(_ACE_PREFIX) :].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError, OverflowError):
                raise ValidationError(INVALID, code="invalid") from None
            label = _fold(decoded)
            # An A-label always decodes to something non-ASCII, and never to another A-label.
            if decoded.isascii() or label[2:4] == "--":
                raise ValidationError(INVALID, code="invalid")
        if not label.isascii() and len(_ACE_PREFIX) + len(label.encode("punycode")) > _MAX_LABEL_OCTETS:
            raise ValidationError(INVALID, code="invalid")
        labels.append(label)
    return ".".join(labels)


def _validate_address(email: str) -> None:
    """Django's EmailValidator takes only ASCII before the @, which refused real
    internationalised addresses (josé@…, RFC 6531) and so broke NFC/NFD dedupe. Letters,
    marks and digits of any script are allowed; invisible format characters (zero width,
    soft hyphen, bidi controls), which Django's domain check lets through, are refused so
    they cannot hide inside a look-alike of a known address.
    """
    if any(not char.isascii() and unicodedata.category(char)[0] not in "LMN" for char in email):
        raise ValidationError(INVALID, code="invalid")
    local, at, domain = email.rpartition("@")
    ascii_shape = "".join(char if char.isascii() else "x" for char in local)
    _validate(f"{ascii_shape}{at}{domain}")


# --- What a domain says about the person ------------------------------------------------

# Addresses anyone can get: their domain says nothing about an employer.
FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com aol.com icloud.com me.com gmx.com "
    "gmx.de web.de mail.com proton.me protonmail.com yandex.ru".split()
)


def email_domain(email_normalized: str) -> str:
    return email_normalized.rpartition("@")[2]


def work_domain(email_normalized: str) -> str:
    """The email's domain when it says something about the employer: "" for gmail.com…, and
    for LeadFlow's own stand-ins under .invalid (imported rows without an email, erased and
    merged leads: every such lead shares one, and it is nobody's company)."""
    domain = email_domain(email_normalized)
    return "" if domain in FREE_MAIL_DOMAINS or domain.endswith(".invalid") else domain
