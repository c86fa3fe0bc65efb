"""Sales' refusals that answer 409 Conflict: the change does not fit the row as it
now is (guards/errors.py's Conflict; the API's handler gives its words and status)."""

from guards.errors import Conflict


class DealConflict(Conflict):
    """Someone else changed the deal since this edit was started."""


class StageMoveNotAllowed(Conflict):
    """The pipeline's transition table has no such move."""
