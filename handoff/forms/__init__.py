"""Input shape and user-facing validation for handoff's pages (rules live in services)."""

from .config import RejectionRuleForm, RoutingRuleForm, TeamSettingsForm
from .offers import AcceptForm, OffersDueForm, RejectForm
from .playbooks import AssetFormSet, PlaybookForm
from .subject_rights import EraseForm

__all__ = [
    "AcceptForm",
    "AssetFormSet",
    "EraseForm",
    "OffersDueForm",
    "PlaybookForm",
    "RejectForm",
    "RejectionRuleForm",
    "RoutingRuleForm",
    "TeamSettingsForm",
]
