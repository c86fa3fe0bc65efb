"""Handoff's refusals that answer 409 Conflict: the change does not fit the row as it
now is (guards/errors.py's Conflict; the API's handler gives its words and status)."""

from guards.errors import Conflict


class OfferConflict(Conflict):
    """The offer was already decided (accepted, rejected or expired) by someone else."""
