from datetime import time
from zoneinfo import available_timezones

from django import forms

from marketing.models import Campaign, Channel, CompanySize

from ..models import RejectionRule
from ..models.settings import WEEKDAYS

_ZONES = sorted(available_timezones() - {"Factory", "localtime"})
TIME_ZONE_CHOICES = [(zone, zone.replace("_", " ")) for zone in _ZONES]


def _split(text: str) -> list[str]:
    """A comma-separated list as typed ("Germany, Austria") → ["Germany", "Austria"]."""
    return [item.strip() for item in text.split(",") if item.strip()]


class ListField(forms.CharField):
    """Comma-separated values; each at most 100 characters, at most 50 of them."""

    def to_python(self, value):
        items = _split(super().to_python(value) or "")
        if len(items) > 50:
            raise forms.ValidationError("Give at most 50 values.")
        if any(len(item) > 100 for item in items):
            raise forms.ValidationError("Each value is at most 100 characters.")
        return items

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class RoutingRuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    team = forms.ModelChoiceField(queryset=None, empty_label=None, help_text="Leads matching the rule go here.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    countries = ListField(required=False, max_length=5000, help_text="Comma-separated, e.g. Germany, Austria.")
    industries = ListField(required=False, max_length=5000, help_text="Comma-separated; any of them matches.")
    company_sizes = forms.MultipleChoiceField(
        choices=CompanySize.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Company sizes"
    )
    sources = forms.MultipleChoiceField(choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), required=False, empty_label="Any campaign",
        label="First-touch campaign",
    )  # fmt: skip
    min_score = forms.IntegerField(required=False, min_value=-10_000, max_value=10_000, label="Score at least")
    max_score = forms.IntegerField(required=False, min_value=-10_000, max_value=10_000, label="Score at most")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and high < low:
            self.add_error("max_score", "The highest score must not be below the lowest.")
        return data

    def rule_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "is_active": data["is_active"],
            "countries": data["countries"],
            "industries": data["industries"],
            "company_sizes": data["company_sizes"],
            "sources": data["sources"],
            "campaign_id": data["campaign"].pk if data["campaign"] else None,
            "min_score": data["min_score"],
            "max_score": data["max_score"],
        }


class TeamSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label="Working days"
    )
    day_starts = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Day starts")
    day_ends = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Day ends",
        help_text="00:00 means midnight; 00:00 to 00:00 on every day is around the clock.",
    )  # fmt: skip
    sla_minutes = forms.IntegerField(
        min_value=1, max_value=60 * 24 * 14, label="Time to answer (working minutes)",
        help_text="Counted only inside the working hours above.",
    )  # fmt: skip
    sla_target_percent = forms.IntegerField(
        min_value=1, max_value=100, label="Target: offers answered in time (%)",
        help_text="The share of offers the team aims to answer within that time, from 1 to 100.",
    )  # fmt: skip
    max_open_offers = forms.IntegerField(
        min_value=1, max_value=1000, required=False, label="Open offers per rep at most",
        help_text="Leave empty for no cap. A rep at the cap is skipped until they answer one.",
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        starts, ends = data.get("day_starts"), data.get("day_ends")
        if starts is not None and ends is not None and ends != time(0) and ends <= starts:
            self.add_error("day_ends", "The day must end after it starts (00:00 means midnight).")
        return data


class RejectionRuleForm(forms.Form):
    action = forms.ChoiceField(choices=RejectionRule.Action.choices)
    cooldown_days = forms.IntegerField(min_value=0, max_value=3650, label="Cool-down (days)")
