"""What managers configure: how each team takes offers, where leads go, what a rejection does;
and marketing's side of the two-sided SLA (the MQLs it commits to a month)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketing.models import Campaign, Lead
from sales.models import Team

from ..workhours import WorkingHours
from .handoffs import RejectionReason

WEEKDAYS = [("0", "Mon"), ("1", "Tue"), ("2", "Wed"), ("3", "Thu"), ("4", "Fri"), ("5", "Sat"), ("6", "Sun")]
# The target of a team that has not set one (and the dashboard's old hard-coded line).
DEFAULT_TARGET_PERCENT = 90


def day_ranges(days: Iterable[int]) -> str:
    """Weekdays in words, runs of three or more as a range: {0, 1, 2, 3, 4, 6} → "Mon–Fri, Sun"."""
    names, runs = dict(WEEKDAYS), []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[str(run[0])]}–{names[str(run[-1])]}")
        else:
            parts.extend(names[str(day)] for day in run)
    return ", ".join(parts)


@dataclass(frozen=True)
class Sla:
    """A team's service level — the one definition the clock and every page read.

    `minutes` of working time (inside `hours`) to answer an offer, and the share of offers
    the team aims to answer within them (`target_percent`). `configured` is False for a
    team with no settings row: around the clock, LEADFLOW_OFFER_SLA_MINUTES, the default target.
    """

    minutes: int
    target_percent: int
    hours: WorkingHours
    max_open_offers: int | None = None
    configured: bool = True

    @property
    def hours_label(self) -> str:
        """The days and hours in words, e.g. "Mon, Tue 09:00–17:00 Europe/Berlin", or "around the clock"."""
        hours = self.hours
        if hours.is_around_the_clock:
            return "around the clock"
        return f"{day_ranges(hours.days)} {hours.starts:%H:%M}–{hours.ends:%H:%M} {str(hours.zone).replace('_', ' ')}"

    @classmethod
    def default(cls) -> "Sla":
        return cls(
            minutes=settings.LEADFLOW_OFFER_SLA_MINUTES,
            target_percent=DEFAULT_TARGET_PERCENT,
            hours=WorkingHours.around_the_clock(),
            configured=False,
        )


class TeamSettingsQuerySet(models.QuerySet):
    def slas(self, team_ids: Iterable[int]) -> dict[int, "Sla"]:
        """Each team's SLA, in one query; a team without settings gets the defaults."""
        team_ids = set(team_ids)
        found = {config.team_id: config.sla() for config in self.filter(team_id__in=team_ids)}
        return {team_id: found.get(team_id) or Sla.default() for team_id in team_ids}

    def sla_of(self, team_id: int | None) -> "Sla":
        return self.slas([team_id])[team_id] if team_id else Sla.default()


class TeamSettings(models.Model):
    """How one sales team takes offers: working hours and time zone, SLA and its target, offer cap.

    A team without a row works around the clock with LEADFLOW_OFFER_SLA_MINUTES and no cap
    (Sla.default). Read it through `TeamSettings.objects.slas()`: the inbox clock, the SLA
    report, the two-sided SLA and the dashboard's target all do.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    time_zone = models.CharField(max_length=64, default="UTC")
    working_days = models.CharField(max_length=7, default="01234", help_text="Weekday digits, Monday = 0.")
    day_starts = models.TimeField(default=time(9))
    # 00:00 means midnight at the end of the day (00:00–00:00 is around the clock).
    day_ends = models.TimeField(default=time(17))
    sla_minutes = models.PositiveIntegerField(default=240, help_text="Working minutes to accept or reject.")
    sla_target_percent = models.PositiveSmallIntegerField(
        default=DEFAULT_TARGET_PERCENT, help_text="Share of offers the team aims to answer within the SLA (%)."
    )
    max_open_offers = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Open offers a rep may hold at once; empty = no cap."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TeamSettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "team settings"
        constraints = [
            models.CheckConstraint(condition=Q(sla_minutes__gte=1), name="team_sla_at_least_a_minute"),
            models.CheckConstraint(
                condition=Q(sla_target_percent__gte=1, sla_target_percent__lte=100), name="team_sla_target_is_a_percent"
            ),
            models.CheckConstraint(
                condition=Q(day_ends__gt=models.F("day_starts")) | Q(day_ends=time(0)),
                name="team_day_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=Q(max_open_offers__gte=1), name="team_offer_cap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.sla_minutes} min SLA for {self.sla_target_percent}%"

    def sla(self) -> Sla:
        return Sla(
            minutes=self.sla_minutes,
            target_percent=self.sla_target_percent,
            hours=self.working_hours(),
            max_open_offers=self.max_open_offers,
        )

    def working_hours(self) -> WorkingHours:
        return WorkingHours.of(
            time_zone=self.time_zone,
            days={int(day) for day in self.working_days},
            starts=self.day_starts,
            ends=self.day_ends,
        )

    @property
    def weekday_labels(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names[day] for day in self.working_days)


class RoutingRule(models.Model):
    """Leads matching every filled-in condition go to `team`; rules are tried in order.

    An empty condition matches anything; a list condition matches any of its values.
    """

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    countries = models.JSONField(default=list, blank=True)
    industries = models.JSONField(default=list, blank=True)
    company_sizes = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    # A rule that names a campaign keeps it: deleting it would make the rule match all.
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    min_score = models.IntegerField(null=True, blank=True)
    max_score = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__isnull=True)
                | Q(max_score__isnull=True)
                | Q(max_score__gte=models.F("min_score")),
                name="routing_rule_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, lead: Lead) -> bool:
        checks = (
            (self.countries, lead.country),
            (self.industries, lead.industry),
        )
        for wanted, value in checks:
            if wanted and value.strip().casefold() not in {item.casefold() for item in wanted}:
                return False
        if self.company_sizes and lead.company_size not in self.company_sizes:
            return False
        if self.sources and lead.source not in self.sources:
            return False
        if self.campaign_id and lead.first_touch_campaign_id != self.campaign_id:
            return False
        if self.min_score is not None and lead.score < self.min_score:
            return False
        return self.max_score is None or lead.score <= self.max_score


class RejectionRule(models.Model):
    """What a rejection for one reason does to the lead (defaults in handoff/recycling.py)."""

    class Action(models.TextChoices):
        NURTURE = "nurture", "Back to nurture"
        DISQUALIFY = "disqualify", "Disqualify"
        DUPLICATE = "duplicate", "Merge as duplicate"

    reason = models.CharField(max_length=20, choices=RejectionReason.choices, unique=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    cooldown_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days before the lead may be handed to sales again."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reason"]
        constraints = [
            models.CheckConstraint(condition=Q(cooldown_days__lte=3650), name="rejection_cooldown_at_most_ten_years"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.get_action_display()}"


class Commitment(models.Model):
    """Marketing's side of the two-sided SLA from a month on: the MQLs it delivers a month.

    Sales' side is each team's SLA (TeamSettings: working minutes and target share), the
    one definition the inbox clock uses too; it used to be copied here (migration 0006).
    """

    starts_on = models.DateField(unique=True, help_text="The first day of the month it applies from.")
    mqls_per_month = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"From {self.starts_on:%B %Y}: {self.mqls_per_month} MQLs"
