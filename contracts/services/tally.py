"""The quarterly tally 季度统计: set-based SQL, idempotent, the same on SQLite and PostgreSQL.

Two statements per run, each an INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE
over the partial unique indexes of QuarterlyTally (one row per scope and quarter):

1. contract rows: one GROUP BY over the quarter's due commitments (a commitment
   is due when it has a target that quarter), left-joined to their progress;
2. unit rows: the contract rows summed by community, then one GROUP BY over
   the materialised-path prefixes of those communities at each depth (city,
   district, street, community), each prefix joined back to its unit by the
   unique path index.

No Python loop touches a commitment or a contract, so memory does not grow
with the data and the time grows with the rows the database reads. A row is
rewritten only when one of its figures changed, so a second run of the same
quarter changes nothing (not even `updated_at`). Credit per due commitment:
met = its weight, partially met = half its weight, not met or unreported = 0.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import PATH_STEP, GridUnit, User

from ..models import (
    Commitment,
    CommitmentTarget,
    Contract,
    Progress,
    QuarterlyTally,
    TallyFigures,
    TallyRun,
)

TALLY = QuarterlyTally._meta.db_table
CONTRACT = Contract._meta.db_table
COMMITMENT = Commitment._meta.db_table
TARGET = CommitmentTarget._meta.db_table
PROGRESS = Progress._meta.db_table
UNIT = GridUnit._meta.db_table

FIGURES = TallyFigures.FIELDS
COLUMNS = ("year", "quarter", "scope", "unit_id", "contract_id", *FIGURES, "updated_at")

# Depth of each unit scope in the tree; a unit's path prefix at depth d is PATH_STEP * d characters.
LEVELS_SQL = " UNION ALL ".join(
    f"SELECT {int(level)} AS depth, '{scope}' AS scope" for scope, level in QuarterlyTally.SCOPE_LEVELS.items()
)

CREDIT = "CASE WHEN p.status = 'met' THEN d.weight WHEN p.status = 'partiallyMet' THEN d.weight * 0.5 ELSE 0 END"


def _upsert_tail(conflict: str) -> str:
    """ON CONFLICT … DO UPDATE that rewrites a row only when a figure changed."""
    changed = ["unit_id", *FIGURES]
    assignments = ", ".join(f"{column} = excluded.{column}" for column in (*changed, "updated_at"))
    differs = " OR ".join(f"{TALLY}.{column} IS DISTINCT FROM excluded.{column}" for column in changed)
    return f"ON CONFLICT {conflict} DO UPDATE SET {assignments} WHERE {differs}"


def _contract_rows_sql(within: bool) -> str:
    subtree = f"AND c.community_id IN (SELECT id FROM {UNIT} WHERE path LIKE %(prefix)s)" if within else ""
    return f"""
        INSERT INTO {TALLY} ({", ".join(COLUMNS)})
        SELECT %(year)s, %(quarter)s, 'contract', c.community_id, c.id, 1,
               COUNT(d.commitment_id),
               COALESCE(SUM(CASE WHEN p.status = 'met' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN p.status = 'partiallyMet' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN p.status = 'notMet' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN d.commitment_id IS NOT NULL AND (p.status IS NULL OR p.status = 'scheduled')
                                 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(d.weight), 0),
               COALESCE(SUM({CREDIT}), 0),
               CASE WHEN SUM(d.weight) > 0 THEN ROUND(100.0 * SUM({CREDIT}) / SUM(d.weight), 2) END,
               %(now)s
        FROM {CONTRACT} c
        LEFT JOIN (
            SELECT m.contract_id, m.id AS commitment_id, m.weight
            FROM {COMMITMENT} m JOIN {TARGET} t ON t.commitment_id = m.id
            WHERE t.quarter = %(quarter)s
        ) d ON d.contract_id = c.id
        LEFT JOIN {PROGRESS} p ON p.commitment_id = d.commitment_id AND p.year = %(year)s AND p.quarter = %(quarter)s
        WHERE c.year = %(year)s AND c.status <> 'draft' {subtree}
        GROUP BY c.id, c.community_id
        {_upsert_tail("(contract_id, year, quarter) WHERE contract_id IS NOT NULL")}
    """


def _unit_rows_sql(within: bool) -> str:
    subtree = "AND cg.path LIKE %(prefix)s" if within else ""
    sums = ", ".join(f"SUM({field}) AS {field}" for field in FIGURES if field != "completion_rate")
    rolled = ", ".join(f"SUM(cc.{field})" for field in FIGURES if field != "completion_rate")
    return f"""
        INSERT INTO {TALLY} ({", ".join(COLUMNS)})
        SELECT %(year)s, %(quarter)s, lv.scope, u.id, NULL, {rolled},
               CASE WHEN SUM(cc.weight_due) > 0
                    THEN ROUND(100.0 * SUM(cc.weight_credit) / SUM(cc.weight_due), 2) END,
               %(now)s
        FROM (
            SELECT unit_id, {sums}
            FROM {TALLY}
            WHERE year = %(year)s AND quarter = %(quarter)s AND contract_id IS NOT NULL
            GROUP BY unit_id
        ) cc
        JOIN {UNIT} cg ON cg.id = cc.unit_id
        JOIN ({LEVELS_SQL}) lv ON lv.depth >= %(min_depth)s
        JOIN {UNIT} u ON u.path = SUBSTR(cg.path, 1, {PATH_STEP} * lv.depth)
        WHERE cg.level = {int(GridUnit.Level.COMMUNITY)} {subtree}
        GROUP BY lv.scope, u.id
        {_upsert_tail("(unit_id, year, quarter) WHERE contract_id IS NULL")}
    """


def _stale_rows_sql() -> list[str]:
    """Rows of the quarter whose scope no longer exists (a contract left the year, a unit moved)."""
    return [
        f"""
        DELETE FROM {TALLY}
        WHERE year = %(year)s AND quarter = %(quarter)s AND contract_id IS NOT NULL
          AND contract_id NOT IN (SELECT id FROM {CONTRACT} WHERE year = %(year)s AND status <> 'draft')
        """,
        f"""
        DELETE FROM {TALLY}
        WHERE year = %(year)s AND quarter = %(quarter)s AND contract_id IS NULL
          AND unit_id NOT IN (
            SELECT u.id
            FROM (SELECT DISTINCT unit_id FROM {TALLY}
                  WHERE year = %(year)s AND quarter = %(quarter)s AND contract_id IS NOT NULL) cc
            JOIN {UNIT} cg ON cg.id = cc.unit_id
            JOIN ({LEVELS_SQL}) lv ON 1 = 1
            JOIN {UNIT} u ON u.path = SUBSTR(cg.path, 1, {PATH_STEP} * lv.depth)
          )
        """,
    ]


def tally_quarter(
    *,
    year: int,
    quarter: int,
    trigger: str,
    requested_by: User | None = None,
    within: GridUnit | None = None,
) -> TallyRun:
    """Compute (or recompute) a quarter's tallies for the whole city, or for one subtree.

    With `within`, only the contracts under that unit and the unit scopes at its
    level and below are refreshed (what a community needs before publishing);
    the ancestors are refreshed by the next full run.
    """
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度只能是 1 到 4。")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度不正确。")})
    if within is not None and within.level > GridUnit.Level.COMMUNITY:
        raise ValidationError({"within": _("统计范围最低到社区一级。")})
    now = timezone.now()
    params = {
        "year": year,
        "quarter": quarter,
        "now": connection.ops.adapt_datetimefield_value(now),
        "prefix": f"{within.path}%" if within is not None else "",
        "min_depth": int(within.level) if within is not None else 1,
    }
    changed = 0
    with transaction.atomic():
        run = TallyRun.objects.create(
            year=year, quarter=quarter, within=within, trigger=trigger, requested_by=requested_by, started_at=now
        )
        with connection.cursor() as cursor:
            if within is None:
                for statement in _stale_rows_sql():
                    cursor.execute(statement, params)
                    changed += max(cursor.rowcount, 0)
            cursor.execute(_contract_rows_sql(within is not None), params)
            changed += max(cursor.rowcount, 0)
            cursor.execute(_unit_rows_sql(within is not None), params)
            changed += max(cursor.rowcount, 0)
        run.finished_at = timezone.now()
        run.rows = changed
        run.save(update_fields=["finished_at", "rows"])
    return run
