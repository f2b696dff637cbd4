"""IssueFact gets its street's path, which now leads its indexes.

The facts are derived data: they are emptied here and the roll-up's state is
reset, so the next refresh (five-minute job, `manage.py dashboards_rollup`)
rebuilds both in full.
"""

from django.db import migrations, models


def forget_facts(apps, schema_editor):
    apps.get_model("dashboards", "IssueFact").objects.all().delete()
    # Until the next refresh rebuilds them, the dashboards count live (as before the first build).
    apps.get_model("dashboards", "RollupState").objects.update(watermark=None, as_of=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0003_issuefact"),
    ]

    operations = [
        migrations.RunPython(forget_facts, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="issuefact", name="issuefact_path_created"),
        migrations.RemoveIndex(model_name="issuefact", name="issuefact_path_resolved"),
        migrations.AddField(
            model_name="issuefact",
            name="street_path",
            field=models.CharField(default="", max_length=12, verbose_name="街道路径"),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="issuefact",
            index=models.Index(fields=["street_path", "created_at"], name="issuefact_street_created"),
        ),
        migrations.AddIndex(
            model_name="issuefact",
            index=models.Index(fields=["street_path", "resolved_at", "hours"], name="issuefact_street_resolved"),
        ),
    ]
