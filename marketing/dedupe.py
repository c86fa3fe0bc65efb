"""Keys that make two leads look like one person: same phone, same name at one company.

Stored on the lead (kept current by Lead.save) and indexed, so the duplicates page groups
a million leads by key instead of comparing them pairwise.
"""

import re
import unicodedata

# The work-domain key is the one routing compares too: defined once, beside the free-mail list.
from guards.emails import work_domain

__all__ = ["company_key", "name_key", "phone_key", "work_domain"]

_COMPANY_SUFFIXES = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|llp|gmbh|ag|sa|sas|srl|bv|nv|plc|co|corp|corporation|company|group)\b\.?"
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in text if not unicodedata.combining(char))


def phone_key(phone: str) -> str:
    """The last 9 digits (country codes and trunk zeros vary); "" for anything shorter than 7."""
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 7 else ""


def name_key(first_name: str, last_name: str) -> str:
    """ "ada lovelace" for Ada / LOVELACE / Lovelace; "" unless both names are given."""
    first, last = _fold(first_name).split(), _fold(last_name).split()
    return " ".join([*first, *last])[:200] if first and last else ""


def company_key(company: str) -> str:
    """ "acme" for ACME Inc., Acme, Inc and acme gmbh; "" when empty."""
    folded = _COMPANY_SUFFIXES.sub(" ", _fold(company))
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())[:200]
