"""Marketing's HTML forms, one module per page family; import them from here."""

from .campaigns import CampaignFilterForm, CampaignForm, SpendForm, SpendImportForm
from .capture import DEFAULT_CONSENT_TEXT, CaptureForm

__all__ = [
    "DEFAULT_CONSENT_TEXT",
    "CampaignFilterForm",
    "CampaignForm",
    "CaptureForm",
    "SpendForm",
    "SpendImportForm",
]
