from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from .. import dedupe, scope
from ..emails import is_placeholder
from .campaigns import Campaign
from .choices import MARKETING_STAGES, Channel, CompanySize, Stage


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeadQuerySet":
        """Marketing and admins see every lead; sales its own (and a manager the team's)."""
        if user.has_perm("marketing.view_all_leads"):
            return self
        return self.filter(scope.leads_seen_by(user))

    def active(self) -> "LeadQuerySet":
        """Leads that are people of their own: not duplicates merged into another lead."""
        return self.filter(merged_into__isnull=True)

    def search(self, text: str) -> "LeadQuerySet":
        """Leads whose email, name or company contains `text`, any case (% and _ are literal)."""
        return self.alias(search_text=search_text()).filter(search_text__contains=text.lower())


# What the lead list searches: one lower-cased text per lead. Written out as SQL so that it
# is exactly the expression of the trigram index (migration 0006, PostgreSQL), which then
# answers LIKE '%term%' without reading every row; and so that bulk writers (COPY) need
# not fill a column for it.
SEARCH_TEXT_SQL = (
    'LOWER("marketing_lead"."email_normalized" || \' \' || "marketing_lead"."first_name" || \' \' || '
    '"marketing_lead"."last_name" || \' \' || "marketing_lead"."company")'
)


def search_text() -> RawSQL:
    return RawSQL(SEARCH_TEXT_SQL, [], output_field=models.TextField())


# Fields whose change moves the duplicate-detection keys (see Lead.save).
KEY_SOURCES = {"email_normalized", "first_name", "last_name", "company", "phone"}


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
    # First touch: the fields above (source, campaign, UTM) plus where the visit began.
    # db_default lets bulk writers (generate_data's COPY) leave the newer columns out.
    first_referrer = models.CharField(max_length=2000, blank=True, default="", db_default="")
    first_landing_page = models.CharField(max_length=2000, blank=True, default="", db_default="")
    # Last touch: moved by every capture, while the first touch never changes.
    last_touch_at = models.DateTimeField(null=True, blank=True)
    last_touch_campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="last_touch_leads"
    )
    last_touch_channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, default="", db_default="")
    last_utm_source = models.CharField(max_length=200, blank=True, default="", db_default="")
    last_utm_medium = models.CharField(max_length=200, blank=True, default="", db_default="")
    last_utm_campaign = models.CharField(max_length=200, blank=True, default="", db_default="")
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
    # First time the lead reached MQL / sales acceptance (or beyond): the campaign funnel
    # counts these on one table instead of walking every lead's stage history.
    qualified_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into another lead is kept (other apps' rows point at it) but
    # leaves every list; its history moved to the lead it was merged into.
    # Duplicate detection (marketing/dedupe.py); written by save(), indexed where not blank.
    phone_key = models.CharField(max_length=20, blank=True, default="", db_default="", editable=False)
    name_key = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    company_key = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    work_domain = models.CharField(max_length=254, blank=True, default="", db_default="", editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_duplicates"
    )
    # e.g. a mixed-script look-alike domain: kept, shown to a human, never auto-merged.
    review_reason = models.CharField(max_length=200, blank=True)
    # Set when the person's data was erased on request (GDPR art. 17): the row stays, with
    # its stage history, dates and outcome, so that counts and revenue stay true; every
    # field that says who they were is blank (marketing/services/subject_rights.py).
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_leads", "Can view every lead"),
            ("qualify_lead", "Can hand a lead to sales"),
            ("import_leads", "Can import leads from CSV files"),
            ("export_leads", "Can export leads to CSV"),
            ("manage_scoring", "Can change the scoring rules and the MQL threshold"),
        ]
        indexes = [
            models.Index(fields=["stage", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["first_touch_campaign", "stage"]),
            models.Index(fields=["scored_at"]),
            # The lead list pages by keyset on (sort key, id): one index per offered sort.
            models.Index(fields=["created_at", "id"], name="lead_created_keyset"),
            models.Index(fields=["score", "id"], name="lead_score_keyset"),
            models.Index(fields=["last_name", "first_name", "id"], name="lead_name_keyset"),
            models.Index(fields=["first_touch_campaign", "created_at", "id"], name="lead_campaign_created"),
            models.Index(fields=["stage", "stage_changed_at"], name="lead_stage_changed"),
            # Duplicate groups: only leads that have the key are indexed.
            models.Index(fields=["phone_key"], name="lead_dup_phone", condition=~Q(phone_key="")),
            models.Index(fields=["name_key", "work_domain"], name="lead_dup_name_domain", condition=~Q(name_key="")),
            models.Index(fields=["name_key", "company_key"], name="lead_dup_name_company", condition=~Q(name_key="")),
            # The few leads a person must look at (marketing/duplicates.py reads them).
            models.Index(fields=["review_reason"], name="lead_needs_review", condition=~Q(review_reason="")),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.refresh_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "phone_key", "name_key", "company_key", "work_domain"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("marketing:lead-detail", args=[self.pk])

    def refresh_keys(self) -> None:
        """Recompute the duplicate-detection keys from the profile (bulk writers call this)."""
        self.phone_key = dedupe.phone_key(self.phone)
        self.name_key = dedupe.name_key(self.first_name, self.last_name)
        self.company_key = dedupe.company_key(self.company)
        self.work_domain = dedupe.work_domain(self.email_normalized)

    @property
    def is_editable_by_marketing(self) -> bool:
        """Marketing edits a lead until it is handed to sales (and again once sent back)."""
        return self.stage in MARKETING_STAGES or self.stage == Stage.DISQUALIFIED

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return f"Erased person (lead #{self.pk})"
        return f"{self.first_name} {self.last_name}".strip() or self.display_email or self.external_label

    @property
    def has_real_email(self) -> bool:
        return not is_placeholder(self.email_normalized)

    @property
    def display_email(self) -> str:
        """The address to show and export; empty for an imported row that had none."""
        return self.email if self.has_real_email else ""

    @property
    def external_label(self) -> str:
        """How an imported row without an email is known: the ID it had in its file."""
        return self.email_normalized.rpartition("@")[0]

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
