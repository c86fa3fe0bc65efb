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

    def managed_by(self, user) -> "SalesRepQuerySet":
        """The reps whose availability `user` may set for them: their teams' (admins: all)."""
        if user.is_superuser:
            return self
        return self.filter(team__manager=user)


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
        permissions = [("configure_pipelines", "Can configure pipelines, stages and lost reasons")]
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
    # The stage's playbook: what the buyer needs, written by marketing (through handoff) and
    # stored here so that sales never reads marketing's tables; exit criteria say when the
    # deal is ready for the next stage.
    buyer_guidance = models.TextField(blank=True)
    exit_criteria = models.TextField(blank=True, default="")

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


class StageAsset(models.Model):
    """A link the playbook says to send the buyer at this stage (case study, ROI sheet…)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="assets")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "url"], name="stage_asset_url_unique_in_stage"),
        ]

    def __str__(self) -> str:
        return self.title


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
        # The team ids as literals, not a join on the team's manager: `owner = me OR
        # team.manager = me` made PostgreSQL scan every deal (100k open deals: 60 ms per
        # query), while `owner = me OR team_id IN (…)` uses the two indexes.
        team_ids = list(Team.objects.filter(manager=user).values_list("pk", flat=True))
        if not team_ids:
            return self.filter(owner=user)
        return self.filter(Q(owner=user) | Q(team_id__in=team_ids))

    def open(self) -> "DealQuerySet":
        return self.filter(closed_at__isnull=True)


class LostReason(models.Model):
    """The managed list a lost deal's reason is chosen from (managers keep it)."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Retired reasons stay for the deals that were lost with them; they are no longer offered.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


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
    # The chosen LostReason's name, copied: handoff reports it to marketing, and renaming
    # or retiring a reason later must not rewrite why past deals were lost.
    lost_reason = models.CharField(max_length=200, blank=True)
    lost_note = models.CharField(max_length=1000, blank=True, default="")
    # Sales' 1–5 verdict on the lead, given when closing; handoff copies it into feedback.
    lead_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Last touch (move, activity, note, asset sent): the board flags deals gone quiet.
    last_activity_at = models.DateTimeField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(lead_rating__isnull=True) | Q(lead_rating__gte=1, lead_rating__lte=5),
                name="deal_lead_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "closed_at"]),
            models.Index(fields=["team", "closed_at"]),
            models.Index(fields=["stage"]),
            # The board's columns: open deals of one stage, soonest expected close first.
            models.Index(
                fields=["stage", "expected_close", "id"],
                condition=Q(closed_at__isnull=True),
                name="deal_open_by_stage",
            ),
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


class AssetSend(models.Model):
    """A playbook asset sent to the buyer of one deal (once per deal and asset)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="asset_sends")
    asset = models.ForeignKey(StageAsset, on_delete=models.CASCADE, related_name="sends")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "asset"], name="asset_sent_once_per_deal"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} sent for deal #{self.deal_id}"


class Activity(models.Model):
    """A call, email, meeting or task on a deal: scheduled with a due time, or logged as done."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        TASK = "task", "Task"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="activities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the one reminder sweep that claimed it (conditional update): one email each.
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["owner", "done_at", "due_at"]),
            models.Index(fields=["deal", "done_at"]),
            models.Index(
                fields=["due_at"],
                condition=Q(done_at__isnull=True, reminded_at__isnull=True),
                name="activity_awaiting_reminder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, now=None) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < (now or timezone.now())


class Note(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:60]
