"""Input shape for insights' pages (the rules live in the services they call)."""

from django import forms

from guards.dates import DateField


class CommitmentForm(forms.Form):
    month = DateField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"), input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text="The agreement applies from this month on, until a later one replaces it.",
    )  # fmt: skip
    mqls_per_month = forms.IntegerField(min_value=0, max_value=10_000_000, label="Marketing: MQLs a month")
