"""The rules of 三会一课 as the Party's regulations set them (DESIGN.md, "party organisations"):
a branch's general meeting every quarter, its committee every month, a group's meeting every month,
a party lecture every quarter. Data, not code: the admin changes the count and the period."""

from django.db import migrations

DEFAULT_RULES = [
    # (meeting kind, organisation kind, count, period in months)
    ("general", "branch", 1, 3),
    ("committee", "branch", 1, 1),
    ("lecture", "branch", 1, 3),
    ("general", "general_branch", 1, 3),
    ("committee", "general_branch", 1, 1),
    ("lecture", "general_branch", 1, 3),
    ("group", "group", 1, 1),
]


def add_rules(apps, schema_editor):
    MeetingRule = apps.get_model("party", "MeetingRule")
    for meeting_kind, organisation_kind, count, months in DEFAULT_RULES:
        MeetingRule.objects.get_or_create(
            meeting_kind=meeting_kind,
            organisation_kind=organisation_kind,
            defaults={"count": count, "period_months": months},
        )


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
