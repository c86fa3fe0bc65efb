"""The leads a user sees beyond their own, for roles that marketing does not know about.

Marketing knows a lead's owner but not teams: those are sales'. The app that joins the two
(handoff) registers a function `user → Q` naming the extra leads a user may see — a sales
manager's team and the pool handed to it — so marketing never imports sales.
"""

from collections.abc import Callable

from django.db.models import Q

ExtraLeads = Callable[[object], Q | None]

_providers: list[ExtraLeads] = []


def register(provider: ExtraLeads) -> ExtraLeads:
    if provider not in _providers:  # ready() may run more than once in one process
        _providers.append(provider)
    return provider


def leads_seen_by(user) -> Q:
    """Own leads, plus whatever a registered provider adds for this user."""
    scope = Q(owner=user)
    for provider in _providers:
        extra = provider(user)
        if extra is not None:
            scope |= extra
    return scope
