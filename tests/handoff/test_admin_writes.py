"""Handoff in the Django admin is read-only: handoffs, offers and feedback move only through the seam's
services (which move the lead and the deal with them), the settings only on handoff's own pages.
A forged POST changes, adds or deletes nothing."""

import datetime

import pytest
from django.urls import reverse

from handoff import services
from handoff.models import Commitment, Feedback, Handoff, Offer, RejectionRule, RoutingRule, RoutingSlot, TeamSettings
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import rule, team_hours
from tests.leadflow.admin_pages import links

pytestmark = pytest.mark.django_db


@pytest.fixture
def seam(rep, manager, admin_user):
    """One row of each model: a handoff accepted with a rating, and every kind of setting."""
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep, rating=4)
    team_hours(rep.sales_rep.team, manager=manager)
    rule(rep.sales_rep.team, manager=manager, name="EMEA")
    services.save_rejection_rule(reason="bad_fit", by=manager, action="disqualify", cooldown_days=0)
    services.save_commitment(by=admin_user, month=datetime.date(2026, 3, 1), mqls_per_month=120)
    return Handoff.objects.get(pk=handoff.pk)


def snapshot() -> dict:
    models = [Handoff, Offer, Feedback, RoutingSlot, TeamSettings, RoutingRule, RejectionRule, Commitment]
    return {model.__name__: sorted(model.objects.values_list()) for model in models}


@pytest.mark.parametrize("model", [Handoff, Offer, Feedback, RoutingSlot, TeamSettings, RoutingRule, RejectionRule,
                                   Commitment], ids=lambda model: model.__name__)  # fmt: skip
def test_a_forged_admin_post_writes_nothing_of_handoffs_rows(admin_user, seam, other_team, model):
    admin = logged_in(admin_user)
    some = model.objects.first()
    name = f"admin:handoff_{model._meta.model_name}"
    before = snapshot()
    # What a person would change: the team a handoff or a rule goes to, an offer's state…
    forged = {"team": other_team.pk, "state": "accepted", "assignee": admin_user.pk, "rating": 1,
              "current": 99, "sla_minutes": 1, "action": "nurture", "mqls_per_month": 1, "_save": "Save"}  # fmt: skip

    assert admin.post(reverse(f"{name}_add"), forged).status_code == 403
    assert admin.post(reverse(f"{name}_change", args=[some.pk]), forged).status_code == 403
    assert admin.post(reverse(f"{name}_delete", args=[some.pk]), {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_the_handoff_page_in_the_admin_offers_no_save_and_no_add(admin_user, seam):
    admin = logged_in(admin_user)
    changelist = admin.get(reverse("admin:handoff_handoff_changelist"))
    assert not any(text.startswith("Add") for text in links(changelist))
    page = admin.get(links(changelist)[str(seam.pk)])
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
