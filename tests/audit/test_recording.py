"""What the audit log records: people's changes field by field, every delete; never system writes."""

import json
import secrets
import uuid
from decimal import Decimal

import pytest
from celery import shared_task
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from handoff import roles
from handoff import services as handoff_services
from handoff.models import Handoff
from leadflow.audit import recording
from leadflow.audit.models import AuditEntry
from marketing.models import Campaign, FitRule, Lead
from marketing.services import campaigns as campaign_services
from marketing.services import scoring_rules
from sales import services as sales_services
from sales.models import Deal, SalesRep
from tests import factories
from tests.conftest import logged_in
from tests.marketing.visitors import submit
from tests.sales.helpers import open_deal_for, stage

pytestmark = pytest.mark.django_db

AUDIT_MIDDLEWARE = "leadflow.audit.middleware.AuditMiddleware"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Capture's rate-limit counters and form nonces in a cache of this test's own.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def as_posted(campaign: Campaign, **changes) -> dict:
    """The campaign's edit form exactly as the page fills it in, with `changes`."""
    if campaign.pk:
        campaign.refresh_from_db()
    return {
        "name": campaign.name,
        "channel": campaign.channel,
        "status": campaign.status,
        "owner": campaign.owner_id or "",
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
        "budget": str(campaign.budget),
        "goal_leads": campaign.goal_leads or "",
        "goal_mqls": campaign.goal_mqls or "",
        "goal_revenue": campaign.goal_revenue or "",
        "utm_campaign": campaign.utm_campaign,
        "description": campaign.description,
        **changes,
    }


def edit(client: Client, campaign: Campaign, **changes):
    return client.post(reverse("marketing:campaign-edit", args=[campaign.pk]), as_posted(campaign, **changes))


# --- people's changes -------------------------------------------------------------------------


def test_a_marketer_editing_a_campaign_records_who_and_exactly_the_fields_changed(marketer, campaign):
    response = edit(logged_in(marketer), campaign, budget="7500", status=Campaign.Status.PAUSED)
    assert response.status_code == 303
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_label, entry.action) == (marketer, "maria", AuditEntry.Action.CHANGED)
    assert (entry.content_type.model_class(), entry.object_id, entry.object_repr) == (
        Campaign,
        str(campaign.pk),
        "Forecasting webinar",
    )
    assert entry.changes == {"status": ["Active", "Paused"], "budget": ["5000.00", "7500.00"]}
    assert entry.source == f"POST /marketing/campaigns/{campaign.pk}/edit/"


def test_saving_a_campaign_unchanged_records_nothing(marketer, campaign):
    assert edit(logged_in(marketer), campaign).status_code == 303
    assert not AuditEntry.objects.exists()


def test_creating_a_campaign_records_its_first_values(marketer):
    plan = Campaign(name="Launch", channel="webinar", status="planned", starts_on=timezone.localdate(), budget=100)
    data = as_posted(plan, owner=marketer.pk, utm_campaign="launch")
    response = logged_in(marketer).post(reverse("marketing:campaign-create"), data)
    assert response.status_code in (302, 303)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_repr) == (marketer, AuditEntry.Action.CREATED, "Launch")
    assert entry.changes["name"] == ["", "Launch"]
    assert entry.changes["owner"] == ["", "maria"]  # a key is shown by what it points at


def test_a_rep_moving_a_deal_on_the_board_records_the_stage_move_by_the_rep(rep):
    deal = open_deal_for(rep, title="Initech")
    response = logged_in(rep).post(
        reverse("sales:board-move", args=[deal.pk]),
        {"stage": stage("qualification").pk, "version": deal.version},
        headers={"HX-Request": "true", "HX-Target": "board"},
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_repr) == (rep, AuditEntry.Action.CHANGED, "Initech")
    # Not `version`, `last_activity_at` or `updated_at`: they move with every write.
    assert entry.changes == {"stage": ["Discovery", "Qualification"]}


def test_an_api_edit_is_recorded_by_the_user_drf_authenticated_inside_the_view(rep):
    deal = open_deal_for(rep)
    client = APIClient()
    client.force_authenticate(rep)  # no session: the middleware sees an anonymous request
    response = client.patch(
        reverse("sales-api:deal-detail", args=[deal.pk]), {"amount": "12500.00"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.changes) == (rep, {"amount": ["0.00", "12500.00"]})


def test_group_membership_and_passwords_are_recorded_without_the_secret(admin_user, rep):
    request = RequestFactory().post("/admin/auth/user/")
    request.user = admin_user
    with recording.serving(request):
        rep.groups.add(Group.objects.get(name=roles.SALES_MANAGERS))
        rep.set_password("a new and long passphrase")
        rep.save()
    membership, password = AuditEntry.objects.order_by("id")
    assert (membership.actor, membership.object_repr) == (admin_user, "sam")
    assert membership.changes == {"groups": ["Sales", "Sales, Sales managers"]}
    assert password.changes == {"password": ["(hidden)", "(hidden)"]}
    assert rep.password not in json.dumps([password.changes, password.object_repr])


# --- deletes ----------------------------------------------------------------------------------


@pytest.fixture
def fit_rule(db) -> FitRule:
    return scoring_rules.save_fit_rule(label="Chiefs", field="title", operator="contains", value="chief", points=10)


def test_a_marketer_deleting_a_fit_rule_is_recorded_with_what_it_said(marketer, fit_rule):
    response = logged_in(marketer).post(reverse("marketing:fit-rule-delete", args=[fit_rule.pk]))
    assert response.status_code in (200, 302, 303)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_repr) == (marketer, AuditEntry.Action.DELETED, "Chiefs")
    assert entry.changes["label"] == ["Chiefs", ""]
    assert entry.changes["points"] == ["10", ""]


