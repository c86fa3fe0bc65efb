"""Places sales' pages leave for the app that joins marketing to sales.

Sales never names that app: not in Python (pyproject.toml's import contracts) and not in its
templates (tests/leadflow/test_boundaries.py reads them). A page that links to one of that
app's pages asks for a slot by name here; the joining app fills every slot at start-up (its
AppConfig.ready), as marketing's slots are filled (marketing/slots.py). A slot left empty is
a configuration error, not a blank link.
"""

from guards.slots import Slots

# The slots sales leaves, and what fills each.
SLOTS = {
    "offers-due": "URL name of the fragment listing the user's offers about to breach their SLA",
    "new-leads": "URL name of the page where a salesperson accepts or rejects the leads offered to them",
}

_slots = Slots("Sales", SLOTS)
fill = _slots.fill
filled = _slots.filled
link = _slots.link
