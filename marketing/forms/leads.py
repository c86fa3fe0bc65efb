"""The lead list's filters and bulk actions, the lead page's edit form, and merging."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from guards.dates import DateField
from guards.ids import parse_id

from .. import slots
from ..models import Campaign, Channel, Lead, Stage, Touchpoint
from ..paging import Sort
from ..services.leads import BULK_LIMIT
from .campaigns import DATE

SORTS = {
    "newest": Sort("Newest first", ("created_at",), descending=True),
    "oldest": Sort("Oldest first", ("created_at",), descending=False),
    "score": Sort("Highest score", ("score",), descending=True),
    "score_low": Sort("Lowest score", ("score",), descending=False),
    "name": Sort("Name A–Z", ("last_name", "first_name"), descending=False),
}
NO_OWNER = "none"


def salespeople():
    """Users who can own a lead: the ones leads are handed to (the joining app names their
    permission through marketing/slots.py)."""
    app_label, codename = slots.permission("lead-owner-permission")
    return (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, campaign) -> str:
        return campaign.name


class LeadFilterForm(forms.Form):
    """The lead list's filters (GET). An invalid value is a 400 that names the filter."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Stage.choices])
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *Channel.choices])
    campaign = CampaignChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="Any campaign")
    owner = forms.ChoiceField(required=False, label="Owner")
    score_min = forms.IntegerField(required=False, label="Score from", min_value=-100_000, max_value=100_000)
    score_max = forms.IntegerField(required=False, label="Score to", min_value=-100_000, max_value=100_000)
    # Bounded (guards/dates.py): the day after 9999-12-31 was an OverflowError, a 500.
    created_from = DateField(required=False, widget=DATE, label="Captured from")
    created_to = DateField(required=False, widget=DATE, label="Captured to")
    sort = forms.ChoiceField(required=False, choices=[(key, sort.label) for key, sort in SORTS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-starts_on", "name")
        owners = [(str(user.pk), user.get_full_name() or user.username) for user in salespeople()]
        self.fields["owner"].choices = [("", "Any owner"), (NO_OWNER, "Marketing (no owner)"), *owners]
        for name in ("score_min", "score_max"):
            self.fields[name].widget.attrs.update(placeholder="—", inputmode="numeric")

    def clean_q(self) -> str:
        # Forms and the API refuse NUL, so no lead holds one; PostgreSQL would 500 on it.
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean(self):
        data = super().clean()
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and high < low:
            self.add_error("score_max", "The top of the score range is below its bottom.")
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", "The end of the date range is before its start.")
        return data

    @property
    def sort_order(self) -> Sort:
        key = self.cleaned_data.get("sort") if self.is_bound and hasattr(self, "cleaned_data") else ""
        return SORTS[key or "newest"]

    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields if name != "sort")

    def filter(self, leads):
        data = self.cleaned_data
        if data["q"]:
            leads = leads.search(data["q"])
        for name in ("stage", "source"):
            if data[name]:
                leads = leads.filter(**{name: data[name]})
        if data["campaign"]:
            leads = leads.filter(first_touch_campaign=data["campaign"])
        if data["owner"] == NO_OWNER:
            leads = leads.filter(owner__isnull=True)
        elif data["owner"]:
            leads = leads.filter(owner_id=int(data["owner"]))
        if data["score_min"] is not None:
            leads = leads.filter(score__gte=data["score_min"])
        if data["score_max"] is not None:
            leads = leads.filter(score__lte=data["score_max"])
        if data["created_from"]:
            leads = leads.filter(created_at__gte=_start_of(data["created_from"]))
        if data["created_to"]:
            leads = leads.filter(created_at__lt=_start_of(data["created_to"], next_day=True))
        return leads


def _start_of(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1 if next_day else 0), time.min)
    return timezone.make_aware(moment)


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("qualify", "Hand to sales now"),
        ("disqualify", "Disqualify"),
        ("touch", "Add a touchpoint"),
        ("renurture", "Back to nurture"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], label="Leads")
    reason = forms.CharField(required=False, max_length=300, label="Why disqualify")
    kind = forms.ChoiceField(required=False, choices=[("", "Touchpoint…"), *Touchpoint.Kind.choices])
    campaign = CampaignChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="No campaign")
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-starts_on", "name")

    def clean_ids(self) -> list[int]:
        # An id too large for any row names no lead, like any other unknown id.
        return [pk for pk in self.cleaned_data["ids"] if parse_id(str(pk))]

    def full_clean(self):
        # Any whole number is a valid choice here; the service skips leads that don't exist.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(value, value) for value in raw if str(value).isdigit()]
        super().full_clean()

    def clean(self):
        data = super().clean()
        ids = data.get("ids") or []
        if len(ids) > BULK_LIMIT:
            self.add_error("ids", f"Choose at most {BULK_LIMIT} leads at a time.")
        if data.get("action") == "disqualify" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why these leads are disqualified.")
        if data.get("action") == "touch" and not data.get("kind"):
            self.add_error("kind", "Choose what the leads did.")
        return data


class LeadEditForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["first_name", "last_name", "company", "title", "phone", "country", "industry", "company_size"]
        labels = {"title": "Job title"}


class DisqualifyForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why")


class MergeForm(forms.Form):
    keep = forms.IntegerField(label="Keep this lead")
    duplicate = forms.IntegerField(label="Merge this lead into it")

    def clean(self):
        data = super().clean()
        if data.get("keep") is not None and data.get("keep") == data.get("duplicate"):
            raise forms.ValidationError("Choose two different leads.")
        return data
