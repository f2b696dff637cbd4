"""The capped count of a list in one round trip on PostgreSQL (issues/pagination.py): the planner's
estimate, then, only when it is small enough, the count of at most cap + 1 rows; a count that runs out
of the statement's time budget answers NULL with the estimate instead of failing the statement."""

from django.db import migrations

from guilin_portal.migration_ops import on_postgresql

CREATE = r"""
CREATE OR REPLACE FUNCTION portal_capped_count(list_sql text, cap integer, not_above bigint)
RETURNS TABLE (counted bigint, estimate bigint)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || list_sql INTO plan;
    estimate := COALESCE((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::bigint, 0);
    counted := NULL;
    IF estimate <= not_above THEN
        BEGIN
            EXECUTE 'SELECT count(*) FROM (' || list_sql || ' LIMIT ' || (cap + 1) || ') AS capped' INTO counted;
        EXCEPTION WHEN query_canceled THEN
            counted := NULL;  -- the statement's time budget ran out: the estimate is all there is
        END;
    END IF;
    RETURN NEXT;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS portal_capped_count(text, integer, bigint);"


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0004_issue_location_accuracy"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
