"""Spreadsheet import at the city's size: 56,000 zones and 5,000 people, beside a bare COPY of the same rows.

    .venv/bin/python bench/import_bench.py [--zones 56000] [--people 5000]

Recreates an empty PostgreSQL database (guilin_h20_bench), writes the grid tree
(one city, 6 districts, 60 streets, 600 communities, 2,400 areas, 8,000
compounds and the zones: about 67,000 units with 56,000 zones) and 5,000 grid
workers with their posts as XLSX files, then times, through the import services
a staff member's upload goes through (read, dry run, apply in one transaction):

- the grid tree: dry run, apply, and a second import of the same file (all unchanged);
- people and posts: the same three;
- the ceiling, in the same run: the same unit, user and post rows with paths and
  ids already computed, written by PostgreSQL COPY in one transaction, rolled back.

Results go to bench/results/import_bench.txt.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import manage, pg_url, printer_to_file, recreate_pg, setup_django

DB_NAME = "guilin_h20_bench"
RESULTS = Path(__file__).resolve().parent / "results" / "import_bench.txt"
NULL = "\\N"  # COPY's null


def tree_rows(zones: int) -> list[tuple[str, str, int, str]]:
    """(code, name, level, parent code) in level order: a city and a tree with `zones` zones."""
    rows = [("GL", "桂林市", 1, "")]
    level_units = [("GL", 1)]
    counts = [6, 60, 600, 2400, 8000]
    for level, total in enumerate(counts, start=2):
        parents = [code for code, lvl in level_units if lvl == level - 1]
        made = []
        for index in range(total):
            parent = parents[index % len(parents)]
            code = f"{parent}-{index:05d}"
            made.append((code, f"单元{level}-{index}", level, parent))
        rows += made
        level_units += [(code, level) for code, _n, _l, _p in made]
    compounds = [code for code, lvl in level_units if lvl == 6]
    rows += [(f"Z{index:06d}", f"责任区{index}", 7, compounds[index % len(compounds)]) for index in range(zones)]
    return rows


def people_rows(count: int) -> list[tuple]:
    return [
        (f"网格员{index}", str(13000000000 + index), "网格员", f"Z{index:06d}", "是" if index % 3 == 0 else "否", "是")
        for index in range(count)
    ]


def ceiling(units, people) -> float:
    """The same rows by COPY (ids and paths given), in one transaction, rolled back: the floor of any import."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from grids.models import path_step

    now = timezone.now().isoformat()
    ids: dict[str, tuple[int, str]] = {}
    unit_lines = io.StringIO()
    children: dict[str, int] = {}
    for number, (code, name, level, parent) in enumerate(units, start=10_000_000):
        parent_id, parent_path = ids[parent] if parent else (None, "")
        index = children.get(parent, 0)
        children[parent] = index + 1
        path = parent_path + path_step(index)
        ids[code] = (number, path)
        parent_column = str(parent_id) if parent_id else NULL
        unit_lines.write(f"{number}\t{code}\t{name}\t{level}\t{parent_column}\t{path}\tf\t{now}\n")
    password = make_password(None)
    user_lines, post_lines = io.StringIO(), io.StringIO()
    for number, (name, mobile, _role, unit, party, _full) in enumerate(people, start=10_000_000):
        user_lines.write(
            f"{number}\t{password}\tf\t{mobile}\t\t\t\tf\tt\t{now}\t{name}\t{mobile}\t{'t' if party == '是' else 'f'}\n"
        )
        post_lines.write(f"{number}\tgrid_worker\tt\t{now[:10]}\t{now}\t{ids[unit][0]}\t{number}\n")
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for table, columns, lines in (
                (
                    "grids_gridunit",
                    "(id, code, name, level, parent_id, path, is_property_managed, created_at)",
                    unit_lines,
                ),
                (
                    "grids_user",
                    "(id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,"
                    " date_joined, full_name, phone, is_party_member)",
                    user_lines,
                ),
                ("grids_post", "(id, role, is_full_time, started_on, created_at, unit_id, user_id)", post_lines),
            ):
                lines.seek(0)
                raw.copy_expert(f"COPY {table} {columns} FROM STDIN", lines)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def run_import(kind: str, data: bytes, actor) -> tuple[float, float, dict]:
    """Upload (the dry run runs on commit, eagerly here), then apply: seconds of each, and the counts."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports import services
    from imports.models import ImportJob

    started = time.perf_counter()
    job = services.job_create(actor=actor, kind=kind, upload=SimpleUploadedFile(f"{kind}.xlsx", data))
    job.refresh_from_db()
    checked = time.perf_counter() - started
    assert job.status == ImportJob.Status.CHECKED, job.error
    assert job.refused == 0, job.preview[:5]
    applied = 0.0
    if job.can_apply and (job.counts["create"] or job.counts["update"]):
        started = time.perf_counter()
        services.job_apply(actor=actor, job=job)
        job.refresh_from_db()
        applied = time.perf_counter() - started
        assert job.status == ImportJob.Status.APPLIED, job.error
    return checked, applied, job.counts


def measure(zones: int, people_count: int) -> None:
    setup_django()
    from django.contrib.auth.hashers import make_password

    from grids.models import GridUnit, Post, User
    from imports.kinds import kind_get
    from imports.spreadsheets import write_xlsx

    out = printer_to_file(RESULTS)
    units, people = tree_rows(zones), people_rows(people_count)
    tree_xlsx = write_xlsx(kind_get("grid_tree").columns, units)
    people_xlsx = write_xlsx(kind_get("people").columns, people)
    out(
        f"rows: {len(units):,} units ({zones:,} zones), {len(people):,} people; XLSX {len(tree_xlsx) / 1e6:.1f} MB + {len(people_xlsx) / 1e6:.1f} MB"
    )

    copy_seconds = ceiling(units, people)
    out(
        f"ceiling: COPY of the same {len(units):,} units, {len(people):,} users and posts (ids and paths given): {copy_seconds:.1f} s"
    )

    admin = User.objects.create(username="bench_admin", is_superuser=True, password=make_password(None))
    started = time.perf_counter()
    tree_check, tree_apply, tree_counts = run_import("grid_tree", tree_xlsx, admin)
    people_check, people_apply, people_counts = run_import("people", people_xlsx, admin)
    total = time.perf_counter() - started
    assert GridUnit.objects.count() == len(units)
    assert Post.objects.count() == len(people)
    out(
        f"grid tree: dry run {tree_check:.1f} s, apply {tree_apply:.1f} s ({tree_counts['create']:,} created); "
        f"people: dry run {people_check:.1f} s, apply {people_apply:.1f} s ({people_counts['create']:,} created); "
        f"total {total:.1f} s ({total / copy_seconds:.1f}x the COPY ceiling; the issue asks under 60 s)"
    )

    counts = (GridUnit.objects.count(), User.objects.count(), Post.terms.count())
    started = time.perf_counter()
    again_tree = run_import("grid_tree", tree_xlsx, admin)
    again_people = run_import("people", people_xlsx, admin)
    again = time.perf_counter() - started
    assert (GridUnit.objects.count(), User.objects.count(), Post.terms.count()) == counts
    out(
        f"second import of the same files: {again:.1f} s, "
        f"tree {again_tree[2]['unchanged']:,} unchanged, people {again_people[2]['unchanged']:,} unchanged, nothing written"
    )
    out(breakdown(zones))


def breakdown(zones: int) -> str:
    """Where a tree import's time goes: parse, plan, bulk writes of as many new units (rolled back)."""
    from django.db import transaction

    from grids.viewer import Viewer
    from imports.kinds import kind_get
    from imports.spreadsheets import read_table, write_xlsx

    def other(code: str) -> str:  # the same shape under another root, codes no longer than the originals
        return "" if not code else ("BK" + code[2:] if code.startswith("GL") else "Y" + code[1:])

    units = [(other(c), n, level, other(p)) for c, n, level, p in tree_rows(zones)]
    kind = kind_get("grid_tree")
    data = write_xlsx(kind.columns, units)
    started = time.perf_counter()
    rows = read_table(data, "tree.xlsx", kind.columns)
    read = time.perf_counter() - started
    started = time.perf_counter()
    plan = kind.plan(rows=rows, viewer=Viewer.system(), progress=lambda done: None)
    planned = time.perf_counter() - started
    assert not plan.refused, plan.refused[:3]
    with transaction.atomic():
        started = time.perf_counter()
        kind.apply(plan=plan, actor=None, progress=lambda done: None)
        written = time.perf_counter() - started
        transaction.set_rollback(True)
    return (
        f"breakdown for {len(units):,} more new units: read XLSX {read:.1f} s, plan {planned:.1f} s, "
        f"bulk writes {written:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=56_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.zones, args.people)
        return
    media = tempfile.mkdtemp(prefix="import-bench-")
    env = {
        "DATABASE_URL": pg_url(DB_NAME),
        "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.development",
        "DJANGO_MEDIA_ROOT": media,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("", encoding="utf-8")
    recreate_pg(DB_NAME)
    manage(env, "migrate", "-v0", capture=False)
    command = [sys.executable, __file__, "--measure", "--zones", str(args.zones), "--people", str(args.people)]
    subprocess.run(command, env=os.environ | env, check=True)


if __name__ == "__main__":
    main()
