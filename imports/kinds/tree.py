"""The grid tree: code, name, level, parent code (optionally a GeoJSON boundary file). Natural key: the
unit code.

Plan: one pass in level order over the file, with the existing units read in
chunks (one query per 2,000 codes). A known code may be renamed; its level and
parent may not change through a spreadsheet (a move goes through the grid
services, which rewrite a subtree's paths). Apply: renames in bulk_update
batches; new units level by level, each level's paths computed in memory from
one grouped MAX(path) query over the parents that already have children, then
bulk_create in batches (the ids of one level are the parents of the next).
Boundaries (imports.boundaries attaches them to their rows) are checked by grids.geography: a valid
Polygon or MultiPolygon, inside its parent's boundary (from the file or already stored); a new or
changed boundary is written with its centroid and box in bulk updates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import geography
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


def _existing(codes: Sequence[str], *, boundaries: bool = False) -> dict[str, dict]:
    found: dict[str, dict] = {}
    fields = ["id", "code", "name", "level", "path", "parent__code"] + (["boundary"] if boundaries else [])
    for chunk in chunks(sorted(set(codes))):
        for row in GridUnit.objects.filter(code__in=chunk).values(*fields):
            found[row["code"]] = row
    return found


def plan(*, rows: list[tuple[int, dict]], viewer: Viewer, progress: Progress) -> Plan:
    results: list[RowResult] = []
    first_row: dict[str, int] = {}
    boundaries: dict[str, dict] = {}  # code -> the geometry the boundary file gives it
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
            if "boundary" in values:  # from the optional boundary file (imports.boundaries.attach)
                boundaries[code] = values["boundary"]
        parsed.append((result, code, name, level, parent_code))

    existing = _existing([p[1] for p in parsed if p[1]] + [p[4] for p in parsed if p[4]], boundaries=bool(boundaries))
    accepted = {p[1]: p for p in parsed if p[0].action != REFUSE}
    refused_rows = {p[1]: p[0].row for p in parsed if p[0].action == REFUSE and p[1] and p[1] not in accepted}
    decided: dict[str, tuple[int, str | None]] = {}  # code -> (level, its path, else its nearest existing ancestor's)
    creates: list[dict] = []
    renames: list[tuple[int, str]] = []
    outlines: dict[str, dict] = {}  # code -> the boundary to write (new, or changed)
    shapes = _Shapes(existing)
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
        if reason is None and code in boundaries:
            reason = shapes.check(code, boundaries[code], parent_code)
        if reason is not None:
            result.refuse(reason)
            refused_rows[code] = result.row
            continue
        outline = _outline(boundaries[code]) if code in boundaries else None
        if row is not None:
            changes = []
            if row["name"] != name:
                changes.append(_("名称：%(old)s → %(new)s") % {"old": row["name"], "new": name})
                renames.append((row["id"], name))
            if outline is not None and row.get("boundary") != outline:
                changes.append(_("边界：新增") if row.get("boundary") is None else _("边界：更新"))
                outlines[code] = outline
            result.action = UPDATE if changes else UNCHANGED
            result.reason = "；".join(changes)
        else:
            result.action = CREATE
            creates.append({"code": code, "name": name, "level": level, "parent_code": parent_code})
            if outline is not None:
                outlines[code] = outline
                result.reason = _("含边界")
        decided[code] = (level, where)
    progress(len(rows))
    return Plan(results=results, payload={"creates": creates, "renames": renames, "boundaries": outlines})


def _outline(geometry) -> dict | None:
    """The geometry as a unit stores it (boundary_fields keeps its type and coordinates only)."""
    if not isinstance(geometry, dict):
        return None
    return {"type": geometry.get("type"), "coordinates": geometry.get("coordinates")}


class _Shapes:
    """The boundaries of this file's units, and of existing parents, as shapes: checked through
    grids.geography (validity, nesting in the parent), each parsed once."""

    def __init__(self, existing: dict[str, dict]) -> None:
        self.existing = existing
        self.shapes: dict[str, object] = {}

    def parent(self, code: str):
        if code in self.shapes:
            return self.shapes[code]
        stored = (self.existing.get(code) or {}).get("boundary")
        found = None
        if stored:
            try:
                found = geography.validate_geometry(stored)
            except ValidationError:
                found = None  # a stored outline that is not valid any more checks nothing
        self.shapes[code] = found
        return found

    def check(self, code: str, geometry, parent_code: str) -> str | None:
        """Why this unit's boundary is refused, or None (the shape is kept for its children)."""
        try:
            shaped = geography.validate_geometry(geometry)
        except ValidationError as exc:
            return _("边界无效：%(why)s") % {"why": "；".join(exc.messages)}
        parent = self.parent(parent_code) if parent_code else None
        if parent is not None and geography.outside_parent(shaped, parent):
            return _("边界超出上级单元“%(code)s”的边界") % {"code": parent_code}
        self.shapes[code] = shaped
        return None


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
    _write_boundaries(payload.get("boundaries") or {})


def _write_boundaries(outlines: dict[str, dict]) -> None:
    """Each unit's boundary with its centroid and box (grids.geography.boundary_fields), in bulk updates."""
    for chunk in chunks(sorted(outlines)):
        units = list(GridUnit.objects.filter(code__in=chunk).only("pk", "code"))
        for unit in units:
            for field, value in geography.boundary_fields(outlines[unit.code]).items():
                setattr(unit, field, value)
        GridUnit.objects.bulk_update(units, geography.BOUNDARY_FIELDS, batch_size=BATCH)


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


def export_outlines(viewer: Viewer) -> Iterator[tuple[str, str, dict]]:
    """(code, name, boundary) of every unit with a boundary in the viewer's staff subtrees, parents first."""
    units = GridUnit.objects.filter(boundary__isnull=False).order_by("path")
    if viewer.staff_paths is not None:
        from grids.jurisdiction import paths_q

        units = units.filter(paths_q(viewer.staff_paths, unit_field=None))
    yield from units.values_list("code", "name", "boundary").iterator(chunk_size=BATCH)


KIND = ImportKind(
    name="grid_tree",
    label=gettext_lazy("网格单元"),
    columns=COLUMNS,
    plan=plan,
    apply=apply,
    export=export,
    example=(("GL-XF-001", "示例社区", "4", "GL-XF"),),
)
