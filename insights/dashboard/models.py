"""The dashboard's own tables: per-lead and per-deal facts, and day × dimension rollups.

Nothing here is the truth: every row is derived from marketing's, sales' and handoff's
tables by insights/dashboard/rollups/ and can be thrown away and rebuilt. The facts flatten
one lead's (one deal's) history into a row, so that a change re-derives just that row;
the cells sum the facts per day and per team, rep, channel and campaign, so that the
dashboard reads a few thousand cells instead of a million leads (docs/PERFORMANCE.md, "The machine").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketing.models import Campaign, Lead
from sales.models import Deal, Team


def team_field():
    return models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)


def rep_field():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )


def channel_field():
    return models.CharField(max_length=20, blank=True)


def campaign_field():
    return models.ForeignKey(Campaign, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)


class LeadFact(models.Model):
    """One lead's journey: the first time it reached each funnel stage.

    A lead that skipped a stage reached it when it reached a later one (so the funnel
    never narrows upward). Team and rep are those of its latest handoff.
    """

    lead = models.OneToOneField(Lead, primary_key=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The day the lead was captured: its cohort.")
    team = team_field()
    rep = rep_field()
    channel = channel_field()
    campaign = campaign_field()
    lead_at = models.DateTimeField(null=True)
    mql_at = models.DateTimeField(null=True)
    sal_at = models.DateTimeField(null=True)
    sql_at = models.DateTimeField(null=True)
    opportunity_at = models.DateTimeField(null=True)
    won_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"]),
            models.Index(fields=["team", "day"]),
            models.Index(fields=["rep", "day"]),
            models.Index(fields=["campaign", "day"]),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.lead_id} of {self.day}"


class DealFact(models.Model):
    """One deal with what the dashboard needs of its lead (none for deals sales opened itself)."""

    deal = models.OneToOneField(Deal, primary_key=True, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    team = team_field()
    rep = rep_field()
    channel = channel_field()
    campaign = campaign_field()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    day = models.DateField(null=True, help_text="The day the deal closed.")
    outcome = models.CharField(max_length=4, blank=True)  # "won", "lost" or "" while open
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    mql_at = models.DateTimeField(null=True, help_text="The lead's first MQL: lead time runs from here.")

    class Meta:
        indexes = [models.Index(fields=["day"]), models.Index(fields=["lead"])]

    def __str__(self) -> str:
        return f"Deal #{self.deal_id} ({self.outcome or 'open'})"


def cell_indexes(short: str) -> list[models.Index]:
    """Every cell table's indexes: by grain and day, and a rep's own fine cells by day."""
    return [
        models.Index(fields=["grain", "day"]),
        models.Index(fields=["rep", "day"], condition=Q(grain=0), name=f"dash_{short}_rep_day"),
    ]


class Cell(models.Model):
    """Abstract: one day and one value of each dimension, at one of three grains.

    FINE cells carry every dimension; COARSE cells sum them over reps and campaigns (rep
    and campaign empty), a fraction of the rows, for every view not narrowed to a rep or a
    campaign: the company's, a team's, a channel's. MONTHLY cells sum a month's COARSE
    cells (day = the 1st): a long period reads its whole months from them and only the
    partial months at either end day by day.
    """

    FINE, COARSE, MONTHLY = 0, 1, 2

    grain = models.PositiveSmallIntegerField(default=FINE)
    day = models.DateField()
    team = team_field()
    rep = rep_field()
    channel = channel_field()
    campaign = campaign_field()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        where = f"team {self.team_id}, rep {self.rep_id}, {self.channel or 'no channel'}, campaign {self.campaign_id}"
        return f"{type(self).__name__} of {self.day} ({where})"


class FunnelCell(Cell):
    """Leads captured that day (the cohort) and how many of them reached each stage."""

    leads = models.PositiveIntegerField()
    mql = models.PositiveIntegerField()
    sal = models.PositiveIntegerField()
    sql = models.PositiveIntegerField()
    opportunity = models.PositiveIntegerField()
    won = models.PositiveIntegerField()

    class Meta:
        indexes = cell_indexes("funnel")


class DurationCell(Cell):
    """How many of the day's cohort took `days` whole days from one funnel stage to the next."""

    step = models.CharField(max_length=20)  # "lead-mql", "mql-sal", "sal-sql", "sql-opportunity", "opportunity-won"
    days = models.PositiveIntegerField()
    leads = models.PositiveIntegerField()

    class Meta:
        indexes = cell_indexes("duration")


class DealCell(Cell):
    """Deals closed that day: how many were won and lost, for how much."""

    won = models.PositiveIntegerField()
    won_amount = models.DecimalField(max_digits=14, decimal_places=2)
    lost = models.PositiveIntegerField()
    lost_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        indexes = cell_indexes("deal")


class LeadTimeCell(Cell):
    """Deals won that day whose lead took `days` whole days from its first MQL to won."""

    days = models.PositiveIntegerField()
    deals = models.PositiveIntegerField()

    class Meta:
        indexes = cell_indexes("leadtime")


class AttributionCell(models.Model):
    """Revenue of the deals won that day credited to one touch channel/campaign by one model.

    No team or rep here: a deal's credit spreads over several campaigns, so these cells
    only pay off summed over many deals; one team's or rep's view is computed on the spot
    from its few deals (rollups.attribution.credited). `deals` is the credited share of
    deals (a fraction), for cost per acquisition. MONTHLY rows sum a month's DAILY ones.
    """

    DAILY, MONTHLY = 0, 2

    grain = models.PositiveSmallIntegerField(default=DAILY)
    day = models.DateField()
    channel = channel_field()
    campaign = campaign_field()
    model = models.CharField(max_length=12)
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    deals = models.DecimalField(max_digits=14, decimal_places=6)

    class Meta:
        indexes = [models.Index(fields=["model", "grain", "day"])]

    def __str__(self) -> str:
        return f"{self.model} credit of {self.day} to {self.channel or 'no channel'}/{self.campaign_id}"


class OfferCell(Cell):
    """Offers made that day (to `rep`, for a lead of `channel`/`campaign`) and how they ended."""

    offers = models.PositiveIntegerField()
    within_sla = models.PositiveIntegerField()
    late = models.PositiveIntegerField()
    expired = models.PositiveIntegerField()
    open = models.PositiveIntegerField()

    class Meta:
        indexes = cell_indexes("offer")


class RejectionCell(Cell):
    """Handoffs rejected that day, per reason."""

    reason = models.CharField(max_length=20)
    rejections = models.PositiveIntegerField()

    class Meta:
        indexes = cell_indexes("rejection")


class RollupState(models.Model):
    """The single row that says how far the rollups have read, and their version.

    `version` changes whenever cells change: cached dashboard answers carry it in their
    key, so a refresh makes them stale at once. The row is also the refresh lock.
    """

    version = models.PositiveBigIntegerField(default=0)
    lead_change_id = models.PositiveBigIntegerField(default=0)
    deal_change_id = models.PositiveBigIntegerField(default=0)
    offer_id = models.PositiveBigIntegerField(default=0)
    deals_seen_at = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Dashboard rollups v{self.version}"