@shared_task
def delete_fit_rule(rule_id: int) -> None:
    scoring_rules.delete_fit_rule(rule_id=rule_id)


# A real transaction: leadflow.celery closes the connection around each task, which would
# end a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_a_delete_with_nobody_signed_in_is_recorded_as_the_systems_naming_the_task(fit_rule):
    delete_fit_rule.apply(args=[fit_rule.pk])  # run by Celery's tracer, in this process
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_label, entry.action) == (None, "", AuditEntry.Action.DELETED)
    assert entry.source == "task:tests.audit.test_recording.delete_fit_rule"


# --- erasure -----------------------------------------------------------------------------------


def test_erasing_a_person_strips_their_data_from_the_log_but_keeps_who_changed_what(marketer, rep):
    lead = factories.capture("ada@analytical.example", first_name="Ada", last_name="Lovelace")
    edited = logged_in(marketer).post(
        reverse("marketing:lead-edit", args=[lead.pk]), {"first_name": "Augusta", "last_name": "Lovelace"}
    )
    assert edited.status_code == 303
    handoff = factories.offered(lead)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    deal = Handoff.objects.get(pk=handoff.pk).deal
    client = APIClient()
    client.force_authenticate(rep)
    body = {"contact_phone": "+44 20 7946 0000"}
    url, version = reverse("sales-api:deal-detail", args=[deal.pk]), f'"{deal.version}"'
    assert client.patch(url, body, format="json", HTTP_IF_MATCH=version).status_code == 200
    before = {(e.actor_id, e.content_type_id, e.object_id, tuple(e.changes)) for e in AuditEntry.objects.all()}
    assert "Augusta" in json.dumps(list(AuditEntry.objects.values("object_repr", "changes")))

    handoff_services.erase_subject(lead_id=lead.pk, by=marketer)  # no request: nothing new recorded

    entries = list(AuditEntry.objects.values("object_repr", "changes"))
    for personal in ("Ada", "Augusta", "Lovelace", "analytical", "7946"):
        assert personal not in json.dumps(entries, ensure_ascii=False)
    after = {(e.actor_id, e.content_type_id, e.object_id, tuple(e.changes)) for e in AuditEntry.objects.all()}
    assert after == before  # who changed which field of what, and when, stays
    assert AuditEntry.objects.get(actor=marketer).changes == {"first_name": ["(erased)", "(erased)"]}


# --- system writes ------------------------------------------------------------------------------


def test_system_writes_with_no_request_record_nothing(marketer, rep, campaign):
    # What a Celery task does: the same services, with nobody signed in.
    campaign_services.update_campaign(campaign_id=campaign.pk, by=marketer, budget=Decimal("1"))
    sales_services.set_availability(user_id=rep.pk, status=SalesRep.Status.AWAY)
    deal = open_deal_for(rep)
    sales_services.move_deal(deal_id=deal.pk, to_stage_id=stage("qualification").pk, by=rep, expected_version=1)
    assert Campaign.objects.get().budget == Decimal("1")
    assert Deal.objects.get().stage.slug == "qualification"
    assert not AuditEntry.objects.exists()


@pytest.fixture
def without_audit(settings):
    """Switches the audit log off entirely: no middleware, no signal receivers."""

    def switch_off() -> None:
        settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != AUDIT_MIDDLEWARE]
        for model in recording.audited_models():
            for signal in (pre_save, post_save, post_delete):
                assert signal.disconnect(sender=model, dispatch_uid=f"audit:{model._meta.label}")

    yield switch_off
    recording.connect()


def test_an_anonymous_capture_records_nothing_and_costs_no_query(campaign, without_audit):
    def queries_to_capture(email: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert submit(campaign, email=email).status_code == 302
        return len(queries)

    def new_then_returning(email: str) -> tuple[int, int]:
        return queries_to_capture(email), queries_to_capture(email)  # the second updates the lead

    new_then_returning("warm.up@corp.example")  # content types, the form's defaults
    with_audit = new_then_returning("ada@corp.example")
    without_audit()
    assert with_audit == new_then_returning("grace@corp.example")
    assert Lead.objects.count() == 3
    assert not AuditEntry.objects.exists()


def test_an_anonymous_api_capture_records_nothing(campaign):
    client = Client(REMOTE_ADDR=f"10.9.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")
    body = {"email": "ada@analytical.example", "utm_campaign": campaign.utm_campaign}
    response = client.post(reverse("marketing-api:capture"), body, content_type="application/json")
    assert response.status_code == 202
    assert Lead.objects.exists()
    assert not AuditEntry.objects.exists()
