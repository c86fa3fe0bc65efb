"""The dashboard's filters: a GET form, checked against the user's scope, and what it yields."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone

from guards.dates import EARLIEST, DateField
from marketing.models import Campaign, Channel
from sales.models import SalesRep, Team

from .rollups.attribution import MODELS
from .scope import ALL, MANAGER, Scope

PERIODS = [
    ("last_90", "Last 90 days"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_12", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Custom dates"),
]


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    period: str = "last_90"
    team: int | None = None
    rep: int | None = None
    channel: str = ""
    campaign: int | None = None
    model: str = "u_shaped"

    @property
    def key(self) -> str:
        return "|".join(str(value) for value in self.__dict__.values())

    @property
    def narrowed_to_people(self) -> bool:
        return self.team is not None or self.rep is not None

    def query(self, **changes) -> dict:
        """GET parameters that reproduce these filters (with `changes`), for links."""
        values = {**self.__dict__, **changes}
        params = {"period": values["period"], "model": values["model"]}
        if values["period"] == "custom":
            params.update(start=values["start"].isoformat(), end=values["end"].isoformat())
        for name in ("team", "rep", "channel", "campaign"):
            if values[name] not in (None, ""):
                params[name] = values[name]
        return params


def period_dates(period: str, today: date) -> tuple[date, date]:
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if period == "this_quarter":
        return quarter_start, today
    if period == "last_quarter":
        end = quarter_start - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if period == "this_year":
        return date(today.year, 1, 1), today
    if period == "last_12":
        return date(today.year - 1, today.month, 1), today
    if period == "all":
        return EARLIEST, today
    return today - timedelta(days=89), today


class FilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False)
    # Any date LeadFlow takes (guards/dates.py), and the dashboard looks at most a year ahead.
    start = DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    rep = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Salesperson")
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    campaign = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    model = forms.ChoiceField(choices=[(m.key, m.label) for m in MODELS], required=False, label="Attribution")

    def __init__(self, data, *, scope: Scope, options: dict):
        super().__init__(data)
        self.scope = scope
        self.fields["campaign"].choices = [("", "All campaigns"), *options["campaigns"]]
        if scope.kind in (ALL, MANAGER):
            everyone = "All teams"
            self.fields["team"].choices = [("", everyone), *options["teams"]]
            self.fields["rep"].choices = [("", "All salespeople"), *options["reps"]]
        else:
            del self.fields["team"], self.fields["rep"]

    def clean(self):
        data = super().clean()
        period = data.get("period") or ("custom" if data.get("start") or data.get("end") else "last_90")
        today = timezone.localdate()
        if period == "custom":
            start, end = data.get("start") or today - timedelta(days=89), data.get("end") or today
            if start > end:
                self.add_error("end", "The end date is before the start date.")
            elif end > today + timedelta(days=366):
                self.add_error("end", "Choose an end date no later than a year from today.")
        else:
            start, end = period_dates(period, today)
        data.update(period=period, start=start, end=end)
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            period=data["period"],
            team=data.get("team"),
            rep=data.get("rep"),
            channel=data.get("channel") or "",
            campaign=data.get("campaign"),
            model=data.get("model") or "u_shaped",
        )


def filter_options(scope: Scope) -> dict:
    """The choices the filter form offers this user (three small queries)."""
    teams = Team.objects.order_by("name")
    reps = SalesRep.objects.select_related("user").order_by("user__first_name", "user__last_name", "user__username")
    if scope.kind == MANAGER:
        teams = teams.filter(pk__in=scope.team_ids)
        reps = reps.filter(team_id__in=scope.team_ids)
    campaigns = Campaign.objects.order_by("-starts_on", "name").values_list("pk", "name")
    return {
        "teams": list(teams.values_list("pk", "name")) if scope.sees_people else [],
        "reps": [(rep.user_id, rep.user.get_full_name() or rep.user.username) for rep in reps]
        if scope.sees_people
        else [],
        "campaigns": list(campaigns),
    }
