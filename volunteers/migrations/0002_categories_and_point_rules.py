"""Load the eight service categories and the default point rules (data, edited in the admin afterwards)."""

from django.db import migrations


def load(apps, schema_editor):
    from volunteers.categories import CATEGORIES, DEFAULT_POINT_RULES

    ServiceCategory = apps.get_model("volunteers", "ServiceCategory")
    PointRule = apps.get_model("volunteers", "PointRule")
    by_code = {}
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        category, _created = ServiceCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
        by_code[code] = category
    for code, kind, rate, per_hour, per_service, note in DEFAULT_POINT_RULES:
        PointRule.objects.get_or_create(
            category=by_code.get(code) if code else None,
            activity_kind=kind,
            is_active=True,
            defaults={"hours_rate": rate, "points_per_hour": per_hour, "points_per_service": per_service, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
