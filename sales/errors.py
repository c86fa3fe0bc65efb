class DealConflict(Exception):
    """Someone else changed the deal since this edit was started."""

    http_status = 409


class StageMoveNotAllowed(Exception):
    """The pipeline's transition table has no such move."""

    http_status = 409
