"""Signing in: the login lockout and API tokens.

Lockout counters are guards/ratelimit.py's, the limiter the capture form and API use too:
a window opens at a counter's first failure, and fails open, so that a cache outage never
locks everybody out (attempts are then let through and the outage logged).
"""

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from guards import ratelimit

from .models import ApiToken

logger = logging.getLogger(__name__)

# --- Login lockout ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    retry_after: int  # seconds until the window that caused it has passed


def _folded(username: str) -> str:
    # Folded, so "Maria", "MARIA" and "ｍａｒｉａ" share one counter whatever the backend matches.
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _scopes(username: str, ip: str) -> list[tuple[str, str, ratelimit.Rate]]:
    """The counters an attempt is judged by: (scope, identity, rate)."""
    window = settings.LEADFLOW_LOGIN_LOCKOUT_SECONDS
    scopes = [("login-failures:ip", ip, ratelimit.Rate(settings.LEADFLOW_LOGIN_IP_MAX_FAILURES, window))]
    if folded := _folded(username):
        scopes.append(("login-failures:user", folded, ratelimit.Rate(settings.LEADFLOW_LOGIN_MAX_FAILURES, window)))
    return scopes


def login_lockout(*, username: str, ip: str, now: float | None = None) -> Lockout | None:
    """The lockout that refuses a log-in attempt for `username` from `ip`, or None.

    A window starts at a counter's first failure and lasts LEADFLOW_LOGIN_LOCKOUT_SECONDS;
    once a window holds the limit, attempts are refused until it has passed, whatever the
    password. Every username is treated alike, so this says nothing about which exist.
    """
    waits = [
        decision.retry_after
        for scope, ident, rate in _scopes(username, ip)
        if not (decision := ratelimit.check(scope, ident, rate, now=now)).allowed
    ]
    return Lockout(retry_after=max(waits)) if waits else None


def record_failed_login(*, username: str, ip: str, now: float | None = None) -> Lockout | None:
    """Count a failed log-in against the username and the client IP; the lockout it caused, if any."""
    for scope, ident, rate in _scopes(username, ip):
        ratelimit.hit(scope, ident, rate, now=now)
    return login_lockout(username=username, ip=ip, now=now)


def clear_failed_logins(*, username: str) -> None:
    """After a successful log-in: that username's earlier typos no longer count.

    The client IP's counter stays, or an attacker could reset it by logging into an account
    of their own between guesses at others'.
    """
    if folded := _folded(username):
        ratelimit.reset("login-failures:user", folded)


# --- API tokens ------------------------------------------------------------------------

TOKEN_TAG = "lf"
# Longer than any token we issue: anything longer is refused before hashing.
MAX_TOKEN_LENGTH = 100
# last_used_at is written at most this often: an integration polling every second would
# otherwise turn each read into a write on one row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# The lifetimes a user picks from when creating a token, in days (None: never expires).
TOKEN_LIFETIMES_DAYS: tuple[int | None, ...] = (30, 90, 365, None)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole "lf_<prefix>_<secret>": shown once, never stored


class TokenExpired(Exception):
    """The secret is right, but the token's lifetime is over."""

    def __init__(self, expired_at: datetime):
        super().__init__(f"token expired at {expired_at.isoformat()}")
        self.expired_at = expired_at


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    *, user: AbstractBaseUser, name: str, lifetime_days: int | None = None, now: datetime | None = None
) -> IssuedToken:
    """A new token for `user`, expiring `lifetime_days` from now (None: never)."""
    if lifetime_days not in TOKEN_LIFETIMES_DAYS:
        raise ValueError(f"lifetime_days must be one of {TOKEN_LIFETIMES_DAYS}, got {lifetime_days!r}")
    expires_at = (now or timezone.now()) + timedelta(days=lifetime_days) if lifetime_days else None
    prefix = secrets.token_hex(4)  # 8 characters, never an underscore
    secret = secrets.token_urlsafe(32)  # 256 random bits
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, key_hash=hash_secret(secret), expires_at=expires_at
    )
    logger.info("API token %s (%s) created for user %s, expiring %s", token.pk, prefix, user.pk, expires_at or "never")
    return IssuedToken(token=token, secret=f"{TOKEN_TAG}_{prefix}_{secret}")


def authenticate_api_token(*, raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token that `raw` is, with its user; None if malformed, unknown, revoked or
    its user is inactive. TokenExpired if it is right but past its expiry: only whoever holds
    the secret learns that, so they can be told what to do."""
    now = now or timezone.now()
    tag, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if len(raw) > MAX_TOKEN_LENGTH or tag != TOKEN_TAG or not prefix or not secret:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=hash_secret(secret), revoked_at__isnull=True).first()
    )
    if token is None or token.prefix != prefix or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenExpired(token.expires_at)
    _mark_used(token, now)
    return token


def _mark_used(token: ApiToken, now: datetime) -> None:
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    # Conditional, so that simultaneous requests with one token don't all rewrite the row.
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now


def revoke_api_token(*, user: AbstractBaseUser, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke one of `user`'s own tokens; ApiToken.DoesNotExist for anyone else's."""
    token = ApiToken.objects.get(pk=token_id, user=user)
    revoke_api_tokens(tokens=ApiToken.objects.filter(pk=token.pk), now=now)
    token.refresh_from_db(fields=["revoked_at"])
    return token


def revoke_api_tokens(*, tokens: QuerySet[ApiToken], now: datetime | None = None) -> int:
    """Revoke every live token in `tokens` (already revoked ones keep their time)."""
    revoked = tokens.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    logger.info("%s API token(s) revoked", revoked)
    return revoked


def revoke_all_api_tokens(*, user: AbstractBaseUser, now: datetime | None = None) -> int:
    """Revoke every live token of `user` (when they change their password and ask for it)."""
    return revoke_api_tokens(tokens=ApiToken.objects.filter(user=user), now=now)


def team_tokens(*, manager: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The API tokens of the reps in the teams `manager` manages: theirs to read, not to revoke."""
    from sales.models import SalesRep  # the project wiring may read the apps; they never read it

    reps = SalesRep.objects.filter(team__manager=manager).exclude(user=manager).values("user_id")
    return ApiToken.objects.filter(user__in=reps).select_related("user").order_by("user__username", "-created_at")
