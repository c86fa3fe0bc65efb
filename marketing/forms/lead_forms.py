"""Marketers' side of a campaign's form: what it asks, says and does after a submit."""

from django import forms

from ..models import STANDARD_FIELDS, FormQuestion, LeadForm
from .capture import STANDARD_FIELD_SPECS


class LeadFormSettingsForm(forms.ModelForm):
    """The form's wording and behaviour, plus an ask/require pair of boxes per standard field."""

    class Meta:
        model = LeadForm
        fields = [
            "headline",
            "intro",
            "submit_label",
            "consent_text",
            "consent_required",
            "thank_you_text",
            "redirect_url",
            "is_open",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 2}),
            "consent_text": forms.Textarea(attrs={"rows": 2}),
            "thank_you_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead_form = self.instance
        for name in STANDARD_FIELDS:
            label = STANDARD_FIELD_SPECS[name]().label
            self.fields[f"ask_{name}"] = forms.BooleanField(
                required=False, label=f"Ask for {label.lower()}", initial=name in lead_form.fields
            )
            self.fields[f"require_{name}"] = forms.BooleanField(
                required=False, label=f"{label} is required", initial=name in lead_form.required_fields
            )
        self.fields["headline"].widget.attrs["placeholder"] = lead_form.campaign.name

    def standard_rows(self):
        """(label, ask field, require field) per standard field, for the table of fields."""
        return [
            (STANDARD_FIELD_SPECS[name]().label, self[f"ask_{name}"], self[f"require_{name}"])
            for name in STANDARD_FIELDS
        ]

    def clean(self):
        data = super().clean()
        for name in STANDARD_FIELDS:
            if data.get(f"require_{name}") and not data.get(f"ask_{name}"):
                self.add_error(f"require_{name}", "A field the form does not ask for cannot be required.")
        return data

    def settings_data(self) -> dict:
        """What services.save_form_settings takes."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.Meta.fields},
            "fields": [name for name in STANDARD_FIELDS if data.get(f"ask_{name}")],
            "required_fields": [name for name in STANDARD_FIELDS if data.get(f"require_{name}")],
        }


class QuestionForm(forms.ModelForm):
    class Meta:
        model = FormQuestion
        fields = ["label", "kind", "choices", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3, "placeholder": "One option per line"})}
        labels = {"label": "Question", "kind": "Answer type", "required": "An answer is required"}

    def clean(self):
        data = super().clean()
        options = [line for line in data.get("choices", "").splitlines() if line.strip()]
        if data.get("kind") == FormQuestion.Kind.CHOICE and len(options) < 2:
            self.add_error("choices", "Give at least two options, one per line.")
        return data

    def _post_clean(self):
        # The key and form are set by the service; validate only what was typed here.
        pass
