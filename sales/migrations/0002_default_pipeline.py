from django.db import migrations

from sales.pipelines import ensure_default_pipeline


def create_default_pipeline(apps, schema_editor):
    ensure_default_pipeline(
        apps.get_model("sales", "Pipeline"), apps.get_model("sales", "Stage"), apps.get_model("sales", "StageTransition")
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create_default_pipeline, migrations.RunPython.noop)]
