"""Places marketing's pages and forms leave for the app that joins marketing to sales.

Marketing never names that app: not in Python (pyproject.toml's import contracts) and not in
its templates (tests/leadflow/test_boundaries.py reads them). A page that links to one of that
app's pages, or a form that needs one of its permissions, asks for a slot by name here; the
joining app fills every slot at start-up (its AppConfig.ready), as it registers
marketing.scope's extra leads. A slot left empty is a configuration error, not a blank link.
"""

from guards.slots import Slots

# The slots marketing leaves, and what fills each.
SLOTS = {
    "lead-verdicts": "URL name of the fragment saying what sales said of a lead (args: the lead's pk)",
    "lead-export": "URL name of a person's personal-data export, both sides' (args: the lead's pk)",
    "lead-erase": "URL name of a person's erasure, both sides' (args: the lead's pk)",
    "campaign-lead-quality": "URL name of the fragment judging a campaign's leads (args: the campaign's pk)",
    "lead-owner-permission": "'app_label.codename' of the permission of the people a lead is handed to",
}

_slots = Slots("Marketing", SLOTS)
fill = _slots.fill
filled = _slots.filled
link = _slots.link
permission = _slots.permission
