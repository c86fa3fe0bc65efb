from django import forms
from django.core.exceptions import ValidationError

from ..emails import normalize_email
from ..services import UTM_FIELDS, Capture

DEFAULT_CONSENT_TEXT = "Yes, send me news and offers by email. I can unsubscribe at any time."


def _text(autocomplete: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete})


class CaptureForm(forms.Form):
    """The public form a visitor fills in. Only these fields can ever reach a lead."""

    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(max_length=100, required=False, widget=_text("given-name"))
    last_name = forms.CharField(max_length=100, required=False, widget=_text("family-name"))
    company = forms.CharField(max_length=200, required=False, widget=_text("organization"))
    title = forms.CharField(label="Job title", max_length=150, required=False, widget=_text("organization-title"))
    phone = forms.CharField(
        max_length=50, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    country = forms.CharField(max_length=100, required=False, widget=_text("country-name"))
    consent = forms.BooleanField(required=False, label=DEFAULT_CONSENT_TEXT)
    # Where the visitor came from, carried from the page view to the submit.
    utm_source = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_medium = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_term = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    utm_content = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    referrer = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    landing_page = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"]
        try:
            normalize_email(raw)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return raw

    def to_capture(self, *, campaign) -> Capture:
        data = self.cleaned_data
        return Capture(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            company=data["company"],
            title=data["title"],
            phone=data["phone"],
            country=data["country"],
            campaign=campaign,
            utm={name: data[name] for name in UTM_FIELDS},
            referrer=data["referrer"],
            landing_page=data["landing_page"],
            consent_text=DEFAULT_CONSENT_TEXT if data["consent"] else "",
            consent_source=f"Web form: {campaign.name}",
        )
