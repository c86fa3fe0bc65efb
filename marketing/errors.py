class StageChangeNotAllowed(Exception):
    """The lead cannot move from its current stage to the one asked for."""

    http_status = 409


class LeadNotEditable(Exception):
    """The lead is with sales: marketing reads it but no longer edits it."""

    http_status = 409


class MergeNotAllowed(Exception):
    """These two leads cannot be merged (the same lead, or one already merged away)."""

    http_status = 409
