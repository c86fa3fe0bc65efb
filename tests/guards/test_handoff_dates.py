"""Handoff's date inputs take the range every app shares (guards/dates.py): the two-sided SLA's
commitment month and the dashboard's custom dates."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from guards.dates import bounds_message
from handoff.models import Commitment
from tests.conftest import logged_in
from tests.marketing import pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """The dashboard caches its answers: a private cache, so no other test's answer is read."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"guards-{uuid.uuid4()}"}
    }


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12"])
def test_a_commitment_for_a_month_outside_the_range_is_refused_and_not_saved(marketer, month):
    client = logged_in(marketer)
    page = reverse("insights:agreement")
    form = pages.form_with_button(client.get(page), "Save commitment")
    response = client.post(form.action or page, form.data(month=month, mqls_per_month="40"))
    assert response.status_code == 400
    assert bounds_message() in response.text
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(("field", "day"), [("end", "9999-12-31"), ("start", "0001-01-01"), ("end", "1999-12-31")])
def test_a_custom_dashboard_date_outside_the_range_is_a_400_on_that_date(manager, field, day):
    client = logged_in(manager)
    filters = pages.form_with_button(client.get(reverse("dashboard:overview")), "Apply")
    response = client.get(filters.action, filters.data(period="custom", **{field: day}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [bounds_message()]


def test_a_custom_dashboard_period_ends_at_most_a_year_ahead(manager):
    client = logged_in(manager)
    filters = pages.form_with_button(client.get(reverse("dashboard:overview")), "Apply")
    two_years_on = timezone.localdate() + datetime.timedelta(days=2 * 366)
    response = client.get(filters.action, filters.data(period="custom", end=two_years_on.isoformat()))
    assert response.status_code == 400
    assert response.context["form"].errors == {"end": ["Choose an end date no later than a year from today."]}
