import unicodedata

from django import forms

from marketing.models import Lead


def confirmation_of(lead: Lead) -> tuple[str, str]:
    """What the operator must type to erase `lead`, and how the field asks for it."""
    if lead.has_real_email:
        return lead.email, "Type the person's email address to confirm"
    return lead.external_label, "Type the lead's import ID to confirm"


def confirms(typed: str, expected: str) -> bool:
    """Any case, surrounding spaces and full-width forms: the same address confirms."""
    return _folded(typed) == _folded(expected) != ""


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class EraseForm(forms.Form):
    """The confirmation step: the operator types who they are erasing, so a slip of the
    mouse on the wrong lead cannot erase anyone."""

    confirm = forms.CharField(max_length=254)

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected, self.fields["confirm"].label = confirmation_of(lead)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"]
        if not confirms(value, self.expected):
            raise forms.ValidationError("That does not match this person: nothing was erased.")
        return value
