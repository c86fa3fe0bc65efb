"""An email address as an identity: one person, one lead, however the address was typed."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

MAX_EMAIL_LENGTH = 254
# Rows imported without an email get a stand-in address under this reserved top-level
# domain (RFC 2606: .invalid can never be delivered to), built from their ID in the file,
# so that importing the same file again finds the same leads. See marketing/imports.
PLACEHOLDER_DOMAIN = "import.invalid"
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


def erased_address(lead_id: int) -> str:
    """The stand-in address of an erased lead: unique per lead, so the unique column holds."""
    return f"erased-{lead_id}@{ERASED_DOMAIN}"


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


def review_reason_for(email: str) -> str:
    """Why a human should look at this address before trusting it ("" when fine).

    A domain mixing Latin letters with another script (pаypal.com with a Cyrillic а) is
    the classic look-alike; it is kept but never merged automatically.
    """
    local, _, domain = email.rpartition("@")
    if _mixes_scripts(domain):
        return "Email domain mixes alphabets (possible look-alike)."
    # Unicode names are accepted (see _validate_address), so jоhn@ with a Cyrillic о is too.
    if _mixes_scripts(local):
        return "Email name mixes alphabets (possible look-alike)."
    return ""


def _mixes_scripts(text: str) -> bool:
    return len({_script(char) for char in text if char.isalpha()}) > 1


def _script(char: str) -> str:
    if char.isascii():
        return "LATIN"
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def check_typed(email_normalized: str) -> None:
    """Refuse, as typed by a person, an address LeadFlow makes up itself.

    The stand-ins of imported rows without an email (…@<file>.import.invalid), of merged
    duplicates and of erased people all live under .invalid (RFC 2606: never delivered);
    a capture of one would land on that row. Only an import creates placeholders.
    """
    domain = email_normalized.rpartition("@")[2]
    if domain == "invalid" or domain.endswith(".invalid"):
        raise ValidationError(RESERVED, code="reserved")


# Read by visitors of the public form as much as by integrators: plain words, no internals.
RESERVED = "Addresses ending in .invalid never receive email. Enter a real address."


def is_placeholder(email_normalized: str) -> bool:
    """True for the stand-in address of an imported row that had no email."""
    return email_normalized.endswith("." + PLACEHOLDER_DOMAIN) or email_normalized.endswith("@" + PLACEHOLDER_DOMAIN)
