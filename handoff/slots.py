"""What handoff puts in the places marketing's and sales' pages leave for the app that joins them
(marketing/slots.py, sales/slots.py): the URL names of its pages and the permission of the
people leads are handed to. Filled at start-up (apps.py), so neither side names handoff.
(The campaign page's lead-quality slot is insights' to fill: insights/apps.py.)"""

from marketing import slots as marketing_slots
from sales import slots as sales_slots


def fill_slots() -> None:
    marketing_slots.fill("lead-verdicts", "handoff:lead-verdicts")
    marketing_slots.fill("lead-export", "handoff:lead-export")
    marketing_slots.fill("lead-erase", "handoff:lead-erase")
    # Whoever may answer an offer may own a lead (the lead list's owner filter).
    marketing_slots.fill("lead-owner-permission", "handoff.decide_offer")
    sales_slots.fill("offers-due", "handoff:offers-due")
    sales_slots.fill("new-leads", "handoff:inbox")
