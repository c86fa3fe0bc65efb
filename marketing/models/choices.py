"""The vocabularies marketing's models share: channels, lead stages and the legal moves."""

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PAID_SEARCH = "paid_search", "Paid search"
    PAID_SOCIAL = "paid_social", "Paid social"
    ORGANIC_SEARCH = "organic_search", "Organic search"
    SOCIAL = "social", "Social"
    EVENT = "event", "Event"
    WEBINAR = "webinar", "Webinar"
    CONTENT = "content", "Content"
    REFERRAL = "referral", "Referral"
    PARTNER = "partner", "Partner"
    DIRECT = "direct", "Direct"
    OTHER = "other", "Other"


class SourceFrom(models.TextChoices):
    """Where a captured lead's source comes from when its campaign's channel and its UTM medium disagree."""

    CAMPAIGN = "campaign", "the campaign's channel"
    UTM = "utm", "the UTM medium, when it names a known channel"


class CompanySize(models.TextChoices):
    """Employee bands, the usual way B2B forms ask; segments are read off them."""

    MICRO = "1-10", "1–10"
    SMALL = "11-50", "11–50"
    MEDIUM = "51-200", "51–200"
    LARGE = "201-1000", "201–1,000"
    ENTERPRISE = "1001-5000", "1,001–5,000"
    GLOBAL = "5001+", "5,001+"


class Stage(models.TextChoices):
    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    MQL = "mql", "Marketing qualified"
    SAL = "sal", "Sales accepted"
    SQL = "sql", "Sales qualified"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    RECYCLED = "recycled", "Recycled"
    DISQUALIFIED = "disqualified", "Disqualified"


# The one table of legal lead stage moves; everything else is refused.
STAGE_MOVES: dict[str, set[str]] = {
    Stage.SUBSCRIBER: {Stage.LEAD, Stage.MQL, Stage.DISQUALIFIED},
    Stage.LEAD: {Stage.MQL, Stage.DISQUALIFIED},
    Stage.MQL: {Stage.SAL, Stage.RECYCLED, Stage.DISQUALIFIED},
    Stage.SAL: {Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED},
    Stage.SQL: {Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED},
    Stage.OPPORTUNITY: {Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED},
    Stage.CUSTOMER: set(),
    Stage.RECYCLED: {Stage.LEAD, Stage.MQL, Stage.DISQUALIFIED},
    Stage.DISQUALIFIED: {Stage.LEAD},
}
# Stages that belong to marketing: the lead can still be edited and handed over.
MARKETING_STAGES = {Stage.SUBSCRIBER, Stage.LEAD, Stage.RECYCLED}
# The main line, for "has the lead got at least this far?".
FUNNEL = [Stage.SUBSCRIBER, Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER]
# Reaching any of these for the first time stamps Lead.qualified_at / Lead.accepted_at.
QUALIFIED_STAGES = {Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER}
ACCEPTED_STAGES = {Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER}
