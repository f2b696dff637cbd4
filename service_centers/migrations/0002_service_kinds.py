"""The red stations' menu of services: the report's four, and a few more as data (the admin adds others)."""

from django.db import migrations

KINDS = [
    ("consultation", "咨询", 10),
    ("medical", "医疗救助", 20),
    ("rescue", "救援", 30),
    ("mediation", "纠纷调解", 40),
    ("lost_found", "失物招领", 50),
    ("rest", "休息饮水", 60),
    ("charging", "应急充电", 70),
    ("guide", "导游讲解", 80),
]


def add_kinds(apps, schema_editor):
    ServiceKind = apps.get_model("service_centers", "ServiceKind")
    for code, name, order in KINDS:
        ServiceKind.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


def remove_kinds(apps, schema_editor):
    apps.get_model("service_centers", "ServiceKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("service_centers", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, remove_kinds)]
