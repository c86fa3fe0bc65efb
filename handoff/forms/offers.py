from django import forms
from django.conf import settings

from ..models import RejectionReason

RATING_CHOICES = [("", "No rating")] + [(str(n), f"{n} / 5") for n in range(1, 6)]


class AcceptForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label="Lead quality"
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason…"), *RejectionReason.choices])
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    original_email = forms.CharField(
        max_length=254,
        required=False,
        label="Original lead's email",
        help_text="For Duplicate: the lead to merge into.",
    )
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label="Lead quality"
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == RejectionReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why, when the reason is Other.")
        if data.get("original_email", "").strip() and data.get("reason") not in (None, RejectionReason.DUPLICATE):
            self.add_error("original_email", "Name an original lead only when rejecting a duplicate.")
        return data


class OffersDueForm(forms.Form):
    hours = forms.IntegerField(min_value=1, max_value=72, required=False)

    def hours_or_default(self) -> int:
        return self.cleaned_data.get("hours") or settings.LEADFLOW_OFFERS_DUE_HOURS
