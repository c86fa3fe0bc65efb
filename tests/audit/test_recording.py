"""What the database records: every write to an audited model, also QuerySet.update(),
bulk_update() and background jobs, with who made it; never a secret."""

import json
import uuid
from decimal import Decimal

import pytest
from celery import shared_task
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff import roles
from handoff import services as handoff_services
from handoff.models import Handoff, RoutingRule
from leadflow.accounts import services as account_services
from leadflow.accounts.models import ApiToken
from leadflow.audit import recording, tracking
from leadflow.audit.history import Entry, History
from leadflow.audit.models import EVENT_MODELS
from marketing.models import Campaign, FitRule, Lead
from marketing.services import scoring_rules
from sales import services as sales_services
from sales.models import Deal, Pipeline, Stage
from tests import factories
from tests.audit.pages import page, submit
from tests.conftest import logged_in
from tests.handoff import factories as handoff_factories
from tests.marketing.visitors import submit as submit_capture
from tests.sales.helpers import open_deal_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

AUDIT_MIDDLEWARE = "leadflow.audit.middleware.AuditMiddleware"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Capture's rate-limit counters and form nonces in a cache of this test's own.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def entries(user=None, **kwargs) -> list[Entry]:
    """The audit log's entries, newest first: all, or those `user` made."""
    return History(actor_ids=[user.pk] if user else None, **kwargs)[0:500]


def changes(entry: Entry) -> dict[str, tuple[str, str]]:
    return {label: (old, new) for label, old, new in entry.changed_fields}


def as_posted(campaign: Campaign, **changes) -> dict:
    """The campaign's edit form exactly as the page fills it in, with `changes`."""
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


# --- people's changes, however they are written -----------------------------------------------------


def test_a_marketer_editing_a_campaign_records_who_and_exactly_the_fields_changed(marketer, campaign):
    url = reverse("marketing:campaign-edit", args=[campaign.pk])
    response = logged_in(marketer).post(url, as_posted(campaign, budget="7500", status=Campaign.Status.PAUSED))
    assert response.status_code == 303
    [entry] = entries(marketer)
    assert (entry.actor, entry.actor_label, entry.action, entry.model) == (marketer, "maria", "changed", Campaign)
    assert (entry.object_id, entry.summary) == (str(campaign.pk), "Campaign ‘Forecasting webinar’ changed")
    assert changes(entry) == {"status": ("Active", "Paused"), "budget": ("5000.00", "7500.00")}
    assert (entry.source, entry.origin) == (f"POST {url}", "in LeadFlow")


def test_renaming_a_stage_on_the_pipeline_page_is_recorded_as_one_change_by_the_manager(manager):
    """save_stages writes with QuerySet.update(): it parks every stage, then renumbers them."""
    pipeline = sales_services.default_pipeline()
    client = logged_in(manager)
    url = reverse("sales:pipeline-edit", args=[pipeline.pk])
    form = page(client, url).find("form", action=reverse("sales:pipeline-stages", args=[pipeline.pk]))
    renamed = form.find("input", attrs={"value": "Qualification"})["name"]

    assert submit(client, url, form, **{renamed: "Qualified"}).status_code == 303

    assert Stage.objects.filter(pipeline=pipeline, name="Qualified").exists()
    [entry] = entries(manager)
    assert (entry.actor, entry.model, entry.summary) == (manager, Stage, "Stage ‘Qualified’ changed")
    # The parking and renumbering in between is not a change: the order is what it was.
    assert changes(entry) == {"name": ("Qualification", "Qualified")}


def test_making_another_pipeline_the_default_records_both_pipelines_by_the_manager(manager):
    """The old default is switched off with QuerySet.update()."""
    sales_services.default_pipeline()
    partners = sales_services.create_pipeline(name="Partners")
    client = logged_in(manager)
    url = reverse("sales:pipeline-edit", args=[partners.pk])
    form = page(client, url).find("form", action=reverse("sales:pipeline-rename", args=[partners.pk]))

    assert submit(client, url, form, is_default="on").status_code == 303

    assert Pipeline.objects.get(is_default=True) == partners
    recorded = {entry.object_repr: changes(entry) for entry in entries(manager)}
    assert recorded == {"Sales": {"is default": ("yes", "no")}, "Partners": {"is default": ("no", "yes")}}


