"""Sales' use cases. Every write to a sales model goes through here.

One package, one module per subject; callers import the functions from `sales.services`.
"""

from .activities import add_note, complete_activity, log_activity, send_due_reminders
from .configuration import (
    add_lost_reason,
    create_pipeline,
    rename_pipeline,
    save_stages,
    set_transitions,
    update_lost_reason,
)
from .deals import (
    active_lost_reasons,
    close_deal,
    default_pipeline,
    move_deal,
    next_steps,
    open_deal,
    reassign_deal,
    reassignable_owners,
    reopen_deal,
    transition_table,
    update_deal,
)
from .playbooks import mark_asset_sent, set_stage_playbook
from .reps import set_availability
from .subject_rights import erase_deal_contacts, export_deal_data

__all__ = [
    "active_lost_reasons",
    "add_lost_reason",
    "create_pipeline",
    "rename_pipeline",
    "save_stages",
    "set_transitions",
    "update_lost_reason",
    "add_note",
    "close_deal",
    "complete_activity",
    "default_pipeline",
    "erase_deal_contacts",
    "export_deal_data",
    "log_activity",
    "mark_asset_sent",
    "move_deal",
    "next_steps",
    "open_deal",
    "reassign_deal",
    "reassignable_owners",
    "reopen_deal",
    "send_due_reminders",
    "set_availability",
    "set_stage_playbook",
    "transition_table",
    "update_deal",
]
