"""Marketing's models, one module per subject; import them from here."""

from .campaigns import Campaign, CampaignSpend
from .choices import (
    ACCEPTED_STAGES,
    FUNNEL,
    MARKETING_STAGES,
    QUALIFIED_STAGES,
    STAGE_MOVES,
    Channel,
    CompanySize,
    Stage,
)
from .lead_forms import DEFAULT_CONSENT_TEXT, STANDARD_FIELDS, FormQuestion, LeadForm
from .leads import Lead, LeadQuerySet, LeadStageChange, Touchpoint

__all__ = [
    "DEFAULT_CONSENT_TEXT",
    "STANDARD_FIELDS",
    "FormQuestion",
    "LeadForm",
    "ACCEPTED_STAGES",
    "FUNNEL",
    "MARKETING_STAGES",
    "QUALIFIED_STAGES",
    "STAGE_MOVES",
    "Campaign",
    "CampaignSpend",
    "Channel",
    "CompanySize",
    "Lead",
    "LeadQuerySet",
    "LeadStageChange",
    "Stage",
    "Touchpoint",
]
