"""Import forms: the upload, and the column mapping with its options."""

from django import forms
from django.conf import settings

from ..imports import TARGETS
from ..models import Campaign, Channel, LeadImport
from .leads import CampaignChoiceField


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    campaign = CampaignChoiceField(
        queryset=Campaign.objects.none(), required=False, empty_label="No campaign", label="Campaign (optional)"
    )
    source = forms.ChoiceField(choices=Channel.choices, initial=Channel.OTHER, label="Source of these leads")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-starts_on", "name")
        self.fields["file"].help_text = (
            f"Up to {settings.LEADFLOW_IMPORT_MAX_MB} MB. Comma, semicolon or tab separated; UTF-8 or Latin-1; "
            "the first row names the columns."
        )


class MappingForm(forms.ModelForm):
    """One select per column of the file, plus the import's options."""

    campaign = CampaignChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="No campaign")

    class Meta:
        model = LeadImport
        fields = ["empty_values", "id_namespace", "campaign", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-starts_on", "name")
        for index, header in enumerate(self.instance.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                choices=TARGETS, label=header, initial=self.instance.mapping.get(header, "attribute")
            )

    def columns(self):
        """(header, its select, sample values) per column, for the mapping table."""
        sample = self.instance.sample
        return [
            (header, self[f"col_{index}"], [row[index] if index < len(row) else "" for row in sample[:3]])
            for index, header in enumerate(self.instance.headers)
        ]

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[f"col_{index}"] for index, header in enumerate(self.instance.headers)}
