"""The shared date range (guards/dates.py), and properties of every date parser at LeadFlow's edges:
whatever is typed, the answer is a date inside the range or a ValidationError, never a crash."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from guards.dates import EARLIEST, DateField, DateTimeField, bounds_message, in_range, latest, validate_date
from marketing.forms.leads import LeadFilterForm
from marketing.models import Lead
from marketing.services.campaigns import parse_date

# No example database on disk (.hypothesis/): CI starts clean, and the shrunk example is printed.
PROPERTY = settings(deadline=None, max_examples=300, database=None)

# The calendar's edges (where arithmetic overflows) and the range's own, then any day at all.
days = st.one_of(
    st.sampled_from([datetime.date.min, datetime.date.max, datetime.date(1999, 12, 31), datetime.date(2000, 1, 1)]),
    st.dates(min_value=datetime.date(9999, 1, 1)),
    st.dates(max_value=datetime.date(1, 12, 31)),
    st.dates(min_value=datetime.date(1999, 12, 1), max_value=datetime.date(2000, 1, 31)),
    st.dates(),
)
# What people and scripts type into a date: real dates of any year, near misses, and junk.
typed_dates = st.one_of(
    days.map(datetime.date.isoformat),
    days.map(lambda day: day.strftime("%d.%m.%Y")),
    days.map(lambda day: day.strftime("%Y/%m/%d")),
    st.from_regex(r"\A[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}\Z"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z"),
    st.text(max_size=30),
)
moments = st.builds(datetime.datetime.combine, days, st.times())
typed_moments = st.one_of(
    moments.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    moments.map(datetime.datetime.isoformat),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?\Z"),
    st.text(max_size=30),
)


def test_the_range_runs_from_2000_to_ten_years_after_today():
    today = datetime.date(2026, 3, 14)
    assert (EARLIEST, latest(today)) == (datetime.date(2000, 1, 1), datetime.date(2036, 3, 14))
    assert bounds_message(today) == "Choose a date from 1 January 2000 to 14 March 2036."


def test_ten_years_after_a_29th_of_february_is_the_28th():
    assert latest(datetime.date(2028, 2, 29)) == datetime.date(2038, 2, 28)


@pytest.mark.parametrize(
    ("value", "inside"),
    [
        (datetime.date(1999, 12, 31), False),
        (datetime.date(2000, 1, 1), True),
        (datetime.date.max, False),
        (datetime.date.min, False),
        (datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-12))), False),
        (datetime.datetime(2001, 1, 1, 0, 0), True),
    ],
)
def test_in_range_takes_dates_and_date_times_without_converting_time_zones(value, inside):
    assert in_range(value, today=datetime.date(2026, 3, 14)) is inside


@PROPERTY
@given(days)
def test_a_date_is_valid_exactly_when_it_lies_in_the_range(day):
    if EARLIEST <= day <= latest():
        validate_date(day)
    else:
        with pytest.raises(ValidationError, match=bounds_message()):
            validate_date(day)


@PROPERTY
@given(typed_dates)
def test_a_bounded_date_field_answers_a_date_in_range_or_a_validation_error(text):
    field = DateField(required=False, input_formats=["%Y-%m-%d", "%Y-%m"])
    try:
        value = field.clean(text)
    except ValidationError:
        return
    assert value is None or in_range(value)


@PROPERTY
@given(typed_moments)
def test_a_bounded_date_time_field_answers_a_moment_in_range_or_a_validation_error(text):
    try:
        value = DateTimeField(required=False).clean(text)
    except ValidationError:
        return
    if value is not None:
        assert in_range(value)
        value.astimezone(datetime.UTC)  # what the database driver does with it: no overflow


@PROPERTY
@given(typed_dates)
def test_a_spend_file_date_is_a_date_in_range_or_a_reason(text):
    try:
        day = parse_date(text)
    except ValidationError as error:
        assert error.messages[0]
        return
    assert in_range(day)


@pytest.mark.django_db
@PROPERTY
@given(created_from=typed_dates, created_to=typed_dates)
def test_the_lead_filter_either_refuses_its_dates_or_builds_its_query(created_from, created_to):
    """Building the query computes the day after `created_to`: that is where 9999-12-31 overflowed."""
    filters = LeadFilterForm({"created_from": created_from, "created_to": created_to})
    if filters.is_valid():
        str(filters.filter(Lead.objects.all()).query)
    else:
        assert set(filters.errors) <= {"created_from", "created_to"}


def test_the_date_picker_is_told_the_range_in_the_format_of_its_input_type():
    today = timezone.localdate()

    class Dates(forms.Form):
        day = DateField(widget=forms.DateInput(attrs={"type": "date"}))
        month = DateField(widget=forms.DateInput(attrs={"type": "month"}))
        due = DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        plain = DateField()

    widgets = {name: field.widget.attrs for name, field in Dates().fields.items()}
    last = latest(today)
    assert (widgets["day"]["min"], widgets["day"]["max"]) == ("2000-01-01", last.isoformat())
    assert (widgets["month"]["min"], widgets["month"]["max"]) == ("2000-01", last.strftime("%Y-%m"))
    assert (widgets["due"]["min"], widgets["due"]["max"]) == ("2000-01-01T00:00", f"{last.isoformat()}T23:59")
    assert "min" not in widgets["plain"]


def _classes_below(base) -> set:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub, *_classes_below(sub)}
    return found


def _our_classes(base) -> list:
    """Every subclass of `base` defined in LeadFlow's apps (each module of theirs imported first)."""
    for app in ("marketing", "sales", "handoff", "leadflow"):
        for module in pkgutil.walk_packages(importlib.import_module(app).__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    ours = ("marketing.", "sales.", "handoff.", "leadflow.")
    return sorted((cls for cls in _classes_below(base) if cls.__module__.startswith(ours)), key=str)


def test_every_date_field_of_every_form_takes_only_the_shared_range():
    """An inventory: a date input added later without the guard fails here, naming it."""
    unguarded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _our_classes(forms.BaseForm)
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField) and validate_date not in field.validators
    ]
    assert unguarded == []


def test_every_date_the_api_takes_is_in_the_shared_range():
    unguarded = [
        f"{serializer.__module__}.{serializer.__name__}.{name}"
        for serializer in _our_classes(serializers.Serializer)
        for name, field in serializer().fields.items()
        if isinstance(field, serializers.DateField | serializers.DateTimeField)
        and not field.read_only
        and validate_date not in field.validators
    ]
    assert unguarded == []
