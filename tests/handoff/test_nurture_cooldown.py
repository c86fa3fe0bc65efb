"""The marketing side of recycling: a cool-down during which a lead cannot qualify again."""

import datetime

import pytest
from django.utils import timezone

from marketing import services
from marketing.errors import StageChangeNotAllowed
from marketing.models import Lead, Stage
from tests import factories


def recycled(cooldown_days: int) -> Lead:
    lead = factories.capture()
    services.qualify_lead(lead_id=lead.pk)
    return services.recycle_lead(lead_id=lead.pk, reason="Bad timing", cooldown_days=cooldown_days)


@pytest.mark.django_db
def test_recycling_with_a_cooldown_sets_when_nurture_ends():
    before = timezone.now()
    lead = recycled(30)
    lead.refresh_from_db()
    assert lead.stage == Stage.RECYCLED
    assert before + datetime.timedelta(days=30) <= lead.nurture_until <= timezone.now() + datetime.timedelta(days=30)


@pytest.mark.django_db
def test_a_lead_in_its_cooldown_cannot_be_handed_to_sales_again():
    lead = recycled(30)
    with pytest.raises(StageChangeNotAllowed, match="cool-down"):
        services.qualify_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.stage, lead.stage_changes.filter(stage=Stage.MQL).count()) == (Stage.RECYCLED, 1)


@pytest.mark.django_db
def test_after_the_cooldown_the_lead_can_be_handed_to_sales_again():
    lead = recycled(30)
    Lead.objects.filter(pk=lead.pk).update(nurture_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.qualify_lead(lead_id=lead.pk).stage == Stage.MQL


@pytest.mark.django_db
def test_recycling_without_a_cooldown_leaves_no_nurture_date():
    lead = recycled(0)
    lead.refresh_from_db()
    assert lead.nurture_until is None
    assert services.qualify_lead(lead_id=lead.pk).stage == Stage.MQL


@pytest.mark.django_db
def test_scoring_does_not_qualify_a_lead_in_its_cooldown(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 20
    lead = factories.capture()
    Lead.objects.filter(pk=lead.pk).update(nurture_until=timezone.now() + datetime.timedelta(days=1))
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.stage, lead.score) == (Stage.LEAD, 20)


@pytest.mark.django_db
def test_a_negative_cooldown_is_refused_and_changes_nothing():
    lead = factories.capture()
    services.qualify_lead(lead_id=lead.pk)
    with pytest.raises(ValueError):
        services.recycle_lead(lead_id=lead.pk, reason="x", cooldown_days=-1)
    lead.refresh_from_db()
    assert (lead.stage, lead.recycle_count) == (Stage.MQL, 0)
