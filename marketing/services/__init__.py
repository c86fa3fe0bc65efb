"""Marketing's use cases. Every write to a marketing model goes through here.

One module per subject; callers import from this package (`from marketing import services`).
"""

from .capture import PROFILE_FIELDS, UTM_FIELDS, Capture, CaptureResult, capture_lead, resolve_alias
from .leads import add_touchpoint, renurture_lead, update_lead_profile
from .merges import merge_leads
from .scoring import score_lead
from .scoring_rules import delete_fit_rule, save_engagement_rule, save_fit_rule, set_mql_threshold, set_source_from
from .stages import (
    accept_lead,
    advance_lead,
    disqualify_lead,
    disqualify_rejected_lead,
    qualify_lead,
    record_outcome,
    recycle_lead,
)
from .subject_rights import ErasedPerson, erase_person_data, export_person_data, person_lead_ids

__all__ = [
    "PROFILE_FIELDS",
    "UTM_FIELDS",
    "Capture",
    "CaptureResult",
    "ErasedPerson",
    "accept_lead",
    "add_touchpoint",
    "merge_leads",
    "renurture_lead",
    "update_lead_profile",
    "advance_lead",
    "capture_lead",
    "delete_fit_rule",
    "erase_person_data",
    "export_person_data",
    "save_engagement_rule",
    "save_fit_rule",
    "set_mql_threshold",
    "set_source_from",
    "disqualify_lead",
    "disqualify_rejected_lead",
    "person_lead_ids",
    "qualify_lead",
    "record_outcome",
    "recycle_lead",
    "resolve_alias",
    "score_lead",
]
