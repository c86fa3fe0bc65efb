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
    SourceFrom,
    Stage,
)
from .imports import ImportRowError, LeadImport
from .lead_forms import DEFAULT_CONSENT_TEXT, STANDARD_FIELDS, FormQuestion, LeadForm
from .leads import Lead, LeadQuerySet, LeadStageChange, Touchpoint
from .merges import LeadEmailAlias, LeadMerge
from .scoring import EngagementRule, FitRule, RescoreRun, ScoreChange, ScoringSettings

__all__ = [
    "DEFAULT_CONSENT_TEXT",
    "STANDARD_FIELDS",
    "FormQuestion",
    "ImportRowError",
    "LeadImport",
    "LeadForm",
    "ACCEPTED_STAGES",
    "FUNNEL",
    "MARKETING_STAGES",
    "QUALIFIED_STAGES",
    "STAGE_MOVES",
    "EngagementRule",
    "FitRule",
    "RescoreRun",
    "ScoreChange",
    "ScoringSettings",
    "Campaign",
    "CampaignSpend",
    "Channel",
    "CompanySize",
    "Lead",
    "LeadEmailAlias",
    "LeadMerge",
    "LeadQuerySet",
    "LeadStageChange",
    "SourceFrom",
    "Stage",
    "Touchpoint",
]
