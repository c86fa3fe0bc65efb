from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import SourceFrom
from .leads import Lead, Touchpoint


class ScoreChange(models.Model):
    """A lead's score moved: from what, to what, with the rules that fired and why it was rescored."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_changes")
    changed_at = models.DateTimeField()
    old_score = models.IntegerField()
    new_score = models.IntegerField()
    reasons = models.JSONField(default=list, blank=True)
    cause = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["lead", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.old_score} → {self.new_score}"

    @property
    def delta(self) -> int:
        return self.new_score - self.old_score


class FitRule(models.Model):
    """Who the lead is: "<field> <operator> <value> → points" (points may be negative)."""

    class Field(models.TextChoices):
        EMAIL_DOMAIN = "email_domain", "Email domain"
        COMPANY = "company", "Company"
        TITLE = "title", "Job title"
        PHONE = "phone", "Phone"
        COUNTRY = "country", "Country"
        INDUSTRY = "industry", "Industry"
        COMPANY_SIZE = "company_size", "Company size"
        SOURCE = "source", "Source"
        ATTRIBUTE = "attribute", "Custom attribute"

    class Operator(models.TextChoices):
        IS_SET = "is_set", "is filled in"
        IS_BLANK = "is_blank", "is empty"
        EQUALS = "equals", "is"
        NOT_EQUALS = "not_equals", "is not"
        CONTAINS = "contains", "contains"
        HAS_WORD = "has_word", "has any of the words"
        IN_LIST = "in_list", "is one of"
        NOT_IN_LIST = "not_in_list", "is none of"
        GREATER = "greater", "is more than"
        LESS = "less", "is less than"

    label = models.CharField(max_length=100, help_text="What the lead's score says when this rule fires.")
    field = models.CharField(max_length=20, choices=Field.choices)
    attribute_key = models.CharField(
        max_length=100, blank=True, help_text="For a custom attribute: its name (e.g. a CSV column or form question)."
    )
    operator = models.CharField(max_length=20, choices=Operator.choices)
    value = models.TextField(
        blank=True, max_length=5000, help_text="For lists and words: separate them with commas or new lines."
    )
    points = models.IntegerField()
    group = models.CharField(
        max_length=50,
        blank=True,
        help_text="Rules that share a group are exclusive: only the first that matches (top to bottom) counts.",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("on", default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-1000, points__lte=1000), name="fit_rule_points_in_range")
        ]

    def __str__(self) -> str:
        return self.label

    def describe(self) -> str:
        """The condition in words: "Job title has any of the words chief, ceo, cto, … (13)"."""
        subject = f"“{self.attribute_key}”" if self.field == self.Field.ATTRIBUTE else self.get_field_display()
        if self.operator in (self.Operator.IS_SET, self.Operator.IS_BLANK):
            return f"{subject} {self.get_operator_display()}"
        items = [item.strip() for item in self.value.replace("\n", ",").split(",") if item.strip()]
        shown = ", ".join(items[:5]) + (f", … ({len(items)})" if len(items) > 5 else "")
        return f"{subject} {self.get_operator_display()} {shown}"


class EngagementRule(models.Model):
    """What the lead did: points per touchpoint of a kind, counted up to a cap, fading with age."""

    kind = models.CharField(max_length=30, choices=Touchpoint.Kind.choices, unique=True)
    points = models.IntegerField()
    max_count = models.PositiveIntegerField("counted at most", default=1)
    half_life_days = models.PositiveIntegerField(
        "half-life in days",
        null=True,
        blank=True,
        help_text="A touchpoint this old counts half, twice as old a quarter… Empty: it never fades.",
    )
    is_active = models.BooleanField("on", default=True)

    class Meta:
        ordering = ["-points", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-1000, points__lte=1000), name="engagement_rule_points_in_range"
            ),
            models.CheckConstraint(condition=Q(max_count__lte=1000), name="engagement_rule_cap_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.points}"


class ScoringSettings(models.Model):
    """The one row of scoring settings: the MQL bar, the version of the rules, and where a
    captured lead's source comes from (the source is what fit rules and scorecards read)."""

    mql_threshold = models.IntegerField(
        "MQL threshold", null=True, blank=True, help_text="Empty: the LEADFLOW_MQL_THRESHOLD setting."
    )
    source_from = models.CharField(
        "lead source comes from",
        max_length=20,
        choices=SourceFrom.choices,
        default=SourceFrom.CAMPAIGN,
        db_default=SourceFrom.CAMPAIGN,
    )
    # Bumped by every change of rules or threshold; a rescoring run works for one version.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "scoring settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="scoring_settings_single_row")]

    def __str__(self) -> str:
        return f"Scoring v{self.version}"


class RescoreRun(models.Model):
    """Re-scoring every lead after the rules changed, batch by batch, resumable from `last_lead_id`."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SUPERSEDED = "superseded", "Superseded by newer rules"

    version = models.PositiveIntegerField()
    cause = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    last_lead_id = models.BigIntegerField(default=0)
    record_history = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"Rescore v{self.version}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.status != self.Status.RUNNING:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0
