from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SalesRepQuerySet(models.QuerySet):
    def available(self, *, on=None) -> "SalesRepQuerySet":
        """Reps who may get a new offer: active, and not away on that day."""
        today = on or timezone.localdate()
        # An absence with an end date ends by itself: nobody has to flip the status back
        # for the rep to get offers again the day after `away_until`.
        present = Q(status=SalesRep.Status.ACTIVE) | Q(status=SalesRep.Status.AWAY, away_until__isnull=False)
        return self.filter(present, user__is_active=True).exclude(away_until__gte=today)


class SalesRep(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        AWAY = "away", "Away"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_rep")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reps")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    away_until = models.DateField(null=True, blank=True)
    routing_weight = models.PositiveSmallIntegerField(
        default=1, help_text="Share of new offers relative to teammates (2 = twice as many)."
    )

    objects = SalesRepQuerySet.as_manager()

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [
            models.CheckConstraint(condition=Q(routing_weight__gte=1), name="rep_routing_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class Pipeline(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    probability = models.PositiveSmallIntegerField(help_text="Chance of winning, in percent.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OPEN)
    # What the buyer needs at this stage, written by marketing and shown to sales here so
    # that sales never reads marketing's tables.
    buyer_guidance = models.TextField(blank=True)

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique_in_pipeline"),
            models.UniqueConstraint(fields=["pipeline", "slug"], name="stage_slug_unique_in_pipeline"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_is_a_percent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class StageTransition(models.Model):
    """The explicit table of allowed deal moves in a pipeline."""

    from_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="transitions_out")
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="transitions_in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_stage", "to_stage"], name="stage_transition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class DealQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DealQuerySet":
        """Own deals; a manager also sees the deals of the teams they manage."""
        if user.is_superuser:
            return self
        return self.filter(Q(owner=user) | Q(team__manager=user))

    def open(self) -> "DealQuerySet":
        return self.filter(closed_at__isnull=True)


class Deal(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    title = models.CharField(max_length=200)
    # Sales' own copy of the contact: sales has no key to marketing's lead.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    company = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    expected_close = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    brief = models.JSONField(default=dict, blank=True, help_text="What marketing knew at handoff.")
    # Optimistic lock: every write bumps it; a write based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("reopen_deal", "Can reopen a closed deal"),
            ("reassign_deal", "Can change a deal's owner"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["owner", "closed_at"]),
            models.Index(fields=["team", "closed_at"]),
            models.Index(fields=["stage"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sales:deal-detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class DealStageChange(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage} at {self.changed_at:%Y-%m-%d %H:%M}"
