"""Marketing's rules about the addresses people type: LeadFlow's own stand-ins (imported rows
without an email, erased people) and look-alikes worth a human's glance. The identity itself
(normalisation, IDN/punycode, what a valid address is) is shared with handoff: guards/emails.py."""

import unicodedata

from django.core.exceptions import ValidationError

from guards.emails import ERASED_DOMAIN, normalize_email

__all__ = [
    "PLACEHOLDER_DOMAIN",
    "RESERVED",
    "check_typed",
    "erased_address",
    "is_placeholder",
    "normalize_email",
    "review_reason_for",
]

# Rows imported without an email get a stand-in address under this reserved top-level
# domain (RFC 2606: .invalid can never be delivered to), built from their ID in the file,
# so that importing the same file again finds the same leads. See marketing/imports.
PLACEHOLDER_DOMAIN = "import.invalid"


def erased_address(lead_id: int) -> str:
    """The stand-in address of an erased lead: unique per lead, so the unique column holds."""
    return f"erased-{lead_id}@{ERASED_DOMAIN}"


def review_reason_for(email: str) -> str:
    """Why a human should look at this address before trusting it ("" when fine).

    A domain mixing Latin letters with another script (pаypal.com with a Cyrillic а) is
    the classic look-alike; it is kept but never merged automatically.
    """
    local, _, domain = email.rpartition("@")
    if _mixes_scripts(domain):
        return "Email domain mixes alphabets (possible look-alike)."
    # Unicode names are accepted (guards/emails.py, _validate_address), so jоhn@ with a Cyrillic о is too.
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
