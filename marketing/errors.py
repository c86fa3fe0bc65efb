class StageChangeNotAllowed(Exception):
    """The lead cannot move from its current stage to the one asked for."""

    http_status = 409
