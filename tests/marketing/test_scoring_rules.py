"""Scoring rules as data: marketers edit them, every lead is re-scored in the background."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from marketing import scoring, services
from marketing.models import EngagementRule, FitRule, Lead, RescoreRun, ScoreChange, ScoringSettings, Stage, Touchpoint
from marketing.services import scoring as scoring_services
from marketing.services import scoring_rules
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

PAGE = reverse("marketing:scoring")


@pytest.fixture(autouse=True)
def _rules_saved(db):
    """The seeded rules, also in a reused test database that a transactional test flushed."""
    from django.db import transaction

    from marketing.scoring_defaults import save_defaults_if_none

    with transaction.atomic():
        save_defaults_if_none()


def run_to_the_end(run: RescoreRun, size: int = 2) -> RescoreRun:
    """What the Celery task does, batch after batch, here in the test's transaction."""
    while scoring_services.rescore_batch(run_id=run.pk, size=size):
        pass
    run.refresh_from_db()
    return run


def latest_run() -> RescoreRun:
    return RescoreRun.objects.order_by("-id").first()


def reasons_of(lead: Lead) -> dict[str, int]:
    return {reason["rule"]: reason["points"] for reason in Lead.objects.get(pk=lead.pk).score_reasons}


# --- rules as data ----------------------------------------------------------------------------


def test_the_seeded_rules_are_the_ones_scoring_had_in_code():
    assert list(FitRule.objects.values_list("label", "points", "group")) == [
        ("Business email domain", 10, ""),
        ("Company given", 10, ""),
        ("Senior title", 20, "title"),
        ("Manager title", 10, "title"),
        ("Phone given", 5, ""),
    ]
    assert EngagementRule.objects.get(kind=Touchpoint.Kind.MEETING_REQUEST).points == 30
    assert ScoringSettings.objects.get().mql_threshold is None


