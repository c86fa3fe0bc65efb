from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


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
    ends_on = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    utm_campaign = models.SlugField(
        "UTM key", max_length=100, unique=True, help_text="The utm_campaign value that identifies it."
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeadQuerySet":
        if user.has_perm("marketing.view_all_leads"):
            return self
        return self.filter(owner=user)


class Lead(models.Model):
    class Outcome(models.TextChoices):
        WON = "won", "Won"
        LOST = "lost", "Lost"

    # As typed (for display) and normalized (the identity): see marketing/emails.py.
    email = models.CharField(max_length=254)
    email_normalized = models.CharField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.CharField(max_length=10, choices=CompanySize.choices, blank=True)
    source = models.CharField(max_length=20, choices=Channel.choices, default=Channel.DIRECT)
    first_touch_campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="first_touch_leads"
    )
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=200, blank=True)
    consent_text = models.TextField(blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField()
    score = models.IntegerField(default=0)
    score_reasons = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    recycle_count = models.PositiveIntegerField(default=0)
    # Set when sales recycles the lead with a cool-down: no re-qualification before it.
    nurture_until = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    # e.g. a mixed-script look-alike domain: kept, shown to a human, never auto-merged.
    review_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_leads", "Can view every lead"),
            ("qualify_lead", "Can hand a lead to sales"),
        ]
        indexes = [
            models.Index(fields=["stage", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["first_touch_campaign", "stage"]),
            models.Index(fields=["scored_at"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("marketing:lead-detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def is_marketings(self) -> bool:
        return self.stage in MARKETING_STAGES

    def in_cooldown(self, now) -> bool:
        return self.nurture_until is not None and now < self.nurture_until


class LeadStageChange(models.Model):
    """One stay of a lead in a stage: entered, and exited when it moved on."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    entered_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(exited_at__isnull=True), name="one_open_stage_per_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.entered_at:%Y-%m-%d %H:%M}"


class Touchpoint(models.Model):
    class Kind(models.TextChoices):
        FORM_SUBMIT = "form_submit", "Form submitted"
        API = "api", "Captured by API"
        IMPORT = "import", "Imported"
        PAGE_VIEW = "page_view", "Page view"
        EMAIL_OPEN = "email_open", "Email opened"
        EMAIL_CLICK = "email_click", "Email clicked"
        WEBINAR = "webinar", "Webinar attended"
        EVENT = "event", "Event attended"
        CONTENT_DOWNLOAD = "content_download", "Content downloaded"
        MEETING_REQUEST = "meeting_request", "Meeting requested"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touchpoints")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    occurred_at = models.DateTimeField()
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    landing_page = models.CharField(max_length=2000, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["lead", "occurred_at"]),
            models.Index(fields=["campaign", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
