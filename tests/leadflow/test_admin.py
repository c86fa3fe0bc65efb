"""Every model is in the admin (issue 2), every admin page opens for a superuser, and the admin
writes through the services or not at all (issue 12; the writes themselves: tests/*/test_admin_writes.py)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from guards.admin import ServiceAdmin
from leadflow.outbox.models import OutboundEmail
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

OUR_APPS = ["marketing", "sales", "handoff", "dashboard", "outbox", "accounts", "audit"]
# The dashboard's facts and cells are caches of the raw rows, rebuilt nightly: not for hands.
CACHES = {"LeadFact", "DealFact", "FunnelCell", "DurationCell", "DealCell", "LeadTimeCell", "AttributionCell",
          "OfferCell", "RejectionCell"}  # fmt: skip


def our_models():
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


def shown_inline() -> set:
    return {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}


def test_every_model_but_the_dashboards_caches_is_in_the_admin():
    shown = set(admin.site._registry) | shown_inline()
    assert [m.__name__ for m in our_models() if m not in shown and m.__name__ not in CACHES] == []


@pytest.mark.parametrize("model", [m for m in our_models() if m in admin.site._registry], ids=lambda m: m.__name__)
def test_each_admin_list_opens(admin_user, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert logged_in(admin_user).get(url).status_code == 200


# Admins that write rows without a service, each for a reason; every other admin of ours saves
# through the owning app's services (guards.admin.ServiceAdmin) or writes nothing at all.
PLAIN_WRITERS = {
    "Team": "configuration (a name and a manager) that no service owns",
    "ApiToken": "its only write is the revoke action, through accounts' revoke service",
    "OutboundEmail": "its only writes are the retry action and deleting unsent mail",
}


def superuser_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_writes_through_the_services_or_not_at_all(admin_user):
    request = superuser_request(admin_user)
    writers = {
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if model in our_models()
        and not isinstance(model_admin, ServiceAdmin)
        and (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
    }
    assert writers == set(PLAIN_WRITERS)


def test_every_inline_in_the_admin_is_read_only(admin_user):
    request = superuser_request(admin_user)
    writable = [
        f"{model.__name__}: {inline.model.__name__}"
        for model, model_admin in admin.site._registry.items()
        if model in our_models()
        for inline in model_admin.get_inline_instances(request)
        if inline.has_add_permission(request, None)
        or inline.has_change_permission(request)
        or inline.has_delete_permission(request)
    ]
    assert writable == []


def test_an_email_cannot_be_typed_into_the_outbox_in_the_admin(admin_user):
    response = logged_in(admin_user).post(reverse("admin:outbox_outboundemail_add"), {"subject": "Forged"})
    assert response.status_code == 403
    assert not OutboundEmail.objects.exists()


# Service admins whose delete removes a plain configuration row; every other one that lets a
# row be deleted removes it through a service (delete_model, and delete_queryset, which the
# changelist's "delete selected" action calls), as CampaignSpend's does through delete_spend.
PLAIN_DELETES = {"SalesRep": "who sells in which team is configuration, saved here as plain rows too"}


def test_an_admin_that_saves_through_the_services_deletes_through_them_too(admin_user):
    request = superuser_request(admin_user)
    plain = {
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if model in our_models()
        and isinstance(model_admin, ServiceAdmin)
        and model_admin.has_delete_permission(request)
        and (
            type(model_admin).delete_model is admin.ModelAdmin.delete_model
            or type(model_admin).delete_queryset is admin.ModelAdmin.delete_queryset
        )
    }
    assert plain == set(PLAIN_DELETES)
