"""A campaign's public form: what it asks and says. Capturing itself is in capture.py."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ..models import Campaign, FormQuestion, LeadForm

SETTINGS_FIELDS = (
    "headline",
    "intro",
    "consent_text",
    "consent_required",
    "submit_label",
    "thank_you_text",
    "redirect_url",
    "is_open",
)
MAX_QUESTIONS = 20


def form_of(campaign: Campaign) -> LeadForm:
    """The campaign's form settings, or the unsaved defaults every campaign starts with."""
    try:
        return campaign.lead_form
    except LeadForm.DoesNotExist:
        return LeadForm.defaults_for(campaign)


def _locked_form(campaign_id: int) -> LeadForm:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    lead_form = LeadForm.objects.filter(campaign=campaign).first()
    if lead_form is None:
        lead_form = LeadForm.defaults_for(campaign)
        lead_form.save()
    return lead_form


def save_form_settings(*, campaign_id: int, fields: list[str], required_fields: list[str], **settings) -> LeadForm:
    """Change what the form asks and says; new consent wording gets a new version number."""
    unknown = set(settings) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not form settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        lead_form = _locked_form(campaign_id)
        if "consent_text" in settings and settings["consent_text"].strip() != lead_form.consent_text.strip():
            lead_form.consent_version += 1
        for name, value in settings.items():
            setattr(lead_form, name, value.strip() if isinstance(value, str) else value)
        lead_form.fields = list(fields)
        lead_form.required_fields = [name for name in required_fields if name in fields]
        lead_form.full_clean()
        lead_form.save()
    return lead_form


def add_question(*, campaign_id: int, label: str, kind: str, choices: str = "", required: bool = False) -> FormQuestion:
    """Ask one more question; its answers land on leads under a key made from the label."""
    with transaction.atomic():
        lead_form = _locked_form(campaign_id)
        existing = list(lead_form.questions.values_list("key", "position"))
        if len(existing) >= MAX_QUESTIONS:
            raise ValidationError({"label": f"A form asks at most {MAX_QUESTIONS} questions."})
        base = slugify(label)[:50] or "question"
        taken = {key for key, _ in existing}
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        question = FormQuestion(
            form=lead_form,
            label=label.strip(),
            key=key,
            kind=kind,
            choices=choices.strip(),
            required=required,
            position=max((position for _, position in existing), default=0) + 1,
        )
        question.full_clean()
        question.save()
    return question


def remove_question(*, campaign_id: int, question_id: int) -> bool:
    """Stop asking a question (answers already given stay on the leads)."""
    deleted, _ = FormQuestion.objects.filter(pk=question_id, form__campaign_id=campaign_id).delete()
    return bool(deleted)
