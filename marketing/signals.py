"""Facts marketing announces. Marketing never knows who listens (handoff does)."""

from django.dispatch import Signal

# Sent inside the transaction that moved the lead to MQL; kwargs: lead_id, cycle.
lead_qualified = Signal()
