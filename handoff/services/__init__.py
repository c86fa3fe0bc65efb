"""The seam: the only code that moves work between marketing and sales.

Marketing and sales never call each other; these functions call their services with
plain values. Every function here is safe to run twice (a redelivered task, two beats).
Callers import from `handoff.services`; one module per subject.
"""

from .config import (
    delete_routing_rule,
    managed_teams,
    move_routing_rule,
    save_commitment,
    save_rejection_rule,
    save_routing_rule,
    save_team_settings,
)
from .offers import MOVED_ON, accept_offer, moved_on_from, offer_for, offer_handoff, reject_offer, route_lead
from .outcomes import record_deal_outcome, sync_lead_stage
from .playbooks import save_playbook
from .reconcile import ReconcileReport, reconcile
from .sla import (
    Countdown,
    SweepReport,
    countdown,
    expire_overdue_offers,
    send_reminders,
    sweep_offers,
    target_percent,
    weighted_target,
)
from .subject_rights import ErasureResult, erase_subject, export_subject

__all__ = [
    "MOVED_ON",
    "Countdown",
    "ErasureResult",
    "ReconcileReport",
    "SweepReport",
    "accept_offer",
    "countdown",
    "delete_routing_rule",
    "erase_subject",
    "expire_overdue_offers",
    "managed_teams",
    "export_subject",
    "move_routing_rule",
    "moved_on_from",
    "offer_for",
    "offer_handoff",
    "reconcile",
    "record_deal_outcome",
    "reject_offer",
    "route_lead",
    "save_commitment",
    "save_playbook",
    "save_rejection_rule",
    "save_routing_rule",
    "save_team_settings",
    "send_reminders",
    "sweep_offers",
    "sync_lead_stage",
    "target_percent",
    "weighted_target",
]
