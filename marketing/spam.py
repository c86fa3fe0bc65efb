"""Telling people from bots on the public form, without a captcha.

Every rendered form carries a signed token: which campaign, when it was rendered, and a
one-time nonce. A post whose token was rendered too few seconds ago (no person types that
fast), or whose nonce was already used (a replay, or the second click of a double-click),
is answered exactly like a success and creates nothing; so is a post that fills the
honeypot field people never see. A missing, forged or stale token is a 400 that shows the
form again with a fresh token, so a person with an old tab loses nothing.
"""

import enum
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

logger = logging.getLogger(__name__)

SALT = "marketing.capture-form"
MAX_AGE_SECONDS = 24 * 3600
HONEYPOT = "website"  # a name bots love to fill


class Verdict(enum.Enum):
    OK = "ok"
    TOO_FAST = "too fast"
    INVALID = "invalid"  # missing, forged, or for another campaign
    EXPIRED = "expired"


@dataclass(frozen=True)
class TokenCheck:
    verdict: Verdict
    nonce: str = ""


def make_token(campaign_id: int, *, now: float | None = None) -> str:
    rendered = int(time.time() if now is None else now)
    return signing.dumps({"c": campaign_id, "t": rendered, "n": secrets.token_urlsafe(12)}, salt=SALT)


def check_token(token: str, campaign_id: int, *, now: float | None = None) -> TokenCheck:
    now = time.time() if now is None else now
    try:
        data = signing.loads(token or "", salt=SALT)
        rendered, nonce, campaign = int(data["t"]), str(data["n"]), data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return TokenCheck(Verdict.INVALID)
    if campaign != campaign_id:
        return TokenCheck(Verdict.INVALID)
    age = now - rendered
    if age > MAX_AGE_SECONDS:
        return TokenCheck(Verdict.EXPIRED, nonce)
    if age < settings.LEADFLOW_FORM_MIN_SECONDS:
        return TokenCheck(Verdict.TOO_FAST, nonce)
    return TokenCheck(Verdict.OK, nonce)


def claim(nonce: str) -> bool:
    """Use the nonce up; False if it was used before. Fails open when the cache is down
    (the unique email still keeps a double submit to one lead)."""
    try:
        return bool(cache.add(f"capture-nonce:{nonce}", 1, timeout=MAX_AGE_SECONDS + 60))
    except Exception:
        logger.warning("capture nonce store unavailable; accepting the token", exc_info=True)
        return True
