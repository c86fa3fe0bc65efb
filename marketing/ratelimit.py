"""The capture budgets (the hosted form and the API alike), counted by guards/ratelimit.py."""

from django.conf import settings

from guards import ratelimit


def hit_email(email_normalized: str) -> ratelimit.Decision:
    """Count one capture of this address, by the hosted form or the API alike: one budget
    (LEADFLOW_FORM_EMAIL_RATE, a handful an hour), so that no caller can pump one person's
    score with repeat touches, nor flood their timeline."""
    return ratelimit.hit("capture-email", email_normalized, settings.LEADFLOW_FORM_EMAIL_RATE)
