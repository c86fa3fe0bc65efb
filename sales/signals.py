"""Facts sales announces. Sales never knows who listens (handoff does)."""

from django.dispatch import Signal

# Both are sent inside the transaction that made the change; kwargs: deal_id.
deal_stage_changed = Signal()
deal_closed = Signal()
