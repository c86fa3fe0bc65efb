"""Rows of the table: the forms managers and marketers set LeadFlow up with (routing, SLA,
playbooks, pipelines, scoring, a campaign's public form)."""

from django.urls import reverse

from .checks import script, shown_escaped
from .vocabulary import DROP, Case, form, post, url

NEW_RULE = url("handoff:rule-new")
TEAM = url("handoff:team-settings", "team")
PIPELINE = url("sales:pipeline-edit", "pipeline")
SCORING = url("marketing:scoring")
FORM_SETTINGS = url("marketing:form-settings", "campaign")


def playbook(w) -> str:
    return reverse("handoff:playbook-edit", args=[w.open_stage.pk])


def rule(what: str, field: str, value, **more) -> Case:
    send = form(NEW_RULE, "Add rule", **{"name": "Benelux", field: value, **more})
    return Case(what, "manager", send, 400, field=field)


def team(what: str, field: str, value) -> Case:
    return Case(what, "manager", form(TEAM, "Save settings", **{field: value}), 400, field=field)


def fit_rule(what: str, field: str, value, **more) -> Case:
    fields = {"label": "Chiefs", "field": "title", "operator": "contains", "value": "chief", "points": "5"}
    send = form(SCORING, "Add rule and re-score", **{**fields, field: value, **more})
    return Case(what, "marketer", send, 400, field=field)


SETTINGS = [
    rule("a routing rule for 51 countries", "countries", ", ".join(f"Land {n}" for n in range(51))),
    rule("a routing rule for a country of 101 characters", "countries", "x" * 101),
    rule("a routing rule from a score of 10^30", "min_score", "1" + "0" * 30),
    rule("a routing rule up to a score below its lowest", "max_score", "5", min_score="10"),
    rule("a routing rule to another team", "team", lambda w: str(w.other_team.pk)),
    rule("a routing rule for an unknown source", "sources", "carrier_pigeon"),
    rule("a routing rule for a campaign that does not exist", "campaign", "2000000000"),
    team("a time zone that does not exist", "time_zone", "Mars/Olympus_Mons"),
    team("an SLA of 0 minutes", "sla_minutes", "0"),
    team("an SLA of 10^30 minutes", "sla_minutes", "1" + "0" * 30),
    team("a target of 101 %", "sla_target_percent", "101"),
    team("a working day 8", "working_days", "8"),
    team("a day ending at 25:00", "day_ends", "25:00"),
    team("a day ending before it starts", "day_ends", "08:00"),
    Case(
        "a playbook asset linking to javascript:",
        "marketer",
        form(playbook, "Save playbook", **{"assets-0-title": "Case study", "assets-0-url": "javascript:alert(1)"}),
        400,
        field="assets-0-url",
    ),
    Case(
        "a playbook without its formset's management form",
        "marketer",
        form(playbook, "Save playbook", **{"assets-TOTAL_FORMS": DROP, "assets-INITIAL_FORMS": DROP}),
        400,
    ),
    Case(
        "a playbook claiming 10^9 assets",
        "marketer",
        form(playbook, "Save playbook", **{"assets-TOTAL_FORMS": "1000000000"}),
        400,
    ),
    Case(
        "<script> in the playbook's guidance and exit criteria",
        "marketer",
        form(playbook, "Save playbook", buyer_guidance=script("guidance"), exit_criteria="- " + script("criteria")),
        303,
        changes={"sales.Stage": 0},
        then=shown_escaped(
            ("rep", url("sales:deal-detail", "rep_deal"), (script("guidance"), script("criteria"))),
            ("marketer", url("handoff:playbooks"), (script("guidance"),)),
        ),
    ),
    Case(
        # A browser sends the blank new row's Kind as its first option: the row must still count as blank.
        "the stages table saved as the page renders it, one stage renamed",
        "manager",
        form(PIPELINE, "Save stages", **{"stages-1-name": "Qualified"}),
        303,
        changes={"sales.Stage": 0},
    ),
    Case(
        "the pipeline's stages without the management form",
        "manager",
        form(PIPELINE, "Save stages", **{"stages-TOTAL_FORMS": DROP}),
        400,
    ),
    Case(
        "a stage with a probability of 101 %",
        "manager",
        form(PIPELINE, "Save stages", **{"stages-0-probability": "101"}),
        400,
        field="stages-0-probability",
    ),
    Case(
        "a stage of an unknown kind",
        "manager",
        form(PIPELINE, "Save stages", **{"stages-0-kind": "maybe"}),
        400,
        field="stages-0-kind",
    ),
    Case(
        "a move between stages of no pipeline",
        "manager",
        post(lambda w: reverse("sales:pipeline-moves", args=[w.pipeline.pk]), {"moves": ["2000000000-1"]}),
        400,
    ),
    fit_rule("a fit rule of 1,001 points", "points", "1001"),
    fit_rule("a fit rule with an unknown operator", "operator", "matches_regex"),
    fit_rule("a fit rule comparing a title with a number it is not", "value", "NaN", operator="greater"),
    fit_rule("a fit rule on an unknown field", "field", "password"),
    Case(
        "an MQL threshold of 10^30",
        "marketer",
        form(SCORING, "Save and re-score", mql_threshold="1" + "0" * 30),
        400,
        field="mql_threshold",
    ),
    Case(
        "a public form asking for a field that does not exist",
        "marketer",
        form(FORM_SETTINGS, "Save form", ask_password="on", fields="password,is_staff"),
        303,
        changes={"marketing.LeadForm": 0},
        then=lambda cast, response: _asks_no_password(cast),
    ),
    Case(
        "a question of an unknown kind",
        "marketer",
        form(FORM_SETTINGS, "Add question", label="Budget?", kind="telepathy"),
        400,
        field="kind",
    ),
]


def _asks_no_password(cast) -> None:
    page = cast.client("anonymous").get(reverse("marketing:capture-form", args=[cast.world.campaign.utm_campaign]))
    assert page.status_code == 200
    assert b'name="password"' not in page.content and b'name="is_staff"' not in page.content