def test_moving_a_routing_rule_up_records_both_new_positions_by_the_manager(team, manager):
    """move_routing_rule renumbers the rules with bulk_update()."""
    handoff_factories.rule(team, manager=manager, name="EMEA")
    handoff_factories.rule(team, manager=manager, name="DACH")
    client = logged_in(manager)
    url = reverse("handoff:routing")
    button = page(client, url).find("button", attrs={"aria-label": "Move DACH up"})

    assert submit(client, url, button.find_parent("form")).status_code in (302, 303)

    assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == ["DACH", "EMEA"]
    recorded = {entry.summary: changes(entry) for entry in entries(manager) if entry.action == "changed"}
    assert recorded == {
        "Routing rule ‘DACH’ changed": {"position": ("1", "0")},
        "Routing rule ‘EMEA’ changed": {"position": ("0", "1")},
    }


def test_an_api_token_edit_is_recorded_as_the_tokens_user(rep):
    deal = open_deal_for(rep)
    issued = account_services.create_api_token(user=rep, name="CRM sync")
    response = Client().patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        {"amount": "12500.00"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.secret}", "If-Match": '"1"'},
    )
    assert response.status_code == 200
    [entry] = entries(rep)
    assert (entry.actor, entry.model, entry.origin) == (rep, Deal, "through the API")
    assert changes(entry) == {"amount": ("0.00", "12500.00")}


def test_a_new_password_and_a_role_are_recorded_without_any_secret(admin_user, rep):
    request = RequestFactory().post("/admin/auth/user/")
    request.user = admin_user
    with recording.serving(request):
        rep.groups.add(Group.objects.get(name=roles.SALES_MANAGERS))
        rep.set_password("a new and long passphrase")
        rep.save()

    recorded = {tuple(entry.changed_fields) for entry in entries(admin_user)}
    assert recorded == {(("Groups", "", roles.SALES_MANAGERS),), (("password", "(hidden)", "(hidden)"),)}
    assert {entry.summary for entry in entries(admin_user)} == {"User ‘sam’ changed"}
    history = json.dumps([list(event.objects.values()) for event in EVENT_MODELS.values()], default=str)
    assert rep.password not in history and rep.password.split("$")[-1] not in history


def test_no_history_table_has_a_column_for_a_password_token_or_hash():
    columns = {f"{event.__name__}.{f.name}" for event in EVENT_MODELS.values() for f in event._meta.fields}
    assert [column for column in columns if tracking.is_secret(column.partition(".")[2])] == []
    # An API token, were it ever audited, would keep its name and dates, never its hash.
    assert "key_hash" not in {field.name for field in tracking.tracked_fields(ApiToken)}


def test_a_marketer_deleting_a_fit_rule_is_recorded_with_what_it_said(marketer):
    rule = scoring_rules.save_fit_rule(label="Chiefs", field="title", operator="contains", value="chief", points=10)
    response = logged_in(marketer).post(reverse("marketing:fit-rule-delete", args=[rule.pk]))
    assert response.status_code in (200, 302, 303)
    [entry] = entries(marketer)
    assert (entry.action, entry.model, entry.object_repr) == ("deleted", FitRule, "Chiefs")
    assert changes(entry)["label"] == ("Chiefs", "")
    assert changes(entry)["points"] == ("10", "")


# --- system writes -----------------------------------------------------------------------------


@shared_task
def pause_campaign(campaign_id: int) -> None:
    Campaign.objects.filter(pk=campaign_id).update(status=Campaign.Status.PAUSED)


# A real transaction: leadflow.celery closes the connection around each task, which would
# end a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_a_tasks_write_is_recorded_as_the_systems_naming_the_task():
    campaign = factories.CampaignFactory(name="Spring webinar")
    pause_campaign.apply(args=[campaign.pk])  # run by Celery's tracer, in this process

    entry = entries()[0]
    assert (entry.summary, entry.actor, entry.who, entry.origin) == (
        "Campaign ‘Spring webinar’ changed",
        None,
        "System",
        "by a background job",
    )
    assert entry.source == "task:tests.audit.test_recording.pause_campaign"
    assert changes(entry) == {"status": ("Active", "Paused")}


