from django.db import migrations
from django.db.models import F

from sales.pipelines import ensure_lost_reasons


def forwards(apps, schema_editor):
    ensure_lost_reasons(apps.get_model("sales", "LostReason"))
    # Deals from before the column existed were last touched when they were last saved.
    apps.get_model("sales", "Deal").objects.filter(last_activity_at__isnull=True).update(
        last_activity_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_playbook_lost_reasons_activities")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
