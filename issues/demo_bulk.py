"""Issues by the million for benchmarks: set-based, in one INSERT ... SELECT over generate_series (PostgreSQL).

`seed_demo` writes each issue's whole story (events, tasks, notifications) from Python, which is
right for a demo of 16,000 issues and far too slow for 1,000,000. Here the database draws the rows
itself: a random micro-grid unit (area, compound or zone) and category each, the community office as
handler, and outcomes as a city that keeps up would show them (62 % closed after feedback, 50 %
satisfied and 12 % basically, 33.5 % resolved and waiting for feedback, of which 4 % were reopened
by a dissatisfied resident and resolved again (their last word stays dissatisfied until the return
visit: a satisfaction rate near 94 %), 4 % rejected, 0.5 % still being handled, logged in the last
ten days). No timeline rows: the lists, figures and roll-ups read the issue rows only. About a minute per million rows on a quiet machine; memory stays flat (nothing
comes back to Python).
"""

from __future__ import annotations

from django.db import connection

GENERATED = "基准测试问题 "  # the description prefix of generated issues (and how to find them again)

GROW_SQL = """
WITH units AS (
    SELECT array_agg(u.id ORDER BY u.id) AS unit_ids, array_agg(c.id ORDER BY u.id) AS office_ids,
           array_agg(u.bbox_south ORDER BY u.id) AS south, array_agg(u.bbox_north ORDER BY u.id) AS north,
           array_agg(u.bbox_west ORDER BY u.id) AS west, array_agg(u.bbox_east ORDER BY u.id) AS east
    FROM grids_gridunit u JOIN grids_gridunit c ON c.path = substr(u.path, 1, 16)
    WHERE u.level >= 5
), cats AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(kind ORDER BY id) AS kinds,
           array_agg(time_limit_hours ORDER BY id) AS hours
    FROM grids_issuecategory
), reporter AS (
    SELECT user_id AS id FROM grids_post WHERE role = 'grid_worker' ORDER BY user_id LIMIT 1
), fated AS (
    SELECT g,
           1 + floor(random() * array_length(units.unit_ids, 1))::int AS u,
           1 + floor(random() * array_length(cats.ids, 1))::int AS c,
           random() AS fate,
           1 + random() * 200 AS took
    FROM generate_series(1, %(n)s) g, units, cats
), drawn AS (
    SELECT f.*,
           CASE WHEN f.fate >= 0.955 AND f.fate < 0.96 THEN now() - random() * interval '10 days'
                ELSE now() - random() * interval '730 days' END AS created
    FROM fated f
), timed AS (
    SELECT d.*,
           CASE WHEN d.fate < 0.955 THEN LEAST(d.created + make_interval(secs => d.took * 3600), now()) END AS done
    FROM drawn d
)
INSERT INTO grids_issue (
    unit_id, category_id, kind, description, location_text, resident_name, resident_phone, priority, reporter_id,
    status, version, created_at, updated_at, due_at, remind_at, routed_at, routing_no_rule, handler_kind,
    handler_unit_id, resolution, resolved_at, satisfaction, closed_at, reopen_count, reject_reason,
    escalation_level, latitude, longitude)
SELECT units.unit_ids[t.u], cats.ids[t.c], cats.kinds[t.c], %(prefix)s || t.g, '', '',
       '', 1, reporter.id,
       CASE WHEN t.fate < 0.62 THEN 'closed' WHEN t.fate < 0.955 THEN 'resolved'
            WHEN t.fate < 0.96 THEN 'in_progress' ELSE 'rejected' END,
       1, t.created, COALESCE(t.done, t.created),
       t.created + make_interval(hours => cats.hours[t.c]),
       t.created + make_interval(hours => cats.hours[t.c]) * 0.8,
       t.created, false, 'office', units.office_ids[t.u],
       CASE WHEN t.fate < 0.955 THEN '已处理' ELSE '' END,
       t.done,
       CASE WHEN t.fate < 0.50 THEN 'satisfied' WHEN t.fate < 0.62 THEN 'basic'
            WHEN t.fate < 0.66 THEN 'dissatisfied' ELSE '' END,
       CASE WHEN t.fate < 0.62 THEN t.done END,
       CASE WHEN t.fate >= 0.62 AND t.fate < 0.66 THEN 1 ELSE 0 END, CASE WHEN t.fate >= 0.96 THEN 'out_of_scope' ELSE '' END, 0,
       -- a GPS point well inside the unit's box (grids' demo boundaries); none where the unit has no boundary
       round((units.south[t.u] + (units.north[t.u] - units.south[t.u]) * (0.1 + 0.8 * random()))::numeric, 6),
       round((units.west[t.u] + (units.east[t.u] - units.west[t.u]) * (0.1 + 0.8 * random()))::numeric, 6)
FROM timed t, units, cats, reporter
"""


def issues_grow(*, total: int, chunk: int = 250_000, progress=None) -> int:
    """Add generated issues until the table holds `total` (PostgreSQL only); returns how many were added.

    Inserted in statements of `chunk` rows (each one INSERT ... SELECT generate_series), so the
    database's own memory stays bounded too, then ANALYZE so the planner knows the new size.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("issues_grow draws rows with generate_series: PostgreSQL only")
    from .models import Issue

    missing = total - Issue.objects.count()
    added = 0
    with connection.cursor() as cursor:
        while added < missing:
            n = min(chunk, missing - added)
            cursor.execute(GROW_SQL, {"n": n, "prefix": GENERATED})
            added += n
            if progress is not None:
                progress(added, missing)
        if added:
            cursor.execute("ANALYZE grids_issue")
    return added
