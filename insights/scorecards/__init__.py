"""Lead-quality scorecards: per source, campaign, lead type and salesperson."""

from .compute import Scope, compute_rows
from .store import mark_lead, rebuild_all, refresh_stale

__all__ = ["Scope", "compute_rows", "mark_lead", "rebuild_all", "refresh_stale"]
