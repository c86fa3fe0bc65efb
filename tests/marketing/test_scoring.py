"""Scoring: every point has a reason, caps hold, and crossing the bar qualifies the lead once."""

import pytest

from marketing import services, signals
from marketing.models import Lead, Stage, Touchpoint
from marketing.services import Capture, capture_lead
from tests import factories

pytestmark = pytest.mark.django_db


def touch(lead: Lead, kind: str, times: int = 1) -> None:
    """More activity of the same person, through the real capture path."""
    for _ in range(times):
        capture_lead(capture=Capture(email=lead.email, touch_kind=kind))


def reasons_of(lead: Lead) -> dict[str, int]:
    return {reason["rule"]: reason["points"] for reason in lead.score_reasons}


@pytest.fixture
def announced():
    """Every lead_qualified fact marketing sends during the test, as (lead_id, cycle)."""
    sent = []

    def listen(sender, *, lead_id, cycle, **kwargs):
        sent.append((lead_id, cycle))

    signals.lead_qualified.connect(listen)
    yield sent
    signals.lead_qualified.disconnect(listen)


def test_fit_and_engagement_reasons_add_up_to_the_score(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture("ada@analytical.example", company="Analytical Engines", title="CTO", phone="+44 20")
    touch(lead, Touchpoint.Kind.WEBINAR)
    touch(lead, Touchpoint.Kind.MEETING_REQUEST)
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert reasons_of(lead) == {
        "Business email domain": 10,
        "Company given": 10,
        "Senior title": 20,
        "Phone given": 5,
        "Meeting requested ×1": 30,
        "Webinar attended ×1": 15,
        "Form submitted ×1": 10,
    }
    assert lead.score == sum(reasons_of(lead).values()) == 100
    assert lead.scored_at is not None


def test_a_free_mail_lead_with_nothing_else_scores_only_its_form():
    lead = factories.capture("ada@gmail.com", first_name="", last_name="")
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.score, reasons_of(lead)) == (10, {"Form submitted ×1": 10})


@pytest.mark.parametrize(
    ("title", "rule", "points"),
    [
        ("VP Sales", "Senior title", 20),
        ("Co-founder", "Senior title", 20),
        ("Head of Growth", "Senior title", 20),
        ("Marketing Manager", "Manager title", 10),
        ("Team Lead", "Manager title", 10),
    ],
)
def test_titles_score_by_seniority(title, rule, points):
    lead = factories.capture("ada@gmail.com", title=title)
    services.score_lead(lead_id=lead.pk)
    assert reasons_of(Lead.objects.get(pk=lead.pk))[rule] == points


@pytest.mark.parametrize("title", ["Marketing Coordinator", "Doctor", "Leadership Coach", "Overhead Analyst"])
def test_titles_that_only_contain_a_senior_word_are_not_senior(title):
    lead = factories.capture("ada@gmail.com", title=title)
    services.score_lead(lead_id=lead.pk)
    rules = reasons_of(Lead.objects.get(pk=lead.pk))
    assert "Senior title" not in rules
    assert "Manager title" not in rules


def test_engagement_counts_stop_at_each_rules_cap(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 1000
    lead = factories.capture("ada@gmail.com")
    touch(lead, Touchpoint.Kind.FORM_SUBMIT, 4)  # five in all, with the capture
    touch(lead, Touchpoint.Kind.MEETING_REQUEST, 2)
    touch(lead, Touchpoint.Kind.PAGE_VIEW, 12)
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert lead.touchpoints.filter(kind=Touchpoint.Kind.FORM_SUBMIT).count() == 5
    assert reasons_of(lead) == {"Form submitted ×3": 30, "Meeting requested ×1": 30, "Page view ×10": 10}
    assert lead.score == 70


def test_crossing_the_threshold_makes_the_lead_an_mql_with_its_stage_history(announced):
    # 10 business domain + 10 company + 20 senior + 10 form = 50, the default bar
    lead = factories.capture(company="Analytical Engines", title="Director")
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (50, Stage.MQL)
    stays = list(lead.stage_changes.values_list("stage", "reason", "exited_at"))
    assert [(stage, reason) for stage, reason, _ in stays] == [
        (Stage.LEAD, "Captured"),
        (Stage.MQL, "Score 50 reached the MQL threshold"),
    ]
    assert stays[0][2] is not None and stays[1][2] is None
    assert announced == [(lead.pk, 0)]


def test_one_point_under_the_threshold_stays_a_lead(settings, announced):
    settings.LEADFLOW_MQL_THRESHOLD = 21
    lead = factories.capture()  # 10 business domain + 10 form = 20
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (20, Stage.LEAD)
    assert lead.stage_changes.count() == 1
    assert announced == []


def test_the_threshold_comes_from_settings(settings):
    settings.LEADFLOW_MQL_THRESHOLD = 20
    lead = factories.capture()
    services.score_lead(lead_id=lead.pk)
    assert Lead.objects.get(pk=lead.pk).stage == Stage.MQL


def test_scoring_twice_is_idempotent(settings, announced):
    settings.LEADFLOW_MQL_THRESHOLD = 20
    lead = factories.capture()
    first = services.score_lead(lead_id=lead.pk)
    second = services.score_lead(lead_id=lead.pk)
    assert (second.score, second.score_reasons, second.stage) == (first.score, first.score_reasons, Stage.MQL)
    assert lead.stage_changes.filter(stage=Stage.MQL).count() == 1
    assert announced == [(lead.pk, 0)]


def test_a_recycled_lead_is_not_requalified_by_its_score(settings, announced):
    settings.LEADFLOW_MQL_THRESHOLD = 20
    lead = factories.capture()
    services.qualify_lead(lead_id=lead.pk)
    services.recycle_lead(lead_id=lead.pk, reason="No budget this year")
    announced.clear()
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.stage, lead.score) == (Stage.RECYCLED, 20)
    assert lead.stage_changes.filter(stage=Stage.MQL).count() == 1
    assert announced == []


def test_a_sales_accepted_lead_is_not_requalified_by_its_score(settings, rep):
    settings.LEADFLOW_MQL_THRESHOLD = 20
    lead = factories.capture()
    services.qualify_lead(lead_id=lead.pk)
    services.accept_lead(lead_id=lead.pk, owner_id=rep.pk)
    services.score_lead(lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.stage, lead.owner, lead.score) == (Stage.SAL, rep, 20)
    assert lead.stage_changes.count() == 3


def test_scoring_a_lead_that_is_gone_does_nothing():
    assert services.score_lead(lead_id=987654) is None
