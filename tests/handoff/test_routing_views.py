"""Routing & SLA pages: managers edit their teams' hours and rules; others get 403 or 404."""

import datetime

import pytest
from django.urls import reverse

from handoff.models import RejectionRule, RoutingRule, TeamSettings
from tests import factories
from tests.conftest import logged_in
from tests.handoff.factories import rule, team_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def frank(other_team):
    """The manager of the other team."""
    return factories.sales_manager(other_team, username="frank")


def settings_form(**overrides) -> dict:
    return {
        "time_zone": "Europe/Berlin",
        "working_days": ["0", "1", "2", "3", "4"],
        "day_starts": "08:30",
        "day_ends": "17:30",
        "sla_minutes": "120",
        "sla_target_percent": "85",
        "max_open_offers": "5",
        **overrides,
    }


def rule_form(team, **overrides) -> dict:
    return {"name": "Nordics", "team": str(team.pk), "is_active": "on", "countries": "Sweden, Norway", **overrides}


# --- the routing page ---------------------------------------------------------------------


def test_a_manager_sees_their_teams_the_rules_and_what_each_rejection_does(team, rep, manager, frank, other_team):
    team_hours(team, manager=manager, time_zone="Europe/Berlin", sla_minutes=90, cap=4)
    rule(team, manager=manager, name="Big <b>fish</b>", min_score=80)
    rule(other_team, manager=frank, name="Their rule")
    response = logged_in(manager).get(reverse("handoff:routing"))
    assert response.status_code == 200
    text = response.text
    assert "Inside Sales" in text and "Field Sales" not in text.split("Routing rules")[0]
    assert "Europe/Berlin" in text and "90 min" in text
    assert "Big &lt;b&gt;fish&lt;/b&gt;" in text and "<b>fish</b>" not in text
    assert "Another manager's team" in text  # their rule is listed (order matters) but not editable
    assert "Back to nurture for 90 days" in text


@pytest.mark.parametrize("persona", ["rep", "marketer"])
def test_only_managers_and_admins_open_routing(request, persona):
    user = request.getfixturevalue(persona)
    assert logged_in(user).get(reverse("handoff:routing")).status_code == 403


def test_an_admin_manages_every_team(admin_user, team, other_team):
    response = logged_in(admin_user).get(reverse("handoff:routing"))
    assert response.status_code == 200
    assert "Inside Sales" in response.text and "Field Sales" in response.text


# --- team settings ---------------------------------------------------------------------------


def test_a_manager_sets_their_teams_hours_and_sla(team, manager):
    response = logged_in(manager).post(reverse("handoff:team-settings", args=[team.pk]), settings_form())
    assert response.status_code == 303
    config = TeamSettings.objects.get(team=team)
    assert (config.time_zone, config.working_days, config.day_starts, config.day_ends) == (
        "Europe/Berlin",
        "01234",
        datetime.time(8, 30),
        datetime.time(17, 30),
    )
    assert (config.sla_minutes, config.max_open_offers, config.updated_by) == (120, 5, manager)


def test_another_managers_team_does_not_exist_for_you(manager, frank, other_team):
    url = reverse("handoff:team-settings", args=[other_team.pk])
    assert logged_in(manager).get(url).status_code == 404
    assert logged_in(manager).post(url, settings_form()).status_code == 404
    assert not TeamSettings.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus"),
        ("working_days", []),
        ("working_days", ["9"]),
        ("day_ends", "08:00"),
        ("sla_minutes", "0"),
        ("sla_minutes", "abc"),
        ("max_open_offers", "-1"),
        ("day_starts", "25:00"),
    ],
)
def test_bad_team_settings_are_refused_on_their_field_and_change_nothing(team, manager, field, value):
    team_hours(team, manager=manager, sla_minutes=240)
    response = logged_in(manager).post(
        reverse("handoff:team-settings", args=[team.pk]), settings_form(**{field: value})
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert TeamSettings.objects.get(team=team).sla_minutes == 240


def test_a_rep_cannot_change_team_settings(team, rep):
    assert logged_in(rep).post(reverse("handoff:team-settings", args=[team.pk]), settings_form()).status_code == 403


# --- rules -----------------------------------------------------------------------------------


def test_a_manager_adds_a_rule_that_goes_last(team, manager):
    first = rule(team, manager=manager, name="First")
    response = logged_in(manager).post(reverse("handoff:rule-new"), rule_form(team, sources=["event", "webinar"]))
    assert response.status_code == 303
    added = RoutingRule.objects.exclude(pk=first.pk).get()
    assert (added.name, added.countries, added.sources, added.position > first.position) == (
        "Nordics",
        ["Sweden", "Norway"],
        ["event", "webinar"],
        True,
    )


def test_a_rule_cannot_send_leads_to_another_managers_team(manager, frank, other_team):
    response = logged_in(manager).post(reverse("handoff:rule-new"), rule_form(other_team))
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"min_score": "50", "max_score": "10"},
        {"sources": ["carrier_pigeon"]},
        {"company_sizes": ["huge"]},
        {"campaign": "999999"},
        {"countries": ",".join(["x"] * 60)},
        {"industries": "y" * 101},
        {"min_score": "1e9"},
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(team, manager, overrides):
    response = logged_in(manager).post(reverse("handoff:rule-new"), rule_form(team, **overrides))
    assert response.status_code == 400
    assert set(overrides) & set(response.context["form"].errors)
    assert not RoutingRule.objects.exists()


