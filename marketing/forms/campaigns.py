from datetime import date
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import slugify

from guards.dates import DateField

from ..models import Campaign, CampaignSpend, Channel
from ..services.campaigns import CAMPAIGN_FIELDS, MAX_AMOUNT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def marketers():
    """People who may own a campaign: whoever may edit campaigns."""
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename="change_campaign",
                groups__permissions__content_type__app_label="marketing",
            )
        )
        .filter(is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.username


class CampaignForm(forms.ModelForm):
    owner = OwnerChoiceField(queryset=marketers(), required=False, empty_label="Nobody yet")

    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)  # what the service may change, and nothing else
        field_classes = {"starts_on": DateField, "ends_on": DateField}
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "utm_campaign": "Visits tagged with this utm_campaign value count for the campaign. "
            "Leave empty to make one from the name.",
            "budget": "What you plan to spend, in your reporting currency.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = marketers()
        self.fields["utm_campaign"].required = False
        self.fields["budget"].min_value = 0
        for name in ("budget", "goal_revenue"):
            self.fields[name].widget.attrs.update(min="0", step="0.01")
            self.fields[name].validators.append(_not_negative)
        for name in ("goal_leads", "goal_mqls"):
            self.fields[name].widget.attrs["min"] = "0"

    def clean_utm_campaign(self) -> str:
        return self.cleaned_data["utm_campaign"].strip().lower()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the campaign a name.")
        return name

    def clean(self):
        data = super().clean()
        if not data.get("utm_campaign") and data.get("name"):
            data["utm_campaign"] = _free_key(slugify(data["name"])[:90] or "campaign", exclude=self.instance.pk)
        return data


def _not_negative(value) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError("Must be 0 or more.")


def _free_key(base: str, *, exclude: int | None) -> str:
    taken = set(
        Campaign.objects.filter(utm_campaign__startswith=base)
        .exclude(pk=exclude)
        .values_list("utm_campaign", flat=True)
    )
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


class CampaignFilterForm(forms.Form):
    """The campaign list's filters (GET); anything invalid is a 400 naming the filter."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Campaign.Status.choices])
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    owner = OwnerChoiceField(queryset=marketers(), required=False, empty_label="Any owner")
    running_from = DateField(required=False, widget=DATE, label="Running from")
    running_to = DateField(required=False, widget=DATE, label="to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = marketers()

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("running_from"), data.get("running_to")
        if start and end and end < start:
            self.add_error("running_to", "The end of the range is before its start.")
        return data

    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def filter(self, campaigns):
        data = self.cleaned_data
        if data["q"]:
            campaigns = campaigns.filter(Q(name__icontains=data["q"]) | Q(utm_campaign__icontains=data["q"]))
        if data["status"]:
            campaigns = campaigns.filter(status=data["status"])
        if data["channel"]:
            campaigns = campaigns.filter(channel=data["channel"])
        if data["owner"]:
            campaigns = campaigns.filter(owner=data["owner"])
        if data["running_from"] or data["running_to"]:
            campaigns = campaigns.overlapping(data["running_from"] or date.min, data["running_to"] or date.max)
        return campaigns


class SpendForm(forms.ModelForm):
    class Meta:
        model = CampaignSpend
        fields = ["spent_on", "amount", "note"]
        field_classes = {"spent_on": DateField}
        widgets = {"spent_on": DATE}
        labels = {"spent_on": "Date"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        amount = self.fields["amount"]
        amount.min_value = Decimal(0)
        amount.max_value = MAX_AMOUNT
        amount.validators += [_not_negative]
        amount.widget.attrs.update(min="0", step="0.01")
        self.fields["note"].widget.attrs["placeholder"] = "Invoice, ad account, booth fee…"


class SpendImportForm(forms.Form):
    file = forms.FileField(
        label="Spend CSV",
        help_text="Columns: date (YYYY-MM-DD), amount, and an optional note. At most 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
