"""The quarterly contract tally on PostgreSQL at scale 1 and at scale 100.

    .venv/bin/python bench/contracts_tally.py                 # database guilin_contracts, rebuilt
    .venv/bin/python bench/contracts_tally.py --quarter 4     # which quarter of last year

Builds the grid tree and the contracts demo at scale 1 (2,238 contracts) in a
fresh database, times the tally of one quarter (last year's, so every
contract of that year counts), then multiplies the contract data a hundred
times with set-based INSERT … SELECTs (223,800 contracts, 190,900 commitments
and their targets and progress, on the same communities) and times it again.

For each scale: the first run (rows inserted), a second run (nothing changed:
the idempotent path) and, as the ceiling, a bare COUNT/SUM GROUP BY over the
same joined rows that writes nothing. Peak memory is the Python process's
(tracemalloc) during the tally, plus PostgreSQL temporary-file bytes. Times
are the best of --runs. Output: one line per figure, also written to
bench/results/contracts_tally.txt.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from common import ROOT, pg_url, printer_to_list, recreate_pg, setup_django

DB_NAME = "guilin_contracts"
PG_URL = pg_url(DB_NAME)
# Production settings (DEBUG off): no query log in memory.
DJANGO_ENV = {
    "DATABASE_URL": PG_URL,
    "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.production",
    "PORTAL_LOG_LEVEL": "WARNING",
}
DJANGO_DEFAULTS = {
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
    "DJANGO_ALLOWED_HOSTS": "localhost",
}
LINES: list[str] = []
say = printer_to_list(LINES)


def seed_scale_one() -> float:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    import contracts.demo
    import grids.demo
    from guilin_portal.demo import DemoContext

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ctx = DemoContext(scale=1, seed=2021, now=timezone.now(), show_progress=False)
    with transaction.atomic():
        grids.demo.seed(ctx)
        contracts.demo.seed(ctx)
    return time.perf_counter() - started


def multiply(times: int) -> float:
    """Copy every co-building unit, contract, list item, commitment, target and progress row `times - 1` times."""
    from django.db import connection, transaction

    from contracts import models as m

    unit, contract = m.CoBuildingUnit._meta.db_table, m.Contract._meta.db_table
    demand, resource = m.DemandItem._meta.db_table, m.ResourceItem._meta.db_table
    commitment, target = m.Commitment._meta.db_table, m.CommitmentTarget._meta.db_table
    progress = m.Progress._meta.db_table
    copies = times - 1
    statements = [
        # Units: "name·k" for k = 1..copies.
        f"""INSERT INTO {unit} (name, kind, party_organisation, district_id, address, is_active, created_at)
            SELECT u.name || '·' || k, u.kind, u.party_organisation, u.district_id, u.address, u.is_active, u.created_at
            FROM {unit} u CROSS JOIN generate_series(1, {copies}) k""",
        # Contracts: the k-th copy goes to the k-th copy of its unit, number "number-k".
        f"""INSERT INTO {contract} (number, title, community_id, unit_id, year, signed_on, status, created_by_id, created_at, updated_at)
            SELECT c.number || '-' || k, c.title, c.community_id, u2.id, c.year, c.signed_on, c.status, c.created_by_id,
                   c.created_at, c.updated_at
            FROM {contract} c JOIN {unit} u ON u.id = c.unit_id
            CROSS JOIN generate_series(1, {copies}) k
            JOIN {unit} u2 ON u2.name = u.name || '·' || k
            WHERE c.number NOT LIKE '%%-%%-%%-%%'""",
        "ANALYZE",
        "CREATE TEMP TABLE contract_copy AS "
        f"""SELECT o.id AS old_id, n.id AS new_id FROM {contract} o
            CROSS JOIN generate_series(1, {copies}) k
            JOIN {contract} n ON n.number = o.number || '-' || k
            WHERE o.number NOT LIKE '%%-%%-%%-%%'""",
        "CREATE INDEX ON contract_copy (old_id)",
        f"""INSERT INTO {demand} (contract_id, title, detail, created_at)
            SELECT cc.new_id, d.title, d.detail, d.created_at FROM {demand} d JOIN contract_copy cc ON cc.old_id = d.contract_id""",
        f"""INSERT INTO {resource} (contract_id, title, detail, created_at)
            SELECT cc.new_id, r.title, r.detail, r.created_at FROM {resource} r JOIN contract_copy cc ON cc.old_id = r.contract_id""",
        "ANALYZE",
        # Commitments carry "#old_id#" in their title until targets and progress are copied.
        f"""INSERT INTO {commitment} (contract_id, demand_id, resource_id, title, target_kind, weight, created_at)
            SELECT cc.new_id, d.first_id, r.first_id, m.title || '#' || m.id || '#', m.target_kind, m.weight, m.created_at
            FROM {commitment} m JOIN contract_copy cc ON cc.old_id = m.contract_id
            JOIN (SELECT contract_id, MIN(id) AS first_id FROM {demand} GROUP BY contract_id) d ON d.contract_id = cc.new_id
            JOIN (SELECT contract_id, MIN(id) AS first_id FROM {resource} GROUP BY contract_id) r ON r.contract_id = cc.new_id""",
        "CREATE TEMP TABLE commitment_copy AS "
        f"""SELECT split_part(title, '#', 2)::bigint AS old_id, id AS new_id FROM {commitment} WHERE title LIKE '%%#%%#'""",
        "CREATE INDEX ON commitment_copy (old_id)",
        "ANALYZE",
        f"""INSERT INTO {target} (commitment_id, quarter, target_count, milestone)
            SELECT mc.new_id, t.quarter, t.target_count, t.milestone FROM {target} t JOIN commitment_copy mc ON mc.old_id = t.commitment_id""",
        f"""INSERT INTO {progress} (commitment_id, year, quarter, status, achieved_count, evidence_text, evidence_file,
                                   evidence_name, reported_by_id, reported_at, updated_at)
            SELECT mc.new_id, p.year, p.quarter, p.status, p.achieved_count, p.evidence_text, '', '', p.reported_by_id,
                   p.reported_at, p.updated_at
            FROM {progress} p JOIN commitment_copy mc ON mc.old_id = p.commitment_id""",
        f"UPDATE {commitment} SET title = split_part(title, '#', 1) WHERE title LIKE '%%#%%#'",
        "DROP TABLE contract_copy",
        "DROP TABLE commitment_copy",
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def counts(year: int, quarter: int) -> dict[str, int]:
    from contracts import models as m

    return {
        "contracts": m.Contract.objects.count(),
        "counted_in_quarter": m.Contract.objects.counted().filter(year=year).count(),
        "commitments": m.Commitment.objects.count(),
        "due_in_quarter": m.CommitmentTarget.objects.filter(quarter=quarter, commitment__contract__year=year)
        .exclude(commitment__contract__status="draft")
        .count(),
        "progress": m.Progress.objects.count(),
    }


def temp_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def ceiling_sql() -> str:
    from contracts import models as m

    return f"""
        SELECT c.community_id, COUNT(*), SUM(cm.weight),
               SUM(CASE WHEN p.status = 'met' THEN cm.weight ELSE 0 END)
        FROM {m.Contract._meta.db_table} c
        JOIN {m.Commitment._meta.db_table} cm ON cm.contract_id = c.id
        JOIN {m.CommitmentTarget._meta.db_table} t ON t.commitment_id = cm.id AND t.quarter = %(quarter)s
        LEFT JOIN {m.Progress._meta.db_table} p
               ON p.commitment_id = cm.id AND p.year = %(year)s AND p.quarter = %(quarter)s
        WHERE c.year = %(year)s AND c.status <> 'draft'
        GROUP BY c.community_id
    """


def best_of(runs: int, action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _i in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(label: str, year: int, quarter: int, runs: int) -> dict[str, float]:
    from django.db import connection

    from contracts.models import QuarterlyTally, TallyRun
    from contracts.services import tally_quarter

    figures = counts(year, quarter)
    say(
        f"[{label}] data: {figures['contracts']:,} contracts, {figures['commitments']:,} commitments, "
        f"{figures['progress']:,} progress rows; quarter {year}Q{quarter}: {figures['counted_in_quarter']:,} counted contracts, "
        f"{figures['due_in_quarter']:,} due commitments"
    )
    QuarterlyTally.objects.filter(year=year, quarter=quarter).delete()

    temp_before = temp_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    first = tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.COMMAND)
    first_seconds = time.perf_counter() - started
    _current, first_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    temp_used = temp_bytes() - temp_before

    tracemalloc.start()
    again_seconds, again = best_of(
        runs, lambda: tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.COMMAND)
    )
    _current, again_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def ceiling():
        with connection.cursor() as cursor:
            cursor.execute(ceiling_sql(), {"year": year, "quarter": quarter})
            return len(cursor.fetchall())

    ceiling_seconds, _groups = best_of(runs, ceiling)
    say(f"[{label}] tally, first run (rows inserted): {first_seconds * 1000:,.1f} ms, {first.rows:,} rows written")
    say(
        f"[{label}] tally, second run (idempotent, best of {runs}): {again_seconds * 1000:,.1f} ms, {again.rows} rows changed"
    )
    say(
        f"[{label}] ceiling, bare COUNT/SUM GROUP BY over the same rows (best of {runs}): {ceiling_seconds * 1000:,.1f} ms"
    )
    say(
        f"[{label}] tally / ceiling: first {first_seconds / ceiling_seconds:.1f}x, second {again_seconds / ceiling_seconds:.1f}x"
    )
    say(
        f"[{label}] peak Python memory during the tally: first {first_peak / 1024:,.0f} KiB, second {again_peak / 1024:,.0f} KiB; "
        f"PostgreSQL temp files: {temp_used / 1024:,.0f} KiB"
    )
    return {
        "first": first_seconds,
        "again": again_seconds,
        "ceiling": ceiling_seconds,
        "peak": first_peak,
        "due": figures["due_in_quarter"],
        "rows": first.rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", type=int, default=4, choices=[1, 2, 3, 4], help="quarter of last year to tally")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--times", type=int, default=100, help="the larger scale, as a multiple of scale 1")
    args = parser.parse_args()

    recreate_pg(DB_NAME)
    setup_django(DJANGO_ENV, defaults=DJANGO_DEFAULTS)
    from django.utils import timezone

    seed_seconds = seed_scale_one()
    say(f"seed at scale 1 (grid tree + contracts demo) on PostgreSQL: {seed_seconds:.1f} s")
    year = timezone.localdate().year - 1
    small = measure("scale 1", year, args.quarter, args.runs)
    grow_seconds = multiply(args.times)
    say(f"set-based copy to scale {args.times} ({args.times}x the contract data): {grow_seconds:.1f} s")
    large = measure(f"scale {args.times}", year, args.quarter, args.runs)

    data_ratio = large["due"] / small["due"]
    say(
        f"growth scale 1 -> {args.times}: due commitments x{data_ratio:.0f}, tally first run x{large['first'] / small['first']:.1f}, "
        f"second run x{large['again'] / small['again']:.1f}, ceiling x{large['ceiling'] / small['ceiling']:.1f}, "
        f"peak Python memory x{large['peak'] / small['peak']:.2f}"
    )
    verdict = "yes" if large["first"] / small["first"] <= data_ratio and large["peak"] <= 2 * small["peak"] else "NO"
    say(f"cost grows no faster than the data: {verdict}")

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "contracts_tally.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
