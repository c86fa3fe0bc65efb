# The scorecard rollup, its stale marks and the digests sent moved to the insights app
# (insights/migrations/0001). Only Django's state changes: the tables, their rows and
# constraints stay as they are, insights' models name them with db_table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0007_handoff_withdrawn"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ScorecardDirty"),
                migrations.DeleteModel(name="ScorecardRow"),
                migrations.DeleteModel(name="DigestSent"),
            ],
            database_operations=[],
        ),
    ]
