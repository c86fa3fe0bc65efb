from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .choices import Channel


class CampaignQuerySet(models.QuerySet):
    def overlapping(self, first_day, last_day) -> "CampaignQuerySet":
        """Campaigns running on at least one day of [first_day, last_day] (open-ended ones included)."""
        return self.filter(starts_on__lte=last_day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day))


class Campaign(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty for an always-on campaign.")
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    utm_campaign = models.SlugField(
        "UTM key", max_length=100, unique=True, help_text="The utm_campaign value that identifies it."
    )
    description = models.TextField(blank=True)
    goal_leads = models.PositiveIntegerField("target leads", null=True, blank=True)
    goal_mqls = models.PositiveIntegerField("target MQLs", null=True, blank=True)
    goal_revenue = models.DecimalField("target revenue", max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(goal_revenue__isnull=True) | Q(goal_revenue__gte=0),
                name="campaign_goal_revenue_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:campaign-detail", args=[self.pk])

    def clean(self) -> None:
        # Named on the field, so forms show it there (the check constraint says it again).
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The campaign cannot end before it starts."})

    def is_running_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class CampaignSpend(models.Model):
    """One dated amount spent on a campaign (an invoice, a day of ads, a booth fee)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spend_entries")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="campaign_spend_not_negative")]
        indexes = [models.Index(fields=["campaign", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.amount} on {self.spent_on:%Y-%m-%d}"
