from django import forms

from .models import RejectionReason

RATING_CHOICES = [("", "No rating")] + [(str(n), f"{n} / 5") for n in range(1, 6)]


class AcceptForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label="Lead quality"
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason…"), *RejectionReason.choices])
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label="Lead quality"
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == RejectionReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why, when the reason is Other.")
        return data
