# The scorecard rollup, its stale marks and the digests sent, taken over from handoff
# (handoff/migrations/0008): their tables already exist with their rows, so only Django's
# state is created here; db_table keeps the handoff_* names. A new database gets the tables
# from handoff's 0002, as before.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("handoff", "0008_scorecards_and_digests_move_to_insights"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScorecardDirty',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dimension', models.CharField(choices=[('source', 'Source'), ('campaign', 'Campaign'), ('lead_type', 'Lead type'), ('segment', 'Segment'), ('industry', 'Industry'), ('rep', 'Salesperson')], max_length=20)),
                        ('key', models.CharField(max_length=200)),
                        ('marked_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'handoff_scorecarddirty',
                    },
                ),
                migrations.CreateModel(
                    name='ScorecardRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dimension', models.CharField(choices=[('source', 'Source'), ('campaign', 'Campaign'), ('lead_type', 'Lead type'), ('segment', 'Segment'), ('industry', 'Industry'), ('rep', 'Salesperson')], max_length=20)),
                        ('key', models.CharField(max_length=200)),
                        ('label', models.CharField(max_length=200)),
                        ('leads', models.PositiveIntegerField(default=0)),
                        ('mqls', models.PositiveIntegerField(default=0)),
                        ('offered', models.PositiveIntegerField(default=0)),
                        ('accepted', models.PositiveIntegerField(default=0)),
                        ('rejected', models.PositiveIntegerField(default=0)),
                        ('rejection_reasons', models.JSONField(blank=True, default=dict)),
                        ('sqls', models.PositiveIntegerField(default=0)),
                        ('won', models.PositiveIntegerField(default=0)),
                        ('lost', models.PositiveIntegerField(default=0)),
                        ('revenue', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ('cost', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ('cost_basis', models.CharField(blank=True, max_length=10)),
                        ('lead_time_days', models.FloatField(blank=True, help_text='Median days from MQL to won.', null=True)),
                        ('rating_sum', models.PositiveIntegerField(default=0)),
                        ('rating_count', models.PositiveIntegerField(default=0)),
                        ('refreshed_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'handoff_scorecardrow',
                        'ordering': ['dimension', 'label'],
                        'constraints': [models.UniqueConstraint(fields=('dimension', 'key'), name='one_scorecard_row_per_group')],
                    },
                ),
                migrations.CreateModel(
                    name='DigestSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week_starts', models.DateField()),
                        ('sent_at', models.DateTimeField()),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'handoff_digestsent',
                        'constraints': [models.UniqueConstraint(fields=('week_starts', 'user'), name='one_digest_per_marketer_week')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
