"""An email address as an identity: one person, one lead, however the address was typed."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

MAX_EMAIL_LENGTH = 254
_validate = EmailValidator(message="Enter a valid email address.")


def normalize_email(raw: str) -> str:
    """The identity form: NFKC (full-width and NFD forms fold), trimmed, case-folded.

    Raises ValidationError for anything that is not one plain address.
    """
    if any(char in raw for char in "\r\n\x00"):
        raise ValidationError("Enter a valid email address.", code="invalid")
    email = unicodedata.normalize("NFKC", raw).strip().casefold()
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(f"Email addresses are at most {MAX_EMAIL_LENGTH} characters.", code="max_length")
    _validate(email)
    return email


def review_reason_for(email: str) -> str:
    """Why a human should look at this address before trusting it ("" when fine).

    A domain mixing Latin letters with another script (pаypal.com with a Cyrillic а) is
    the classic look-alike; it is kept but never merged automatically.
    """
    domain = email.rpartition("@")[2]
    scripts = {_script(char) for char in domain if char.isalpha()}
    if len(scripts) > 1:
        return "Email domain mixes alphabets (possible look-alike)."
    return ""


def _script(char: str) -> str:
    if char.isascii():
        return "LATIN"
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]
