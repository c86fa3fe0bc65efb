"""Keys that make two leads look like one person: same phone, same name at one company.

Stored on the lead (kept current by Lead.save) and indexed, so the duplicates page groups
a million leads by key instead of comparing them pairwise.
"""

import re
import unicodedata

FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com aol.com icloud.com me.com gmx.com "
    "gmx.de web.de mail.com proton.me protonmail.com yandex.ru".split()
)
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


def email_domain(email_normalized: str) -> str:
    return email_normalized.rpartition("@")[2]


def work_domain(email_normalized: str) -> str:
    """The email's domain when it says something about the employer ("" for gmail.com…)."""
    domain = email_domain(email_normalized)
    return "" if domain in FREE_MAIL_DOMAINS or domain.endswith(".invalid") else domain
