"""`manage.py seed_demo` guards: DEBUG only (unless forced), and all or nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from handoff.models import Handoff
from marketing.models import Lead, Touchpoint
from sales.models import Deal
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed_demo(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Lead, Touchpoint, Deal, Handoff, User)}


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed_demo()
    assert not User.objects.filter(username="maria").exists()


def test_a_failure_half_way_leaves_nothing_behind(settings):
    settings.DEBUG = True
    # A campaign with the newsletter's UTM key makes the seed fail after users were created.
    factories.CampaignFactory(utm_campaign="newsletter")
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        seed_demo()
    assert row_counts() == before
