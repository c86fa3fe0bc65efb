"""Handoff's tables: the handoffs themselves, routing and SLA settings, erasure records."""

from .erasures import Erasure
from .handoffs import Feedback, Handoff, HandoffQuerySet, Offer, RejectionReason, RoutingSlot
from .settings import Commitment, RejectionRule, RoutingRule, TeamSettings

__all__ = [
    "Commitment",
    "Erasure",
    "Feedback",
    "Handoff",
    "HandoffQuerySet",
    "Offer",
    "RejectionReason",
    "RejectionRule",
    "RoutingRule",
    "RoutingSlot",
    "TeamSettings",
]