def test_a_new_fit_rule_rescores_every_lead_with_its_reason(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    leads = [
        factories.capture(f"l{n}@corp.example", country=country) for n, country in enumerate(["Germany", "France", ""])
    ]
    for lead in leads:
        services.score_lead(lead_id=lead.pk)
    scoring_rules.save_fit_rule(
        label="In the DACH region",
        field="country",
        operator="in_list",
        value="Germany, Austria, Switzerland",
        points=15,
    )
    run = run_to_the_end(latest_run())
    assert (run.status, run.done, run.changed) == (RescoreRun.Status.DONE, 3, 1)
    assert reasons_of(leads[0])["In the DACH region"] == 15
    assert "In the DACH region" not in reasons_of(leads[1])
    change = ScoreChange.objects.filter(lead=leads[0]).last()
    assert (change.old_score, change.new_score) == (20, 35)
    assert change.cause == "Fit rule “In the DACH region” added (rules v2)"


@pytest.mark.parametrize(
    ("field", "operator", "value", "lead_fields", "fires"),
    [
        ("attribute", "greater", "5", {"attributes": {"TotalVisits": "7"}}, True),
        ("attribute", "greater", "5", {"attributes": {"TotalVisits": "3"}}, False),
        ("attribute", "less", "5", {"attributes": {"TotalVisits": "n/a"}}, False),
        ("industry", "contains", "SOFT", {"industry": "Software & IT"}, True),
        ("title", "has_word", "cto", {"title": "Doctor"}, False),
        ("company_size", "equals", "51-200", {"company_size": "51-200"}, True),
        ("source", "not_equals", "referral", {"source": "referral"}, False),
        ("phone", "is_blank", "", {"phone": ""}, True),
        ("email_domain", "is_set", "", {"email": "row-7@x.import.invalid"}, False),
    ],
)
def test_each_operator_reads_its_field(settings, field, operator, value, lead_fields, fires):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    FitRule.objects.all().delete()
    FitRule.objects.create(
        label="Probe", field=field, attribute_key="TotalVisits", operator=operator, value=value, points=7
    )
    lead = factories.capture(lead_fields.pop("email", "probe@corp.example"), **lead_fields)
    services.score_lead(lead_id=lead.pk)
    assert ("Probe" in reasons_of(lead)) is fires


def test_negative_points_lower_the_score(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    FitRule.objects.create(label="Student", field="title", operator="has_word", value="student", points=-25)
    lead = factories.capture(title="Student")
    services.score_lead(lead_id=lead.pk)
    assert Lead.objects.get(pk=lead.pk).score == 20 - 25


def test_engagement_fades_with_its_half_life(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    EngagementRule.objects.filter(kind=Touchpoint.Kind.WEBINAR).update(half_life_days=30)
    lead = factories.capture("ada@gmail.com", first_name="", last_name="")
    webinar = timezone.now()
    services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.WEBINAR, occurred_at=webinar)
    services.score_lead(lead_id=lead.pk, now=webinar + datetime.timedelta(days=30))
    assert reasons_of(lead) == {"Form submitted ×1": 10, "Webinar attended ×1 (fading)": 8}  # 15 × ½ = 7.5 → 8
    services.score_lead(lead_id=lead.pk, now=webinar + datetime.timedelta(days=90))
    assert reasons_of(lead)["Webinar attended ×1 (fading)"] == 2  # 15 × ⅛


def test_the_threshold_in_the_database_replaces_the_setting(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture()  # 10 business domain + 10 form = 20
    scoring_rules.set_mql_threshold(threshold=20)
    assert scoring.mql_threshold() == 20
    run = run_to_the_end(latest_run())
    assert (Lead.objects.get(pk=lead.pk).stage, run.qualified) == (Stage.MQL, 1)
    scoring_rules.set_mql_threshold(threshold=None)
    assert scoring.mql_threshold() == 1000


def test_an_engagement_rule_change_rescores_and_a_turned_off_rule_stops_counting(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture()
    services.score_lead(lead_id=lead.pk)
    scoring_rules.save_engagement_rule(kind=Touchpoint.Kind.FORM_SUBMIT, points=25, max_count=3)
    run_to_the_end(latest_run())
    assert reasons_of(lead)["Form submitted ×1"] == 25
    scoring_rules.save_engagement_rule(kind=Touchpoint.Kind.FORM_SUBMIT, points=25, max_count=3, is_active=False)
    run_to_the_end(latest_run())
    assert "Form submitted ×1" not in reasons_of(lead)


# --- the background run -----------------------------------------------------------------------


def test_a_run_is_resumable_and_a_finished_run_does_nothing(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    for n in range(5):
        factories.capture(f"r{n}@corp.example")
    run = scoring_services.start_rescoring(cause="Test")
    assert scoring_services.rescore_batch(run_id=run.pk, size=2) == 2
    assert scoring_services.rescore_batch(run_id=run.pk, size=2) == 2  # a second copy continues, not repeats
    run.refresh_from_db()
    assert (run.done, run.status) == (4, RescoreRun.Status.RUNNING)
    run = run_to_the_end(run)
    assert (run.done, run.status) == (5, RescoreRun.Status.DONE)
    assert scoring_services.rescore_batch(run_id=run.pk) == 0
    assert Lead.objects.filter(scored_at__isnull=True).count() == 0


def test_newer_rules_supersede_a_run_in_progress():
    factories.capture()
    first = scoring_services.start_rescoring(cause="Old")
    scoring_rules.set_mql_threshold(threshold=70)
    first.refresh_from_db()
    assert first.status == RescoreRun.Status.SUPERSEDED
    assert scoring_services.rescore_batch(run_id=first.pk) == 0
    assert latest_run().status == RescoreRun.Status.RUNNING


def test_a_stalled_run_is_found_by_the_sweep(settings):
    settings.LEADFLOW_RECONCILE_GRACE_SECONDS = 60
    run = scoring_services.start_rescoring(cause="Test")
    assert scoring_services.stalled_runs() == []
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert scoring_services.stalled_runs(now=later) == [run.pk]


def test_a_fading_run_keeps_no_history(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture()
    run = scoring_services.start_rescoring(cause="Fading", record_history=False)
    run_to_the_end(run)
    assert Lead.objects.get(pk=lead.pk).score == 20
    assert not ScoreChange.objects.exists()


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_rules_threshold_spread_and_progress(marketer, settings):
    for n in range(3):
        lead = factories.capture(f"p{n}@corp.example")
        services.score_lead(lead_id=lead.pk)
    scoring_services.start_rescoring(cause="Test")
    response = logged_in(marketer).get(PAGE)
    assertContains(response, "Senior title")
    assertContains(response, "Job title has any of the words chief, ceo, cto, cfo, cmo, … (13)")
    assertContains(response, 'hx-trigger="every 1s"')
    assert sum(bar["count"] for bar in response.context["bars"]) == 3


def test_the_progress_fragment_stops_polling_when_the_run_is_done(marketer):
    factories.capture()
    run = scoring_services.start_rescoring(cause="Test")
    client = logged_in(marketer)
    assertContains(client.get(reverse("marketing:rescore-progress")), 'hx-trigger="every 1s"')
    run_to_the_end(run)
    done = client.get(reverse("marketing:rescore-progress"))
    assertNotContains(done, "hx-trigger")
    assertContains(done, "All 1 leads re-scored")


def test_a_marketer_adds_a_rule_from_the_page(marketer):
    response = logged_in(marketer).post(
        reverse("marketing:fit-rule-add"),
        {
            "label": "Big company",
            "field": "company_size",
            "operator": "in_list",
            "value": "1001-5000, 5001+",
            "points": "15",
            "is_active": "on",
        },
    )
    assert response.status_code == 303
    assert FitRule.objects.filter(label="Big company", points=15).exists()
    assert (ScoringSettings.objects.get().version, latest_run().status) == (2, RescoreRun.Status.RUNNING)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"operator": "equals", "value": ""}, "value"),
        ({"operator": "greater", "value": "lots"}, "value"),
        ({"points": "5000"}, "points"),
        ({"field": "attribute", "attribute_key": ""}, "attribute_key"),
        ({"operator": "resembles"}, "operator"),
        ({"label": ""}, "label"),
    ],
)
def test_a_bad_fit_rule_is_a_400_and_changes_nothing(marketer, data, field):
    post = {"label": "Probe", "field": "title", "operator": "contains", "value": "x", "points": "5", **data}
    response = logged_in(marketer).post(reverse("marketing:fit-rule-add"), post)
    assert response.status_code == 400
    assert field in response.context["fit_form"].errors
    assert (FitRule.objects.count(), ScoringSettings.objects.get().version, RescoreRun.objects.count()) == (5, 1, 0)


def test_editing_and_removing_a_fit_rule(marketer):
    rule = FitRule.objects.get(label="Phone given")
    client = logged_in(marketer)
    data = {
        "label": "Phone given",
        "field": "phone",
        "operator": "is_set",
        "value": "",
        "points": "8",
        "is_active": "on",
    }
    assert client.post(reverse("marketing:fit-rule-edit", args=[rule.pk]), data).status_code == 303
    assert FitRule.objects.get(pk=rule.pk).points == 8
    assert client.post(reverse("marketing:fit-rule-delete", args=[rule.pk])).status_code == 303
    assert not FitRule.objects.filter(pk=rule.pk).exists()
    assert client.post(reverse("marketing:fit-rule-delete", args=[rule.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"form_submit-points": "x"}, "points"),
        ({"form_submit-max_count": "0"}, "max_count"),
        ({"form_submit-half_life_days": "-3"}, "half_life_days"),
    ],
)
def test_a_bad_engagement_rule_is_a_400(marketer, data, field):
    post = {"form_submit-points": "10", "form_submit-max_count": "3", "form_submit-is_active": "on", **data}
    response = logged_in(marketer).post(reverse("marketing:engagement-rule-save", args=["form_submit"]), post)
    assert response.status_code == 400
    assert EngagementRule.objects.get(kind="form_submit").points == 10
    assert not RescoreRun.objects.exists()


def test_an_unknown_touchpoint_kind_is_a_404(marketer):
    response = logged_in(marketer).post(reverse("marketing:engagement-rule-save", args=["telepathy"]), {})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["-5", "0", "abc", "100000"])
