"""Places sales' pages leave for the app that joins marketing to sales.

Sales never names that app: not in Python (pyproject.toml's import contracts) and not in its
templates (tests/leadflow/test_boundaries.py reads them). A page that links to one of that
app's pages asks for a slot by name here; the joining app fills every slot at start-up (its
AppConfig.ready), as marketing's slots are filled (marketing/slots.py). A slot left empty is
a configuration error, not a blank link.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# The slots sales leaves, and what fills each.
SLOTS = {
    "offers-due": "URL name of the fragment listing the user's offers about to breach their SLA",
    "new-leads": "URL name of the page where a salesperson accepts or rejects the leads offered to them",
}

_filled: dict[str, str] = {}


def fill(name: str, value: str) -> None:
    """Called by the joining app at start-up; ready() may run more than once in one process."""
    if name not in SLOTS:
        raise ImproperlyConfigured(f"Sales leaves no slot named {name!r}; its slots: {', '.join(SLOTS)}.")
    _filled[name] = value


def filled(name: str) -> str:
    try:
        return _filled[name]
    except KeyError:
        raise ImproperlyConfigured(f"Nothing filled sales' slot {name!r} ({SLOTS[name]}).") from None


def link(name: str, *args) -> str:
    """The URL of the page filling the link slot `name`, for these arguments."""
    return reverse(filled(name), args=args)
