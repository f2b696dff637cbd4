"""Open311 clients share the portal's API-key model (guilin_portal.api_keys.ApiKey).

The secret's hash is the field `secret_hash` now, kept in its column `api_key_hash` (a change of the
model's state only); keys may carry an expiry time (a new nullable column: every existing key keeps
lasting until revoked). The service-account proxy model is gone (a proxy has no table).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0002_revoked_by"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="open311client", old_name="api_key_hash", new_name="secret_hash"),
                migrations.AlterField(
                    model_name="open311client",
                    name="secret_hash",
                    field=models.CharField(db_column="api_key_hash", editable=False, max_length=64),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="open311client",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="过期时间"),
        ),
        migrations.DeleteModel(name="Open311ServiceAccount"),
    ]
