"""What every dashboard page does first: who is asking, and which filters they chose."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from ..filters import FilterForm, Filters, filter_options
from ..rollups.attribution import MODELS
from ..scope import Scope, scope_for


@dataclass
class Request:
    scope: Scope
    form: FilterForm
    options: dict

    @property
    def filters(self) -> Filters | None:
        return self.form.filters() if self.form.is_valid() else None


def read(request) -> Request:
    """The user's scope (403 without one) and the filter form bound to the query string."""
    scope = scope_for(request.user)
    options = filter_options(scope)
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = "custom" if data.get("start") or data.get("end") else "last_90"
    if not data.get("model"):
        data["model"] = "u_shaped"
    form = FilterForm(data, scope=scope, options=options)
    if form.is_valid() and form.cleaned_data["period"] != "custom":
        # Show the period's own dates, greyed out: they are edited by choosing "Custom dates".
        for name in ("start", "end"):
            form.fields[name].disabled = True
            form.initial[name] = form.cleaned_data[name]
    return Request(scope, form, options)


def link(name: str, filters: Filters | None = None, **extra) -> str:
    """A dashboard URL carrying the current filters plus `extra` parameters."""
    params = filters.query() if filters else {}
    for key, value in extra.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return f"{reverse(name)}?{urlencode(params)}"


def model_label(key: str) -> str:
    return next((model.label for model in MODELS if model.key == key), key)
