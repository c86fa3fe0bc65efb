"""Facts handoff announces. Handoff never knows who listens (the project wiring may)."""

from django.dispatch import Signal

# Sent inside the erasure's transaction, once the person's handoffs are locked and before
# anything about them is anonymised: a listener that keeps copies of their name or address
# elsewhere (logs, mail) can still find them. kwargs: lead_ids, deal_ids.
subject_erasing = Signal()
