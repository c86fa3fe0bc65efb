"""The rules marketing/scoring.py had in code, as data marketers can now edit (same scores)."""

from django.db import migrations

FREE_MAIL = (
    "gmail.com, googlemail.com, yahoo.com, hotmail.com, outlook.com, live.com, aol.com, icloud.com, me.com, "
    "gmx.com, gmx.de, web.de, mail.com, proton.me, protonmail.com, yandex.ru"
)
SENIOR = "chief, ceo, cto, cfo, cmo, coo, founder, owner, president, vp, vice president, head, director"
MANAGER = "manager, lead, principal"

FIT = [
    # label, field, operator, value, points, group
    ("Business email domain", "email_domain", "not_in_list", FREE_MAIL, 10, ""),
    ("Company given", "company", "is_set", "", 10, ""),
    ("Senior title", "title", "has_word", SENIOR, 20, "title"),
    ("Manager title", "title", "has_word", MANAGER, 10, "title"),
    ("Phone given", "phone", "is_set", "", 5, ""),
]
ENGAGEMENT = [
    # kind, points each, counted at most
    ("meeting_request", 30, 1),
    ("webinar", 15, 2),
    ("event", 15, 2),
    ("form_submit", 10, 3),
    ("api", 10, 3),
    ("content_download", 8, 3),
    ("email_click", 4, 5),
    ("page_view", 1, 10),
]


def seed(apps, schema_editor):
    FitRule = apps.get_model("marketing", "FitRule")
    EngagementRule = apps.get_model("marketing", "EngagementRule")
    ScoringSettings = apps.get_model("marketing", "ScoringSettings")
    if not FitRule.objects.exists():
        FitRule.objects.bulk_create(
            FitRule(label=label, field=field, operator=operator, value=value, points=points, group=group, position=n)
            for n, (label, field, operator, value, points, group) in enumerate(FIT, start=1)
        )
    for kind, points, cap in ENGAGEMENT:
        EngagementRule.objects.get_or_create(kind=kind, defaults={"points": points, "max_count": cap})
    # No threshold of its own: the LEADFLOW_MQL_THRESHOLD setting stays the default.
    ScoringSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0007_scoring_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
