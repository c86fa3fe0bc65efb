"""The one range of dates LeadFlow takes in, from a page, the API or a file.

**1 January 2000 … today + 10 years**, for every date and date-time anyone types.

- Nothing LeadFlow records happened before 2000: it holds the campaigns, leads and deals of a
  business running now (the dashboard's "All time" starts there too).
- No plan reaches further than ten years: a campaign's end, a deal's expected close, a
  rep's "away until", a due date. A later year is a typo (9999, 20266), not a plan.
- Inside these bounds date arithmetic cannot overflow: 9999-12-31 plus one day (the end of a
  "captured to" filter) raised OverflowError, a 500; year 1 broke time-zone conversions. And
  a year always has the four digits `<input type="date">` expects.

Filters (lists, exports, reports) take the same range: no data lies outside it, so a date
outside it is a mistake worth a 400 that says so, not an empty page.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10
CODE = "date_out_of_range"


def latest(today: date | None = None) -> date:
    """The last day anyone may enter: `today` (the site's today by default) ten years on."""
    today = today or timezone.localdate()
    year = today.year + YEARS_AHEAD
    return today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)


def _spelled(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def bounds_message(today: date | None = None) -> str:
    return f"Choose a date from {_spelled(EARLIEST)} to {_spelled(latest(today))}."


def in_range(value: date | datetime, today: date | None = None) -> bool:
    """Whether `value` falls within the bounds (a date-time by its own calendar day: no time-zone
    conversion, which is what overflows at the edges of the calendar)."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= latest(today)


def validate_date(value: date | datetime | None) -> None:
    """A validator for form fields, model fields and DRF fields alike (DRF turns Django's
    ValidationError into a 400 on the field)."""
    if value is not None and not in_range(value):
        raise ValidationError(bounds_message(), code=CODE)


_PICKER_FORMATS = {"date": "%Y-%m-%d", "month": "%Y-%m", "datetime-local": "%Y-%m-%dT%H:%M"}


def _picker_bounds(widget) -> dict:
    """min/max for the browser's date picker, in the format its input type reads.

    Computed when the form class is built: after a long uptime the picker's max trails the
    real one by that uptime (it is only ever tighter); the server's check uses today.
    """
    pattern = _PICKER_FORMATS.get(widget.attrs.get("type", getattr(widget, "input_type", "")))
    if pattern is None:
        return {}
    first, last = datetime.combine(EARLIEST, datetime.min.time()), datetime.combine(latest(), datetime.min.time())
    if pattern.endswith("%M"):
        last = last.replace(hour=23, minute=59)
    return {"min": first.strftime(pattern), "max": last.strftime(pattern)}


class DateField(forms.DateField):
    """A form DateField that refuses a date outside EARLIEST … latest() with a message that says
    the range, and tells the browser's date picker the same range."""

    default_validators = [validate_date]

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), **_picker_bounds(widget)}


class DateTimeField(forms.DateTimeField):
    """DateField's twin for date-times (`<input type="datetime-local">`)."""

    default_validators = [validate_date]

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), **_picker_bounds(widget)}
