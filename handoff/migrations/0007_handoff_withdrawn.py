"""A handoff can be withdrawn: its lead left sales' hands while it was on offer (disqualified,
merged away, erased), so nobody can take it and no sweep offers it again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0006_one_sla_on_team_settings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="handoff",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("offered", "Offered"),
                    ("accepted", "Accepted"),
                    ("rejected", "Rejected"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
    ]
