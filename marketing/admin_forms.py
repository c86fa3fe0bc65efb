"""The admin's lead form settings: the same choices the form's page offers."""

from django import forms

from .models import Lead, LeadForm
from .models.lead_forms import STANDARD_FIELDS

_CHOICES = [(name, Lead._meta.get_field(name).verbose_name.capitalize()) for name in STANDARD_FIELDS]


class StandardFieldsField(forms.MultipleChoiceField):
    """Lead fields by name, kept in the order forms show them (as the form's page saves them)."""

    def __init__(self, **kwargs):
        super().__init__(choices=_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)

    def clean(self, value) -> list[str]:
        chosen = set(super().clean(value))
        return [name for name in STANDARD_FIELDS if name in chosen]


class LeadFormAdminForm(forms.ModelForm):
    # A list of names, not free JSON: anything else would reach the model's checks as a
    # string or a number (and a number made LeadForm.clean raise a TypeError, a 500).
    fields = StandardFieldsField(label="Asks for")
    required_fields = StandardFieldsField(label="Requires")

    class Meta:
        model = LeadForm
        fields = ["campaign", "fields", "required_fields"]
