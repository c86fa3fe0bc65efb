"""Migration 0006 carries the agreement's target share onto each team's settings (the one SLA),
keeps every team's minutes (the deadlines offers already have), and drops the agreement's copy."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("handoff", "0005_erasure_records")]
AFTER = [("handoff", "0006_one_sla_on_team_settings")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    """The models as they were before the one SLA; the schema is brought back up afterwards."""
    yield migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_target_in_force_becomes_every_teams_target_and_the_minutes_stay(old_apps, settings):
    settings.LEADFLOW_OFFER_SLA_MINUTES = 240
    Team, TeamSettings = old_apps.get_model("sales", "Team"), old_apps.get_model("handoff", "TeamSettings")
    Commitment = old_apps.get_model("handoff", "Commitment")
    inside, field = Team.objects.create(name="Inside Sales"), Team.objects.create(name="Field Sales")
    TeamSettings.objects.create(team=inside, time_zone="America/New_York", working_days="01234", sla_minutes=120)
    this_month = timezone.localdate().replace(day=1)
    for starts_on, target in [
        (this_month - datetime.timedelta(days=400), 70),
        (this_month, 85),  # in force today
        (this_month + datetime.timedelta(days=400), 60),
    ]:
        Commitment.objects.create(
            starts_on=starts_on, mqls_per_month=24, response_minutes=90, response_target_percent=target
        )

    new_apps = migrate(AFTER)

    rows = {row.team_id: row for row in new_apps.get_model("handoff", "TeamSettings").objects.all()}
    assert (rows[inside.pk].sla_minutes, rows[inside.pk].sla_target_percent) == (120, 85)
    assert rows[inside.pk].time_zone == "America/New_York"
    # The team that had no settings keeps its clock (around the clock, the default minutes).
    around = rows[field.pk]
    assert (around.working_days, around.day_starts, around.day_ends) == ("0123456", datetime.time(0), datetime.time(0))
    assert (around.sla_minutes, around.sla_target_percent) == (240, 85)
    commitment_fields = {f.name for f in new_apps.get_model("handoff", "Commitment")._meta.get_fields()}
    assert not commitment_fields & {"response_minutes", "response_target_percent"}
    assert new_apps.get_model("handoff", "Commitment").objects.count() == 3


def test_without_an_agreement_the_teams_get_the_default_target_and_no_new_rows(old_apps):
    Team, TeamSettings = old_apps.get_model("sales", "Team"), old_apps.get_model("handoff", "TeamSettings")
    inside = Team.objects.create(name="Inside Sales")
    Team.objects.create(name="Field Sales")
    TeamSettings.objects.create(team=inside, sla_minutes=120)

    new_apps = migrate(AFTER)

    rows = list(new_apps.get_model("handoff", "TeamSettings").objects.values_list("team_id", "sla_target_percent"))
    assert rows == [(inside.pk, 90)]
