class OfferConflict(Exception):
    """The offer was already decided (accepted, rejected or expired) by someone else."""

    http_status = 409
