"""Sales settings: pipelines, stages, allowed moves and lost reasons, configured by managers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales import services
from sales.models import LostReason, Pipeline, Stage, StageTransition
from tests.sales.helpers import deal_at, logged_in, open_deal_for, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def configurer(manager):
    """A sales manager: the role that configures pipelines and lost reasons."""
    return manager


def layout(pipeline: Pipeline) -> list[tuple]:
    return list(pipeline.stages.order_by("order").values_list("name", "probability", "kind"))


def rows(pipeline: Pipeline) -> list[dict]:
    return [
        {"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind}
        for s in pipeline.stages.order_by("order")
    ]


def moves(pipeline: Pipeline) -> set[tuple[str, str]]:
    return set(
        StageTransition.objects.filter(from_stage__pipeline=pipeline).values_list("from_stage__slug", "to_stage__slug")
    )


def test_sales_managers_may_configure_pipelines_and_see_the_settings_link(manager):
    assert manager.has_perm("sales.configure_pipelines")
    assert reverse("sales:pipelines") in logged_in(manager).get(reverse("sales:my-day")).text


@pytest.mark.parametrize("name", ["pipelines", "lost-reasons"])
def test_salespeople_and_marketers_may_not_open_the_settings(rep, marketer, name):
    for user in (rep, marketer):
        assert logged_in(user).get(reverse(f"sales:{name}")).status_code == 403


def test_creating_a_pipeline_gives_it_the_default_stages_and_moves(configurer):
    response = logged_in(configurer).post(reverse("sales:pipelines"), {"name": "Partners"})
    partners = Pipeline.objects.get(name="Partners")
    assert response["Location"] == reverse("sales:pipeline-edit", args=[partners.pk])
    assert layout(partners) == layout(services.default_pipeline())
    assert ("negotiation", "won") in moves(partners) and ("discovery", "won") not in moves(partners)
    assert not partners.is_default


@pytest.mark.parametrize("name", ["", "Sales", "sales", "x" * 101])
def test_a_pipeline_needs_a_new_name(configurer, name):
    services.default_pipeline()
    count = Pipeline.objects.count()
    response = logged_in(configurer).post(reverse("sales:pipelines"), {"name": name})
    assert response.status_code == 400
    assert Pipeline.objects.count() == count


def test_reordering_renaming_and_adding_stages(admin_user):
    pipeline = services.default_pipeline()
    stages = rows(pipeline)
    stages[1]["name"], stages[1]["probability"] = "Qualified", 30
    stages[2], stages[3] = stages[3], stages[2]
    stages.insert(1, {"id": None, "name": "Demo", "probability": 15, "kind": "open"})
    services.save_stages(pipeline_id=pipeline.pk, stages=stages)
    assert layout(pipeline) == [
        ("Discovery", 10, "open"),
        ("Demo", 15, "open"),
        ("Qualified", 30, "open"),
        ("Negotiation", 75, "open"),
        ("Proposal", 50, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]
    demo = pipeline.stages.get(name="Demo")
    assert {
        ("discovery", demo.slug),
        (demo.slug, "discovery"),
        (demo.slug, "qualification"),
        (demo.slug, "lost"),
    } <= moves(pipeline)
    assert stage("qualification").name == "Qualified"  # the slug stays: code and data keep pointing at it


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.append({"id": None, "name": "Won again", "probability": 100, "kind": "won"}),
        lambda s: s.__setitem__(slice(None), [row for row in s if row["kind"] != "lost"]),
        lambda s: s[0].update(probability=101),
        lambda s: s[0].update(name=""),
        lambda s: s[1].update(name="discovery"),
        lambda s: s[0].update(kind="archived"),
        lambda s: s.__setitem__(slice(None), [row for row in s if row["kind"] != "open"]),
    ],
)
def test_a_bad_stage_layout_is_refused_and_nothing_changes(admin_user, change):
    pipeline = services.default_pipeline()
    before, before_moves = layout(pipeline), moves(pipeline)
    stages = rows(pipeline)
    change(stages)
    with pytest.raises(ValidationError) as error:
        services.save_stages(pipeline_id=pipeline.pk, stages=stages)
    assert "stages" in error.value.message_dict
    assert (layout(pipeline), moves(pipeline)) == (before, before_moves)


def test_a_stage_with_deals_is_neither_removed_nor_turned_into_a_closed_stage(rep):
    deal_at(rep, "proposal")
    pipeline = services.default_pipeline()
    before = layout(pipeline)
    without_proposal = [row for row in rows(pipeline) if row["name"] != "Proposal"]
    with pytest.raises(ValidationError):
        services.save_stages(pipeline_id=pipeline.pk, stages=without_proposal)
    turned = rows(pipeline)
    turned[2]["kind"] = "lost"
    with pytest.raises(ValidationError):
        services.save_stages(pipeline_id=pipeline.pk, stages=turned)
    assert layout(pipeline) == before


def test_an_unused_stage_can_be_removed(admin_user):
    pipeline = services.default_pipeline()
    services.save_stages(
        pipeline_id=pipeline.pk, stages=[row for row in rows(pipeline) if row["name"] != "Negotiation"]
    )
    assert "Negotiation" not in [name for name, _p, _k in layout(pipeline)]


def test_the_stages_form_saves_a_new_order_and_shows_errors_in_place(configurer):
    pipeline = services.default_pipeline()
    client = logged_in(configurer)
    page = client.get(reverse("sales:pipeline-edit", args=[pipeline.pk]))
    formset = page.context["stage_forms"]
    data = {"stages-TOTAL_FORMS": str(len(formset.forms)), "stages-INITIAL_FORMS": str(len(formset.initial_forms))}
    data.update({"stages-MIN_NUM_FORMS": "0", "stages-MAX_NUM_FORMS": "30"})
    for index, form in enumerate(formset.forms):
        for name in ("id", "order", "name", "probability", "kind"):
            value = form[name].value()  # what the page renders (a select: its first option)
            data[f"stages-{index}-{name}"] = "" if value is None else value
    data["stages-0-probability"] = "12"
    assert client.post(reverse("sales:pipeline-stages", args=[pipeline.pk]), data).status_code == 303
    assert stage("discovery").probability == 12
    data["stages-5-kind"] = "open"  # no Won stage left
    response = client.post(reverse("sales:pipeline-stages", args=[pipeline.pk]), data)
    assert response.status_code == 400
    assert "exactly one Won and one Lost" in response.text
    assert stage("won").kind == "won"


def test_the_moves_matrix_replaces_the_allowed_moves(configurer, rep):
    pipeline = services.default_pipeline()
    allowed = [
        ("discovery", "qualification"),
        ("discovery", "proposal"),
        ("qualification", "won"),
        ("proposal", "lost"),
    ]
    data = {"move": [f"{stage(a).pk}-{stage(b).pk}" for a, b in allowed]}
    response = logged_in(configurer).post(reverse("sales:pipeline-moves", args=[pipeline.pk]), data)
    assert response.status_code == 303
    assert moves(pipeline) == set(allowed)
    deal = open_deal_for(rep)
    services.move_deal(deal_id=deal.pk, to_stage_id=stage("proposal").pk, by=rep, expected_version=1)  # now allowed


@pytest.mark.parametrize(
    "values",
    [["abc"], ["1-2-3"], ["999999-1"], ["self"]],
)
def test_a_damaged_moves_form_is_refused(configurer, values):
    pipeline = services.default_pipeline()
    before = moves(pipeline)
    if values == ["self"]:
        values = [f"{stage('discovery').pk}-{stage('discovery').pk}"]
    response = logged_in(configurer).post(reverse("sales:pipeline-moves", args=[pipeline.pk]), {"move": values})
    assert response.status_code == 400
    assert moves(pipeline) == before


def test_moves_out_of_a_closed_stage_or_with_no_way_to_won_are_refused(admin_user):
    pipeline = services.default_pipeline()
    before = moves(pipeline)
    with pytest.raises(ValidationError):
        services.set_transitions(pipeline_id=pipeline.pk, moves=[(stage("lost").pk, stage("discovery").pk)])
    with pytest.raises(ValidationError):
        services.set_transitions(pipeline_id=pipeline.pk, moves=[(stage("discovery").pk, stage("lost").pk)])
    assert moves(pipeline) == before


def test_making_another_pipeline_the_default_moves_the_flag(configurer):
    old = services.default_pipeline()
    partners = services.create_pipeline(name="Partners")
    response = logged_in(configurer).post(
        reverse("sales:pipeline-rename", args=[partners.pk]), {"name": "Partner deals", "is_default": "on"}
    )
    assert response.status_code == 303
    assert list(Pipeline.objects.filter(is_default=True).values_list("name", flat=True)) == ["Partner deals"]
    assert not Pipeline.objects.get(pk=old.pk).is_default


def test_the_default_pipeline_cannot_simply_stop_being_the_default(configurer):
    pipeline = services.default_pipeline()
    response = logged_in(configurer).post(reverse("sales:pipeline-rename", args=[pipeline.pk]), {"name": "Sales"})
    assert response.status_code == 400
    assert Pipeline.objects.get(pk=pipeline.pk).is_default


# --- lost reasons ---------------------------------------------------------------------------


def test_a_manager_adds_renames_and_retires_lost_reasons(configurer, rep):
    client = logged_in(configurer)
    assert client.post(reverse("sales:lost-reasons"), {"name": "  Went  in-house "}).status_code == 303
    added = LostReason.objects.get(name="Went in-house")
    url = reverse("sales:lost-reason-edit", args=[added.pk])
    assert (
        client.post(url, {f"reason-{added.pk}-name": "Built it in-house", f"reason-{added.pk}-order": "1"}).status_code
        == 303
    )
    added.refresh_from_db()
    assert (added.name, added.order, added.is_active) == ("Built it in-house", 1, False)
    deal = open_deal_for(rep)
    with pytest.raises(ValidationError):
        services.close_deal(deal_id=deal.pk, won=False, lost_reason="Built it in-house", by=rep, expected_version=1)


@pytest.mark.parametrize("name", ["", "   ", "No budget", "no BUDGET", "x" * 101])
def test_a_lost_reason_needs_a_new_name(configurer, name):
    services.active_lost_reasons()
    count = LostReason.objects.count()
    response = logged_in(configurer).post(reverse("sales:lost-reasons"), {"name": name})
    assert response.status_code == 400
    assert LostReason.objects.count() == count


def test_the_last_offered_reason_cannot_be_retired(admin_user):
    services.active_lost_reasons()
    last = LostReason.objects.first()
    LostReason.objects.exclude(pk=last.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        services.update_lost_reason(reason_id=last.pk, name=last.name, order=last.order, is_active=False)
    assert LostReason.objects.get(pk=last.pk).is_active


def test_renaming_a_reason_leaves_deals_lost_with_it_as_they_were(rep, admin_user):
    deal = open_deal_for(rep)
    services.close_deal(deal_id=deal.pk, won=False, lost_reason="No budget", by=rep, expected_version=1)
    reason = LostReason.objects.get(name="No budget")
    services.update_lost_reason(reason_id=reason.pk, name="Budget frozen", order=reason.order, is_active=True)
    deal.refresh_from_db()
    assert deal.lost_reason == "No budget"


def test_the_settings_pages_render_for_an_admin(admin_user):
    client = logged_in(admin_user)
    pipeline = services.default_pipeline()
    for url in (
        reverse("sales:pipelines"),
        reverse("sales:pipeline-edit", args=[pipeline.pk]),
        reverse("sales:lost-reasons"),
    ):
        assert client.get(url).status_code == 200
    assert client.get(reverse("sales:pipeline-edit", args=[999999])).status_code == 404


def test_open_stage_count_is_kept_when_the_board_reads_a_reshaped_pipeline(rep, admin_user):
    pipeline = services.default_pipeline()
    stages = rows(pipeline)
    stages.insert(2, {"id": None, "name": "Demo", "probability": 20, "kind": "open"})
    services.save_stages(pipeline_id=pipeline.pk, stages=stages)
    response = logged_in(rep).get(reverse("sales:board"))
    assert [c["stage"].name for c in response.context["columns"]] == [
        "Discovery",
        "Qualification",
        "Demo",
        "Proposal",
        "Negotiation",
    ]
    assert Stage.objects.filter(pipeline=pipeline, kind="open").count() == 5