def test_a_manager_edits_moves_and_deletes_their_rules(team, manager):
    first, second = rule(team, manager=manager, name="First"), rule(team, manager=manager, name="Second")
    client = logged_in(manager)
    response = client.post(reverse("handoff:rule-edit", args=[first.pk]), rule_form(team, name="Renamed"))
    assert response.status_code == 303
    assert client.post(reverse("handoff:rule-move", args=[second.pk]), {"direction": "up"}).status_code == 303
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["Second", "Renamed"]
    assert client.post(reverse("handoff:rule-delete", args=[first.pk])).status_code == 303
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["Second"]


def test_another_managers_rule_is_a_404_to_edit_move_or_delete(team, manager, frank, other_team):
    theirs = rule(other_team, manager=frank, name="Theirs")
    client = logged_in(manager)
    assert client.get(reverse("handoff:rule-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("handoff:rule-move", args=[theirs.pk]), {"direction": "up"}).status_code == 404
    assert client.post(reverse("handoff:rule-delete", args=[theirs.pk])).status_code == 404
    assert RoutingRule.objects.get().name == "Theirs"


def test_moving_a_rule_needs_a_direction(team, manager):
    mine = rule(team, manager=manager, name="Mine")
    response = logged_in(manager).post(reverse("handoff:rule-move", args=[mine.pk]), {"direction": "sideways"})
    assert response.status_code == 400
    assert "direction" in response.text


def test_deleting_needs_a_post(team, manager):
    mine = rule(team, manager=manager, name="Mine")
    assert logged_in(manager).get(reverse("handoff:rule-delete", args=[mine.pk])).status_code == 405
    assert RoutingRule.objects.exists()


# --- recycling rules -----------------------------------------------------------------------


def recycling_form(**overrides) -> dict:
    data = {}
    for reason in ["bad_fit", "no_budget", "no_authority", "no_need", "bad_timing", "duplicate", "spam",
                   "wrong_contact", "other"]:  # fmt: skip
        data[f"{reason}-action"] = "nurture"
        data[f"{reason}-cooldown_days"] = "10"
    return {**data, **overrides}


def test_a_manager_sets_what_each_rejection_does(manager):
    response = logged_in(manager).post(
        reverse("handoff:recycling"), recycling_form(**{"spam-action": "disqualify", "no_budget-cooldown_days": "120"})
    )
    assert response.status_code == 303
    rules = {rule.reason: (rule.action, rule.cooldown_days) for rule in RejectionRule.objects.all()}
    assert rules["spam"] == ("disqualify", 0)  # a cool-down means nothing for a disqualified lead
    assert rules["no_budget"] == ("nurture", 120)
    assert len(rules) == 9


@pytest.mark.parametrize(
    "overrides", [{"spam-action": "explode"}, {"no_need-cooldown_days": "-5"}, {"other-cooldown_days": "99999"}]
)
def test_bad_recycling_rules_change_none_of_them(manager, overrides):
    response = logged_in(manager).post(reverse("handoff:recycling"), recycling_form(**overrides))
    assert response.status_code == 400
    assert not RejectionRule.objects.exists()


def test_a_marketer_cannot_change_recycling_rules(marketer):
    assert logged_in(marketer).post(reverse("handoff:recycling"), recycling_form()).status_code == 403
    assert not RejectionRule.objects.exists()


@pytest.mark.parametrize(
    "model",
    [
        "handoff_teamsettings",
        "handoff_routingrule",
        "handoff_rejectionrule",
        "handoff_commitment",
        "insights_scorecardrow",
    ],
)
def test_an_admin_sees_the_handoff_settings_in_the_admin(admin_user, team, manager, model):
    team_hours(team, manager=manager)
    rule(team, manager=manager, name="<b>Bold</b> rule")
    response = logged_in(admin_user).get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200
    assert "<b>Bold</b>" not in response.text
