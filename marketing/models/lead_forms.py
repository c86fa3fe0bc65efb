from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .campaigns import Campaign

DEFAULT_CONSENT_TEXT = "Yes, send me news and offers by email. I can unsubscribe at any time."

# The lead fields a form may ask for, in the order forms show them (email is always asked).
STANDARD_FIELDS = ("first_name", "last_name", "company", "title", "phone", "country", "industry", "company_size")
DEFAULT_FIELDS = ["first_name", "last_name", "company", "title", "phone", "country"]


class LeadForm(models.Model):
    """What a campaign's public form asks, says and does after a submit.

    A campaign without one uses the defaults (LeadForm.defaults_for), so every campaign
    has a working hosted form from the moment it exists.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="lead_form")
    headline = models.CharField(max_length=200, blank=True, help_text="Defaults to the campaign's name.")
    intro = models.TextField(blank=True, max_length=2000, help_text="A sentence or two above the fields.")
    fields = models.JSONField(default=list, blank=True)  # names from STANDARD_FIELDS, in order
    required_fields = models.JSONField(default=list, blank=True)
    consent_text = models.TextField(
        "consent wording",
        blank=True,
        max_length=1000,
        default=DEFAULT_CONSENT_TEXT,
        help_text="Shown beside the checkbox and stored, word for word, with each lead who ticks it. "
        "Leave empty to ask for no consent.",
    )
    consent_required = models.BooleanField("consent is required to submit", default=False)
    # Bumped whenever the wording changes, so a lead's consent names the version it saw.
    consent_version = models.PositiveIntegerField(default=1)
    submit_label = models.CharField("button text", max_length=40, default="Send")
    thank_you_text = models.TextField(
        blank=True, max_length=2000, help_text="Shown after a submit. Defaults to a short thank-you."
    )
    redirect_url = models.URLField(
        "redirect to",
        blank=True,
        max_length=500,
        help_text="Send visitors to this page after a submit instead (http or https).",
    )
    is_open = models.BooleanField("accepting submissions", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Form of {self.campaign}"

    @classmethod
    def defaults_for(cls, campaign: Campaign) -> "LeadForm":
        """The unsaved form a campaign uses until someone edits it."""
        return cls(campaign=campaign, fields=list(DEFAULT_FIELDS), required_fields=[])

    def clean(self) -> None:
        unknown = [name for name in [*self.fields, *self.required_fields] if name not in STANDARD_FIELDS]
        if unknown:
            raise ValidationError({"fields": f"Unknown fields: {', '.join(unknown)}"})
        if not set(self.required_fields) <= set(self.fields):
            raise ValidationError({"required_fields": "Only fields the form asks for can be required."})
        if self.redirect_url and not self.redirect_url.startswith(("https://", "http://")):
            raise ValidationError({"redirect_url": "Use an http or https address."})
        if self.consent_required and not self.consent_text.strip():
            raise ValidationError({"consent_text": "Write the consent wording, or don't require consent."})

    @property
    def title(self) -> str:
        return self.headline or self.campaign.name

    @property
    def consent_source(self) -> str:
        return f"Web form: {self.campaign.name} (wording v{self.consent_version})"


class FormQuestion(models.Model):
    """A campaign-specific question; the answer is stored on the lead as a custom attribute."""

    class Kind(models.TextChoices):
        TEXT = "text", "Short answer"
        LONG_TEXT = "long_text", "Paragraph"
        CHOICE = "choice", "One of a list"
        YES_NO = "yes_no", "Yes / no"

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=200)
    key = models.SlugField(
        max_length=60, help_text="Name of the custom attribute the answer is stored under (made from the label)."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, max_length=2000, help_text="For “One of a list”: one option per line.")
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="one_question_per_key_per_form"),
            models.CheckConstraint(condition=~Q(label=""), name="question_has_a_label"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind == self.Kind.CHOICE and len(self.options) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})
