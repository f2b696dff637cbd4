"""A committed INSERT of issues wakes the routing relay (`manage.py issues_relay`) on PostgreSQL.

A statement-level trigger sends `NOTIFY issues_logged` with no payload: PostgreSQL delivers it at
COMMIT (never for a rolled-back row) and folds the notices of one transaction into one. It is only a
wake-up: the relay reads which issues wait from the rows themselves (issues.services.routing), so a
notice nobody heard loses nothing.
"""

from django.db import migrations

from guilin_portal.migration_ops import on_postgresql

CREATE = r"""
CREATE OR REPLACE FUNCTION portal_issues_logged_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('issues_logged', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER issues_logged_notify AFTER INSERT ON grids_issue
    FOR EACH STATEMENT EXECUTE FUNCTION portal_issues_logged_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS issues_logged_notify ON grids_issue;
DROP FUNCTION IF EXISTS portal_issues_logged_notify();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0006_issue_status_due_with_unit"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
