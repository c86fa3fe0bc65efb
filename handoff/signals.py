"""Facts handoff announces. Handoff never knows who listens (the project wiring may)."""

from django.dispatch import Signal

# Sent inside the erasure's transaction, once the person's handoffs are locked and before
# anything about them is anonymised: a listener that keeps copies of their name or address
# elsewhere (logs, mail) can still find them. kwargs: lead_ids, deal_ids.
subject_erasing = Signal()

# Sent inside the write's transaction whenever what a lead's handoff says about the lead
# changes: handed to a team, accepted, rejected, its deal moved on or closed. A listener that
# keeps numbers per lead (insights' scorecards) notes the lead there, so its note commits or
# rolls back with the change. kwargs: lead, rep_id (the salesperson it counts for, or None).
handoff_changed = Signal()
