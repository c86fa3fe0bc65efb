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
_validate = EmailValidator(message="Enter a valid email address.")


def normalize_email(raw: str) -> str:
    """The identity form: NFKC (full-width and NFD forms fold), trimmed, case-folded.

    Raises ValidationError for anything that is not one plain address.
    """
    if any(char in raw for char in "\r\n\x00"):
        raise ValidationError("Enter a valid email address.", code="invalid")
    email = unicodedata.normalize("NFKC", raw).strip().casefold()
    # The spelling as typed is stored too (Lead.email), so it must fit as well: decomposed
    # (NFD) text can be twice as long as its identity, and PostgreSQL refused it with a 500.
    if max(len(email), len(raw.strip())) > MAX_EMAIL_LENGTH:
        raise ValidationError(f"Email addresses are at most {MAX_EMAIL_LENGTH} characters.", code="max_length")
    _validate_address(email)
    if email.endswith("@" + ERASED_DOMAIN):
        raise ValidationError("Enter a valid email address.", code="invalid")
    return email


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
        raise ValidationError("Enter a valid email address.", code="invalid")
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


def is_placeholder(email_normalized: str) -> bool:
    """True for the stand-in address of an imported row that had no email."""
    return email_normalized.endswith("." + PLACEHOLDER_DOMAIN) or email_normalized.endswith("@" + PLACEHOLDER_DOMAIN)
