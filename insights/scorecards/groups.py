"""How leads are grouped on the scorecards: one key expression per dimension.

Every expression is written relative to a path prefix, so that the same grouping can be
applied to leads (""), to handoffs ("lead__") and to feedback ("handoff__lead__").
"""

from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf, Trim

from handoff.models import Handoff
from marketing.models import Channel, CompanySize, Lead

from ..models import Dimension

NO_CAMPAIGN = "none"
UNKNOWN = "unknown"

SEGMENTS = {
    "smb": ("Small business (1–50)", (CompanySize.MICRO, CompanySize.SMALL)),
    "mid": ("Mid-market (51–1,000)", (CompanySize.MEDIUM, CompanySize.LARGE)),
    "enterprise": ("Enterprise (1,001+)", (CompanySize.ENTERPRISE, CompanySize.GLOBAL)),
}
SEGMENT_LABELS = {key: label for key, (label, _sizes) in SEGMENTS.items()} | {UNKNOWN: "Size not given"}


def segment_of(company_size: str) -> str:
    for key, (_label, sizes) in SEGMENTS.items():
        if company_size in sizes:
            return key
    return UNKNOWN


def industry_of(industry: str) -> str:
    return industry.strip().lower() or UNKNOWN


def _segment_expr(prefix: str):
    return Case(
        *[When(**{f"{prefix}company_size__in": sizes}, then=Value(key)) for key, (_l, sizes) in SEGMENTS.items()],
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def _industry_expr(prefix: str):
    return Coalesce(NullIf(Lower(Trim(f"{prefix}industry")), Value("")), Value(UNKNOWN), output_field=CharField())


def _latest_assignee(prefix: str):
    lead_ref = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
    latest = Handoff.objects.filter(lead=lead_ref, assignee__isnull=False).order_by("-cycle").values("assignee_id")[:1]
    return Cast(Subquery(latest), CharField())


def key_expression(dimension: str, prefix: str = ""):
    """The group key of a lead, reached through `prefix` ("" for a Lead queryset)."""
    if dimension == Dimension.SOURCE:
        return Cast(F(f"{prefix}source"), CharField())
    if dimension == Dimension.CAMPAIGN:
        return Coalesce(Cast(f"{prefix}first_touch_campaign_id", CharField()), Value(NO_CAMPAIGN))
    if dimension == Dimension.SEGMENT:
        return _segment_expr(prefix)
    if dimension == Dimension.INDUSTRY:
        return _industry_expr(prefix)
    if dimension == Dimension.LEAD_TYPE:
        return Concat(_segment_expr(prefix), Value("|"), _industry_expr(prefix), output_field=CharField())
    if dimension == Dimension.REP:
        return _latest_assignee(prefix)
    raise ValueError(f"unknown dimension {dimension!r}")


def handoff_key_expression(dimension: str):
    """On handoffs a salesperson's numbers are their own offers, not the lead's last owner's."""
    if dimension == Dimension.REP:
        return Cast("assignee_id", CharField())
    return key_expression(dimension, "lead__")


def feedback_key_expression(dimension: str):
    if dimension == Dimension.REP:
        return Cast("handoff__assignee_id", CharField())
    return key_expression(dimension, "handoff__lead__")


def keys_of(lead: Lead, *, rep_id: int | None = None) -> list[tuple[str, str]]:
    segment, industry = segment_of(lead.company_size), industry_of(lead.industry)
    keys = [
        (Dimension.SOURCE, lead.source),
        (Dimension.CAMPAIGN, str(lead.first_touch_campaign_id) if lead.first_touch_campaign_id else NO_CAMPAIGN),
        (Dimension.SEGMENT, segment),
        (Dimension.INDUSTRY, industry),
        (Dimension.LEAD_TYPE, f"{segment}|{industry}"),
    ]
    if rep_id:
        keys.append((Dimension.REP, str(rep_id)))
    return keys


def label_of(dimension: str, key: str, names: dict[str, str]) -> str:
    """A group's human name; `names` maps campaign and user ids to names."""
    if dimension == Dimension.SOURCE:
        return Channel(key).label if key in Channel.values else key
    if dimension == Dimension.CAMPAIGN:
        return "No campaign" if key == NO_CAMPAIGN else names.get(f"campaign:{key}", f"Campaign #{key}")
    if dimension == Dimension.SEGMENT:
        return SEGMENT_LABELS.get(key, key)
    if dimension == Dimension.INDUSTRY:
        return "Industry not given" if key == UNKNOWN else key.capitalize()
    if dimension == Dimension.LEAD_TYPE:
        segment, _, industry = key.partition("|")
        industry_label = "any industry" if industry == UNKNOWN else industry.capitalize()
        return f"{SEGMENT_LABELS.get(segment, segment)} · {industry_label}"
    if dimension == Dimension.REP:
        return names.get(f"user:{key}", f"User #{key}")
    return key
