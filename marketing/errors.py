"""Marketing's refusals that answer 409 Conflict: the change does not fit the row as it
now is (guards/errors.py's Conflict; the API's handler gives its words and status)."""

from guards.errors import Conflict


class StageChangeNotAllowed(Conflict):
    """The lead cannot move from its current stage to the one asked for."""


class LeadNotEditable(Conflict):
    """The lead is with sales: marketing reads it but no longer edits it."""


class MergeNotAllowed(Conflict):
    """These two leads cannot be merged (the same lead, or one already merged away)."""
