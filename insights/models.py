"""Insights' own tables: the scorecard rollup, its stale marks, and the digests sent.

They moved here from handoff with their tables: `db_table` keeps the handoff_* names, so
the rows stay where they were (insights/migrations/0001 only takes over Django's state).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from handoff.models import RejectionReason


class Dimension(models.TextChoices):
    SOURCE = "source", "Source"
    CAMPAIGN = "campaign", "Campaign"
    LEAD_TYPE = "lead_type", "Lead type"
    SEGMENT = "segment", "Segment"
    INDUSTRY = "industry", "Industry"
    REP = "rep", "Salesperson"


class ScorecardRow(models.Model):
    """Lead quality for one group of leads (one source, one campaign, one lead type…).

    A rollup: refreshed from the raw rows for the groups an event touched, and rebuilt in
    full every night; either way its numbers equal a recomputation from scratch.
    """

    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    leads = models.PositiveIntegerField(default=0)
    mqls = models.PositiveIntegerField(default=0)
    offered = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejection_reasons = models.JSONField(default=dict, blank=True)
    sqls = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # "spend" (from the spend log), "budget" (no spend logged) or "mixed" (some of each).
    cost_basis = models.CharField(max_length=10, blank=True)
    lead_time_days = models.FloatField(null=True, blank=True, help_text="Median days from MQL to won.")
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        db_table = "handoff_scorecardrow"
        ordering = ["dimension", "label"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key"], name="one_scorecard_row_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.label}"

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def accepted_pct(self) -> float | None:
        return self._percent(self.accepted, self.accepted + self.rejected)

    @property
    def sql_won_pct(self) -> float | None:
        return self._percent(self.won, self.sqls)

    @property
    def win_rate(self) -> float | None:
        """Won of the closed deals."""
        return self._percent(self.won, self.won + self.lost)

    @property
    def offered_won_pct(self) -> float | None:
        """Won of the leads handed to sales: how "best" is ranked."""
        return self._percent(self.won, self.offered)

    @property
    def roi(self) -> float | None:
        return round(float((self.revenue - self.cost) / self.cost) * 100, 1) if self.cost else None

    @property
    def avg_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def cost_per_lead(self) -> Decimal | None:
        return (self.cost / self.leads).quantize(Decimal("0.01")) if self.leads and self.cost else None

    @property
    def top_rejections(self) -> list[tuple[str, int]]:
        """(reason label, count), most frequent first."""
        labels = dict(RejectionReason.choices)
        ranked = sorted(self.rejection_reasons.items(), key=lambda item: (-item[1], item[0]))
        return [(labels.get(reason, reason), n) for reason, n in ranked]


class ScorecardDirty(models.Model):
    """A group whose scorecard row an event made stale; the refresh sweep recomputes it.

    Append-only (no unique key): events running at the same time never wait on each
    other's marks, and the sweep deletes exactly the marks it has read.
    """

    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=200)
    marked_at = models.DateTimeField()

    class Meta:
        db_table = "handoff_scorecarddirty"

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key}"


class DigestSent(models.Model):
    """One weekly digest to one marketer: the row is claimed before the mail goes out."""

    week_starts = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        db_table = "handoff_digestsent"
        constraints = [
            models.UniqueConstraint(fields=["week_starts", "user"], name="one_digest_per_marketer_week"),
        ]

    def __str__(self) -> str:
        return f"Digest for week of {self.week_starts} to user #{self.user_id}"