def test_a_bad_threshold_is_a_400(marketer, value):
    response = logged_in(marketer).post(reverse("marketing:threshold-save"), {"mql_threshold": value})
    assert response.status_code == 400
    assert ScoringSettings.objects.get().mql_threshold is None


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_see_or_change_scoring(request, persona):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("marketing:threshold-save"), {"mql_threshold": "10"}).status_code == 403
    assert ScoringSettings.objects.get().mql_threshold is None


def test_a_marketer_without_scoring_rights_reads_but_cannot_change(marketer):
    from django.contrib.auth.models import Permission

    for group in marketer.groups.all():
        group.permissions.remove(Permission.objects.get(codename="manage_scoring"))
    client = logged_in(marketer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assertNotContains(page, "Add a fit rule")
    assert client.post(reverse("marketing:threshold-save"), {"mql_threshold": "10"}).status_code == 403


def test_the_seeded_rules_equal_the_defaults_in_code():
    from marketing import scoring_defaults

    seeded = list(FitRule.objects.values_list("label", "field", "operator", "value", "points", "group"))
    assert seeded == [(r.label, r.field, r.operator, r.value, r.points, r.group) for r in scoring_defaults.fit_rules()]
    engagement = set(EngagementRule.objects.values_list("kind", "points", "max_count"))
    assert engagement == {(r.kind, r.points, r.max_count) for r in scoring_defaults.engagement_rules()}


def test_a_database_with_no_rules_saved_scores_with_the_defaults():
    """What a flushed test database (TransactionTestCase) looks like: no seeded rows."""
    FitRule.objects.all().delete()
    EngagementRule.objects.all().delete()
    ScoringSettings.objects.all().delete()
    lead = factories.capture(company="Analytical Engines", title="Director")
    services.score_lead(lead_id=lead.pk)
    assert (Lead.objects.get(pk=lead.pk).score, Lead.objects.get(pk=lead.pk).stage) == (50, Stage.MQL)
    scoring_rules.set_mql_threshold(threshold=60)
    assert (FitRule.objects.count(), EngagementRule.objects.count()) == (5, 8)
