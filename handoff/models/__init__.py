"""Handoff's tables: the handoffs themselves, routing and SLA settings, scorecard rollups."""

from .erasures import Erasure
from .handoffs import Feedback, Handoff, HandoffQuerySet, Offer, RejectionReason, RoutingSlot
from .reports import Commitment, DigestSent, ScorecardDirty, ScorecardRow
from .settings import RejectionRule, RoutingRule, TeamSettings

__all__ = [
    "Commitment",
    "DigestSent",
    "Erasure",
    "Feedback",
    "Handoff",
    "HandoffQuerySet",
    "Offer",
    "RejectionReason",
    "RejectionRule",
    "RoutingRule",
    "RoutingSlot",
    "ScorecardDirty",
    "ScorecardRow",
    "TeamSettings",
]
