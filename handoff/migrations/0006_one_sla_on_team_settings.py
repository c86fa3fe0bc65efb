"""One SLA: the target share moves onto each team's settings; the agreement stops keeping a copy.

Before, three numbers said how fast sales answers: the team's working minutes (what the
clock and the sweep enforce), the agreement's own minutes and target share, and the
dashboard's fixed 90 %. From here on the team's settings hold both the minutes and the
target (docs in README, "One SLA").

Carried over: the target share of the agreement in force today (else the latest one)
becomes every team's target. The agreement's minutes are not carried: each offer's
deadline was, and stays, the team's own minutes, so no offer's clock changes. A team with
no settings row (around the clock, LEADFLOW_OFFER_SLA_MINUTES) gets a row saying exactly
that plus the carried target, unless the target is the default one anyway.
"""

import datetime

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

DEFAULT_TARGET_PERCENT = 90
MIDNIGHT = datetime.time(0)


def carry_the_target_to_the_teams(apps, schema_editor):
    Commitment = apps.get_model("handoff", "Commitment")
    TeamSettings = apps.get_model("handoff", "TeamSettings")
    Team = apps.get_model("sales", "Team")
    commitments = Commitment.objects.order_by("-starts_on")
    current = commitments.filter(starts_on__lte=timezone.localdate()).first() or commitments.first()
    if current is None:
        return
    target = current.response_target_percent
    TeamSettings.objects.update(sla_target_percent=target)
    if target == DEFAULT_TARGET_PERCENT:
        return
    TeamSettings.objects.bulk_create(
        [
            TeamSettings(
                team=team,
                time_zone="UTC",
                working_days="0123456",
                day_starts=MIDNIGHT,
                day_ends=MIDNIGHT,  # 00:00–00:00 every day: around the clock, as before
                sla_minutes=settings.LEADFLOW_OFFER_SLA_MINUTES,
                sla_target_percent=target,
            )
            for team in Team.objects.exclude(pk__in=TeamSettings.objects.values("team_id"))
        ]
    )


def copy_the_strictest_back(apps, schema_editor):
    """Backwards: each agreement gets the strictest team SLA (fewest minutes, highest target)."""
    Commitment = apps.get_model("handoff", "Commitment")
    TeamSettings = apps.get_model("handoff", "TeamSettings")
    Team = apps.get_model("sales", "Team")
    slas = list(TeamSettings.objects.values_list("sla_minutes", "sla_target_percent"))
    if Team.objects.exclude(pk__in=TeamSettings.objects.values("team_id")).exists() or not slas:
        slas.append((settings.LEADFLOW_OFFER_SLA_MINUTES, DEFAULT_TARGET_PERCENT))  # a team on the defaults
    Commitment.objects.update(
        response_minutes=min(m for m, _t in slas), response_target_percent=max(t for _m, t in slas)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0005_erasure_records"),
        ("sales", "0005_text_defaults_for_bulk_writers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="teamsettings",
            name="sla_target_percent",
            field=models.PositiveSmallIntegerField(
                default=90, help_text="Share of offers the team aims to answer within the SLA (%)."
            ),
        ),
        migrations.AddConstraint(
            model_name="teamsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("sla_target_percent__gte", 1), ("sla_target_percent__lte", 100)),
                name="team_sla_target_is_a_percent",
            ),
        ),
        migrations.RunPython(carry_the_target_to_the_teams, copy_the_strictest_back),
        migrations.RemoveConstraint(model_name="commitment", name="commitment_response_positive"),
        migrations.RemoveConstraint(model_name="commitment", name="commitment_target_is_a_percent"),
        # A default only so that migrating backwards can add the column to existing rows.
        migrations.AlterField(
            model_name="commitment",
            name="response_minutes",
            field=models.PositiveIntegerField(
                default=240, help_text="Working minutes sales takes to answer an offer."
            ),
        ),
        migrations.RemoveField(model_name="commitment", name="response_minutes"),
        migrations.RemoveField(model_name="commitment", name="response_target_percent"),
    ]
