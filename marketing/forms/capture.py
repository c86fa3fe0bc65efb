"""The public form a visitor fills in, built from the campaign's form settings.

Only the fields built here can ever reach a lead: whatever else a post carries (stage,
score, owner…) is ignored.
"""

from django import forms
from django.core.exceptions import ValidationError

from ..emails import check_typed, normalize_email
from ..models import DEFAULT_CONSENT_TEXT, CompanySize, FormQuestion, LeadForm
from ..services import UTM_FIELDS, Capture
from ..spam import HONEYPOT

__all__ = ["DEFAULT_CONSENT_TEXT", "STANDARD_FIELD_SPECS", "CaptureForm"]


def _text(label: str, max_length: int, autocomplete: str, input_type: str = "text") -> forms.CharField:
    attrs = {"autocomplete": autocomplete}
    if input_type != "text":
        attrs["type"] = input_type
    return forms.CharField(label=label, max_length=max_length, widget=forms.TextInput(attrs=attrs))


# name → a function making the form field; labels are what visitors read.
STANDARD_FIELD_SPECS = {
    "first_name": lambda: _text("First name", 100, "given-name"),
    "last_name": lambda: _text("Last name", 100, "family-name"),
    "company": lambda: _text("Company", 200, "organization"),
    "title": lambda: _text("Job title", 150, "organization-title"),
    "phone": lambda: _text("Phone", 50, "tel", "tel"),
    "country": lambda: _text("Country", 100, "country-name"),
    "industry": lambda: _text("Industry", 100, "off"),
    "company_size": lambda: forms.ChoiceField(label="Company size", choices=[("", "Choose…"), *CompanySize.choices]),
}
WIDE = {"email", "company", "country"}  # fields that take the whole row of the form grid


def _question_field(question: FormQuestion) -> forms.Field:
    kind = FormQuestion.Kind
    if question.kind == kind.LONG_TEXT:
        return forms.CharField(label=question.label, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    if question.kind == kind.CHOICE:
        options = [(option, option) for option in question.options]
        return forms.ChoiceField(label=question.label, choices=[("", "Choose…"), *options])
    if question.kind == kind.YES_NO:
        return forms.ChoiceField(label=question.label, choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    return forms.CharField(label=question.label, max_length=500)


class CaptureForm(forms.Form):
    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    # Where the visitor came from, carried from the page view to the submit.
    utm_source = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_medium = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_term = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_content = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    referrer = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    landing_page = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lead_form: LeadForm, questions: list[FormQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_form = lead_form
        self.questions = questions
        for name in lead_form.fields:
            field = STANDARD_FIELD_SPECS[name]()
            field.required = name in lead_form.required_fields
            self.fields[name] = field
        for question in questions:
            field = _question_field(question)
            field.required = question.required
            self.fields[f"q_{question.key}"] = field
        if lead_form.consent_text.strip():
            self.fields["consent"] = forms.BooleanField(
                required=lead_form.consent_required,
                label=lead_form.consent_text,
                error_messages={"required": "Tick the box to agree, or we cannot take your details."},
            )
        visible = ["email", *lead_form.fields, *(f"q_{q.key}" for q in questions)]
        self.order_fields([*visible, "consent"])

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"]
        try:
            check_typed(normalize_email(raw))
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return raw

    def layout(self) -> list[tuple[forms.BoundField, bool]]:
        """The visible fields (consent aside) with whether each takes a whole row."""
        rows = []
        for bound in self.visible_fields():
            if bound.name == "consent":
                continue
            wide = bound.name in WIDE or bound.name.startswith("q_")
            rows.append((bound, wide))
        return rows

    def to_capture(self, *, campaign) -> Capture:
        data = self.cleaned_data
        answers = {q.key: data[f"q_{q.key}"] for q in self.questions if data.get(f"q_{q.key}") not in (None, "")}
        consented = bool(data.get("consent"))
        details = {}
        if answers:
            details["answers"] = {q.label: answers[q.key] for q in self.questions if q.key in answers}
        if consented:
            details["consent_version"] = self.lead_form.consent_version
        return Capture(
            email=data["email"],
            **{name: data.get(name, "") for name in self.lead_form.fields},
            campaign=campaign,
            utm={name: data[name] for name in UTM_FIELDS},
            referrer=data["referrer"],
            landing_page=data["landing_page"],
            consent_text=self.lead_form.consent_text if consented else "",
            consent_source=self.lead_form.consent_source,
            attributes=answers,
            details=details,
        )


def honeypot_filled(data) -> bool:
    return bool(data.get(HONEYPOT, "").strip())