def test_a_background_rescore_writes_its_scores_under_the_tasks_context(settings):
    """The worker runs every task inside the audit's context, which django-pghistory prepends to
    each statement: the rescore's one-statement bulk write of 500 scores must survive it
    (with executemany it raised, and every rescore stalled at "0 of N")."""
    import pghistory

    from marketing.models import RescoreRun
    from marketing.services import scoring as scoring_services

    settings.LEADFLOW_MQL_THRESHOLD = 1000
    leads = [factories.capture(f"caller{n}@corp.example", phone=f"+1 555 010{n}") for n in range(3)]
    scoring_rules.save_fit_rule(label="Phone given twice", field="phone", operator="is_set", value="", points=7)
    run = RescoreRun.objects.order_by("-id").first()
    with pghistory.context(task="marketing.tasks.rescore_leads"):  # what the worker opens for each task
        while scoring_services.rescore_batch(run_id=run.pk):
            pass
    run.refresh_from_db()
    assert (run.status, run.done) == (RescoreRun.Status.DONE, 3)
    for lead in Lead.objects.filter(pk__in=[lead.pk for lead in leads]):
        assert {reason["rule"] for reason in lead.score_reasons} >= {"Phone given twice"}


def test_a_write_after_a_request_in_the_same_transaction_is_not_taken_for_the_requests(marketer, campaign):
    url = reverse("marketing:campaign-edit", args=[campaign.pk])
    assert logged_in(marketer).post(url, as_posted(campaign, budget="7500")).status_code == 303
    Campaign.objects.filter(pk=campaign.pk).update(budget=Decimal("1"))  # a command, say

    latest = entries()[0]
    assert (latest.who, changes(latest)) == ("System", {"budget": ("7500.00", "1.00")})
    assert [changes(entry) for entry in entries(marketer)] == [{"budget": ("5000.00", "7500.00")}]


# --- erasure -------------------------------------------------------------------------------------------


def test_erasing_a_person_scrubs_their_values_from_the_history_but_keeps_who_changed_what(marketer, rep):
    lead = factories.capture("ada@analytical.example", first_name="Ada", last_name="Lovelace")
    edited = logged_in(marketer).post(
        reverse("marketing:lead-edit", args=[lead.pk]), {"first_name": "Augusta", "last_name": "Lovelace"}
    )
    assert edited.status_code == 303
    handoff = factories.offered(lead)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    deal = Handoff.objects.get(pk=handoff.pk).deal
    issued = account_services.create_api_token(user=rep, name="CRM sync")
    patched = Client().patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        {"contact_phone": "+44 20 7946 0000"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.secret}", "If-Match": f'"{deal.version}"'},
    )
    assert patched.status_code == 200

    def history() -> str:
        rows = [list(EVENT_MODELS[model].objects.values()) for model in (Lead, Deal)]
        return json.dumps([rows, [(e.summary, e.changed_fields) for e in entries()]], default=str)

    assert '"Augusta"' in history() and '"Ada"' in history() and "7946 0000" in history()
    who_changed_what = [(e.actor, e.model, e.object_id, [f[0] for f in e.changed_fields]) for e in entries(marketer)]

    handoff_services.erase_subject(lead_id=lead.pk, by=marketer)

    # Whole values: the fixtures' users get random names ("Adam" holds "Ada").
    for personal in ('"Ada"', '"Augusta"', '"Lovelace"', "analytical", "7946 0000"):
        assert personal not in history()
    assert [(e.actor, e.model, e.object_id, [f[0] for f in e.changed_fields]) for e in entries(marketer)][
        -len(who_changed_what) :
    ] == who_changed_what
    [edit] = [e for e in entries(marketer) if e.action == "changed" and e.model is Lead and e.object_id == str(lead.pk)]
    assert changes(edit) == {"first name": ("(erased)", "(erased)")}
    assert edit.object_repr == f"Lead #{lead.pk} (erased)"


# --- the capture path ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_capture_costs_no_query_more_with_the_audit_log_and_is_recorded_as_a_visitors(settings):
    campaign = factories.CampaignFactory(name="Forecasting webinar", utm_campaign="forecasting-webinar")

    def queries_to_capture(email: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert submit_capture(campaign, email=email).status_code == 302
        return len(queries)

    def new_then_returning(email: str) -> tuple[int, int]:
        return queries_to_capture(email), queries_to_capture(email)  # the second updates the lead

    new_then_returning("warm.up@corp.example")  # content types, the form's defaults
    with_audit = new_then_returning("ada@corp.example")
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != AUDIT_MIDDLEWARE]
    assert new_then_returning("grace@corp.example") == with_audit

    ada = Lead.objects.get(email_normalized="ada@corp.example")
    [created] = [e for e in entries() if e.model is Lead and e.object_id == str(ada.pk) and e.action == "created"]
    assert (created.who, created.origin) == ("Visitor (not signed in)", "in LeadFlow")
    assert created.at <= timezone.now()
