"""The grid tree: code, name, level, parent code. Natural key: the unit code.

Plan: one pass in level order over the file, with the existing units read in
chunks (one query per 2,000 codes). A known code may be renamed; its level and
parent may not change through a spreadsheet (a move goes through the grid
services, which rewrite a subtree's paths). Apply: renames in bulk_update
batches; new units level by level, each level's paths computed in memory from
one grouped MAX(path) query over the parents that already have children, then
bulk_create in batches (the ids of one level are the parents of the next).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db import connection
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import PATH_STEP, GridUnit, path_step, path_step_index
from grids.viewer import Viewer

from ..spreadsheets import Column
from .base import BATCH, CREATE, REFUSE, UNCHANGED, UPDATE, ImportKind, Plan, Progress, RowResult, chunks

COLUMNS = (
    Column("code", gettext_lazy("单元编码")),
    Column("name", gettext_lazy("名称")),
    Column("level", gettext_lazy("层级")),
    Column("parent_code", gettext_lazy("上级单元编码"), required=False),
)


INSERT_BATCH = 10_000  # rows per INSERT ... UNNEST: fewer round trips; PostgreSQL takes arrays this size easily


def level_lookup() -> dict[str, int]:
    """Level by number, English name, or label (Chinese and the current language): built once per file."""
    lookup: dict[str, int] = {}
    with translation.override("zh-hans"):
        lookup.update({str(level.label): level.value for level in GridUnit.Level})
    for level in GridUnit.Level:
        lookup.update({str(level.value): level.value, level.name: level.value, level.name.lower(): level.value})
        lookup[str(level.label)] = level.value
    return lookup


def _existing(codes: Sequence[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in chunks(sorted(set(codes))):
        for row in GridUnit.objects.filter(code__in=chunk).values(
            "id", "code", "name", "level", "path", "parent__code"
        ):
            found[row["code"]] = row
    return found


def plan(*, rows: list[tuple[int, dict]], viewer: Viewer, progress: Progress) -> Plan:
    results: list[RowResult] = []
    first_row: dict[str, int] = {}
    parsed = []
    levels = level_lookup()
    for number, values in rows:
        code, name = values.get("code", ""), values.get("name", "")
        result = RowResult(row=number, key=code)
        results.append(result)
        level = levels.get(values.get("level", "").strip())
        parent_code = values.get("parent_code", "")
        if not code:
            result.refuse(_("缺少单元编码"))
        elif len(code) > 32:
            result.refuse(_("单元编码超过 32 个字符"))
        elif code in first_row:
            result.refuse(_("单元编码与第 %(row)d 行重复") % {"row": first_row[code]})
        elif not name:
            result.refuse(_("缺少名称"))
        elif len(name) > 100:
            result.refuse(_("名称超过 100 个字符"))
        elif level is None:
            result.refuse(
                _("层级“%(level)s”无效，应为 1–7 或 市、城区/县……责任区") % {"level": values.get("level", "")}
            )
        elif level == GridUnit.Level.CITY and parent_code:
            result.refuse(_("市级单元不能有上级单元"))
        elif level != GridUnit.Level.CITY and not parent_code:
            result.refuse(_("缺少上级单元编码"))
        if code and code not in first_row:
            first_row[code] = number
        parsed.append((result, code, name, level, parent_code))

    existing = _existing([p[1] for p in parsed if p[1]] + [p[4] for p in parsed if p[4]])
    accepted = {p[1]: p for p in parsed if p[0].action != REFUSE}
    refused_rows = {p[1]: p[0].row for p in parsed if p[0].action == REFUSE and p[1] and p[1] not in accepted}
    decided: dict[str, tuple[int, str | None]] = {}  # code -> (level, its path, else its nearest existing ancestor's)
    creates: list[dict] = []
    renames: list[tuple[int, str]] = []
    done = 0
    # Level order: a parent is decided before its children, wherever they are in the file.
    for result, code, name, level, parent_code in sorted(accepted.values(), key=lambda p: (p[3], p[0].row)):
        done += 1
        if done % BATCH == 0:
            progress(done)
        reason = None
        anchor = None
        if parent_code:
            if parent_code in decided:
                parent_level, anchor = decided[parent_code]
            elif parent_code in refused_rows:
                reason = _("上级单元“%(code)s”（第 %(row)d 行）被拒绝") % {
                    "code": parent_code,
                    "row": refused_rows[parent_code],
                }
            elif parent_code in accepted:
                parent_level = accepted[parent_code][3]  # not decided yet: it is not one level up
            elif parent_code in existing:
                parent_level, anchor = existing[parent_code]["level"], existing[parent_code]["path"]
            else:
                reason = _("上级单元编码“%(code)s”不存在") % {"code": parent_code}
            if reason is None and parent_level != level - 1:
                reason = _("层级错误：%(level)s的上级应为%(expected)s，“%(parent)s”是%(actual)s") % {
                    "level": GridUnit.Level(level).label,
                    "expected": GridUnit.Level(level - 1).label,
                    "parent": parent_code,
                    "actual": GridUnit.Level(parent_level).label,
                }
        row = existing.get(code)
        where = row["path"] if row is not None else anchor
        if reason is None and not (viewer.sees_everything or (where is not None and viewer.is_staff_over(where))):
            reason = _("单元不在您的管辖范围内")
        if reason is None and row is not None:
            if row["level"] != level:
                reason = _("层级与系统中不一致（系统中为%(level)s），层级不能通过导入修改") % {
                    "level": GridUnit.Level(row["level"]).label
                }
            elif (row["parent__code"] or "") != parent_code:
                reason = _("上级单元与系统中不一致（系统中为“%(code)s”），移动单元请在网格管理中操作") % {
                    "code": row["parent__code"] or "—"
                }
        if reason is not None:
            result.refuse(reason)
            refused_rows[code] = result.row
            continue
        if row is not None:
            if row["name"] != name:
                result.action = UPDATE
                result.reason = _("名称：%(old)s → %(new)s") % {"old": row["name"], "new": name}
                renames.append((row["id"], name))
            else:
                result.action = UNCHANGED
        else:
            result.action = CREATE
            creates.append({"code": code, "name": name, "level": level, "parent_code": parent_code})
        decided[code] = (level, where)
    progress(len(rows))
    return Plan(results=results, payload={"creates": creates, "renames": renames})


def apply(*, plan: Plan, actor, progress: Progress) -> None:
    payload = plan.payload
    done = 0
    renames = payload["renames"]
    for chunk in chunks(renames):
        units = [GridUnit(pk=pk, name=name) for pk, name in chunk]
        GridUnit.objects.bulk_update(units, ["name"], batch_size=BATCH)
        done += len(chunk)
        progress(done)
    by_level: dict[int, list[dict]] = defaultdict(list)
    for create in payload["creates"]:
        by_level[create["level"]].append(create)
    made: dict[str, tuple[int, str]] = {}  # code -> (id, path) of units created by this import
    for level in sorted(by_level):
        rows = by_level[level]
        parent_codes = sorted({r["parent_code"] for r in rows if r["parent_code"] and r["parent_code"] not in made})
        parents: dict[str, tuple[int, str]] = dict(made)
        for chunk in chunks(parent_codes):
            for pk, code, path in GridUnit.objects.filter(code__in=chunk).values_list("id", "code", "path"):
                parents[code] = (pk, path)
        # The next free step under each parent: one grouped query for the parents that have children.
        next_index: dict[int, int] = defaultdict(int)
        parent_ids = sorted({parents[r["parent_code"]][0] for r in rows if r["parent_code"]})
        for chunk in chunks(parent_ids):
            for parent_id, last in (
                GridUnit.objects.filter(parent_id__in=chunk)
                .values("parent_id")
                .annotate(last=Max("path"))
                .values_list("parent_id", "last")
            ):
                next_index[parent_id] = path_step_index(last[-PATH_STEP:]) + 1
        if level == GridUnit.Level.CITY:
            last = GridUnit.objects.filter(level=GridUnit.Level.CITY).aggregate(last=Max("path"))["last"]
            next_index[0] = 0 if last is None else path_step_index(last[-PATH_STEP:]) + 1
        units = []
        for r in rows:
            parent_id, parent_path = parents[r["parent_code"]] if r["parent_code"] else (0, "")
            index = next_index[parent_id]
            next_index[parent_id] = index + 1
            units.append((r["code"], r["name"], level, parent_id or None, parent_path + path_step(index)))
        for chunk in chunks(units, INSERT_BATCH):
            made.update(_insert_units(chunk))
            done += len(chunk)
            progress(done)


def _insert_units(rows: Sequence[tuple]) -> dict[str, tuple[int, str]]:
    """Insert (code, name, level, parent id, path) rows; {code: (id, path)} of what was inserted.

    On PostgreSQL one INSERT ... SELECT FROM unnest(arrays) RETURNING per batch, without model instances
    (building 56,000 of them cost more than the statement); elsewhere bulk_create.
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        units = [GridUnit(code=c, name=n, level=lv, parent_id=p, path=pa, created_at=now) for c, n, lv, p, pa in rows]
        return {u.code: (u.pk, u.path) for u in GridUnit.objects.bulk_create(units, batch_size=BATCH)}
    codes, names, levels, parents, paths = (list(column) for column in zip(*rows, strict=True))
    table = connection.ops.quote_name(GridUnit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code, name, level, parent_id, path, is_property_managed, created_at) "
            "SELECT c, n, l, p, pa, false, %s FROM unnest(%s::varchar[], %s::varchar[], %s::smallint[], "
            "%s::bigint[], %s::varchar[]) AS t(c, n, l, p, pa) RETURNING id, code, path",
            [now, codes, names, levels, parents, paths],
        )
        return {code: (pk, path) for pk, code, path in cursor.fetchall()}


def export(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    """Every unit in the viewer's staff subtrees (or under `root`), parents before children."""
    units = GridUnit.objects.order_by("path")
    if root is not None:
        units = units.filter(path__startswith=root.path)
    elif viewer.staff_paths is not None:
        from grids.jurisdiction import paths_q

        units = units.filter(paths_q(viewer.staff_paths, unit_field=None))
    for code, name, level, parent_code in units.values_list("code", "name", "level", "parent__code").iterator(
        chunk_size=BATCH
    ):
        yield (code, name, level, parent_code or "")


KIND = ImportKind(
    name="grid_tree",
    label=gettext_lazy("网格单元"),
    columns=COLUMNS,
    plan=plan,
    apply=apply,
    export=export,
    example=(("GL-XF-001", "示例社区", "4", "GL-XF"),),
)
