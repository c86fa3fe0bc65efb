"""Places marketing's pages and forms leave for the app that joins marketing to sales.

Marketing never names that app: not in Python (pyproject.toml's import contracts) and not in
its templates (tests/leadflow/test_boundaries.py reads them). A page that links to one of that
app's pages, or a form that needs one of its permissions, asks for a slot by name here; the
joining app fills every slot at start-up (its AppConfig.ready), as it registers
marketing.scope's extra leads. A slot left empty is a configuration error, not a blank link.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# The slots marketing leaves, and what fills each.
SLOTS = {
    "lead-verdicts": "URL name of the fragment saying what sales said of a lead (args: the lead's pk)",
    "lead-export": "URL name of a person's personal-data export, both sides' (args: the lead's pk)",
    "lead-erase": "URL name of a person's erasure, both sides' (args: the lead's pk)",
    "campaign-lead-quality": "URL name of the fragment judging a campaign's leads (args: the campaign's pk)",
    "lead-owner-permission": "'app_label.codename' of the permission of the people a lead is handed to",
}

_filled: dict[str, str] = {}


def fill(name: str, value: str) -> None:
    """Called by the joining app at start-up; ready() may run more than once in one process."""
    if name not in SLOTS:
        raise ImproperlyConfigured(f"Marketing leaves no slot named {name!r}; its slots: {', '.join(SLOTS)}.")
    _filled[name] = value


def filled(name: str) -> str:
    try:
        return _filled[name]
    except KeyError:
        raise ImproperlyConfigured(f"Nothing filled marketing's slot {name!r} ({SLOTS[name]}).") from None


def link(name: str, *args) -> str:
    """The URL of the page filling the link slot `name`, for these arguments."""
    return reverse(filled(name), args=args)


def permission(name: str) -> tuple[str, str]:
    """(app_label, codename) of the permission filling the slot `name`."""
    app_label, codename = filled(name).split(".", 1)
    return app_label, codename
