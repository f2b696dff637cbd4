"""Service points and co-building units: unit-bound master data with a natural key.

Service point: (unit code, kind, name). Co-building unit: its name (unique). A
known row's other columns are updated when they differ; a new one is created.
Every row's unit must lie in the importer's staff subtrees. Bulk statements with
history rows (simple_history's bulk_create_with_history / bulk_update_with_history).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contracts.models import CoBuildingUnit
from grids.jurisdiction import paths_q
from grids.models import GridUnit
from grids.viewer import Viewer
from service_centers.models import ServicePoint

from ..spreadsheets import Column
from .base import BATCH, CREATE, REFUSE, UNCHANGED, UPDATE, ImportKind, Plan, Progress, RowResult, chunks


def choice_lookup(choices) -> dict[str, str]:
    """A choice by key or label (Chinese and the current language)."""
    lookup: dict[str, str] = {}
    with translation.override("zh-hans"):
        lookup.update({str(choice.label): choice.value for choice in choices})
    for choice in choices:
        lookup[choice.value] = choice.value
        lookup[str(choice.label)] = choice.value
    return lookup


def units_by_code(codes) -> dict[str, GridUnit]:
    found = {}
    for chunk in chunks(sorted(set(codes))):
        for unit in GridUnit.objects.filter(code__in=chunk).only("id", "code", "level", "path", "name"):
            found[unit.code] = unit
    return found


def _scope(queryset, viewer: Viewer, root: GridUnit | None, unit_field: str):
    if root is not None:
        return queryset.filter(**{f"{unit_field}__path__startswith": root.path})
    return queryset.filter(paths_q(viewer.staff_paths, unit_field=unit_field))


# -- service points -----------------------------------------------------------------------------

POINT_COLUMNS = (
    Column("unit_code", gettext_lazy("单元编码")),
    Column("kind", gettext_lazy("阵地类型")),
    Column("name", gettext_lazy("名称")),
    Column("level", gettext_lazy("级别/类别"), required=False),
    Column("address", gettext_lazy("地址"), required=False),
    Column("contact_name", gettext_lazy("联系人"), required=False),
    Column("contact_phone", gettext_lazy("联系电话"), required=False),
)
POINT_FIELDS = ("level", "address", "contact_name", "contact_phone")


def plan_points(*, rows, viewer: Viewer, progress: Progress) -> Plan:
    kinds, levels = choice_lookup(ServicePoint.Kind), choice_lookup(ServicePoint.Level)
    units = units_by_code(v.get("unit_code", "") for _n, v in rows)
    existing = {}
    unit_ids = sorted({u.pk for u in units.values()})
    for chunk in chunks(unit_ids):
        for point in ServicePoint.objects.filter(unit_id__in=chunk):
            existing[(point.unit_id, point.kind, point.name)] = point
    plan = Plan(payload={"create": [], "update": []})
    seen: dict[tuple, int] = {}
    for number, values in rows:
        result = RowResult(row=number, key=f"{values.get('unit_code', '')}/{values.get('name', '')}")
        plan.results.append(result)
        unit = units.get(values.get("unit_code", ""))
        kind = kinds.get(values.get("kind", ""))
        level = levels.get(values.get("level", ""), "") if values.get("level") else ""
        name = values.get("name", "")
        if unit is None:
            result.refuse(_("单元编码“%(code)s”不存在") % {"code": values.get("unit_code", "")})
        elif not name or len(name) > 120:
            result.refuse(_("名称为空或超过 120 个字符"))
        elif kind is None:
            result.refuse(_("阵地类型“%(k)s”无效") % {"k": values.get("kind", "")})
        elif values.get("level") and values["level"] not in levels:
            result.refuse(_("级别/类别“%(l)s”无效") % {"l": values["level"]})
        elif level not in ServicePoint.KIND_LEVELS[kind]:
            result.refuse(_("级别/类别与阵地类型不符"))
        elif unit.level not in ServicePoint.UNIT_LEVELS[level]:
            result.refuse(_("层级错误：该类阵地不能设在%(level)s") % {"level": GridUnit.Level(unit.level).label})
        elif not viewer.is_staff_over(unit.path):
            result.refuse(_("单元不在您的管辖范围内"))
        elif (unit.pk, kind, name) in seen:
            result.refuse(_("与第 %(row)d 行重复") % {"row": seen[(unit.pk, kind, name)]})
        if result.action == REFUSE:
            continue
        seen[(unit.pk, kind, name)] = number
        fields = {
            "level": level,
            "address": values.get("address", "")[:200],
            "contact_name": values.get("contact_name", "")[:60],
            "contact_phone": values.get("contact_phone", "")[:20],
        }
        point = existing.get((unit.pk, kind, name))
        if point is None:
            result.action = CREATE
            plan.payload["create"].append({"unit_id": unit.pk, "kind": kind, "name": name, **fields})
        else:
            changed = [f for f in POINT_FIELDS if getattr(point, f) != fields[f]]
            if changed:
                result.action, result.reason = UPDATE, "、".join(changed)
                plan.payload["update"].append((point.pk, fields))
            else:
                result.action = UNCHANGED
    progress(len(rows))
    return plan


def apply_points(*, plan: Plan, actor, progress: Progress) -> None:
    created = [ServicePoint(**row) for row in plan.payload["create"]]
    for chunk in chunks(created):
        bulk_create_with_history(chunk, ServicePoint, batch_size=BATCH, default_user=actor)
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=[pk for pk, _f in plan.payload["update"]])}
    for pk, fields in plan.payload["update"]:
        for name, value in fields.items():
            setattr(points[pk], name, value)
    if points:
        bulk_update_with_history(
            list(points.values()), ServicePoint, list(POINT_FIELDS), batch_size=BATCH, default_user=actor
        )
    progress(len(created) + len(points))


def export_points(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    kinds = {c.value: str(c.label) for c in ServicePoint.Kind}
    levels = {c.value: str(c.label) for c in ServicePoint.Level}
    points = _scope(ServicePoint.objects.order_by("unit__path", "kind", "name"), viewer, root, "unit")
    for row in points.values_list("unit__code", "kind", "name", "level", "address", "contact_name", "contact_phone"):
        yield (row[0], kinds[row[1]], row[2], levels.get(row[3], ""), *row[4:])


SERVICE_POINTS = ImportKind(
    name="service_points",
    label=gettext_lazy("服务阵地"),
    columns=POINT_COLUMNS,
    plan=plan_points,
    apply=apply_points,
    export=export_points,
    example=(
        (
            "GL-XF-001",
            "党群服务中心",
            "示例社区党群服务中心",
            "城市社区服务群众场所",
            "示例路 1 号",
            "李四",
            "0773-0000000",
        ),
    ),
)


# -- co-building units --------------------------------------------------------------------------

UNIT_COLUMNS = (
    Column("name", gettext_lazy("单位名称")),
    Column("kind", gettext_lazy("单位类型")),
    Column("party_organisation", gettext_lazy("党组织名称")),
    Column("district_code", gettext_lazy("所在城区编码")),
    Column("address", gettext_lazy("地址"), required=False),
)
UNIT_FIELDS = ("kind", "party_organisation", "district_id", "address")


def plan_cobuilding(*, rows, viewer: Viewer, progress: Progress) -> Plan:
    kinds = choice_lookup(CoBuildingUnit.Kind)
    districts = units_by_code(v.get("district_code", "") for _n, v in rows)
    existing = {}
    for chunk in chunks(sorted({v.get("name", "") for _n, v in rows})):
        for unit in CoBuildingUnit.objects.filter(name__in=chunk).select_related("district"):
            existing[unit.name] = unit
    plan = Plan(payload={"create": [], "update": []})
    seen: dict[str, int] = {}
    for number, values in rows:
        name = values.get("name", "")
        result = RowResult(row=number, key=name)
        plan.results.append(result)
        kind = kinds.get(values.get("kind", ""))
        district = districts.get(values.get("district_code", ""))
        known = existing.get(name)
        if not name or len(name) > 120:
            result.refuse(_("单位名称为空或超过 120 个字符"))
        elif kind is None:
            result.refuse(_("单位类型“%(k)s”无效") % {"k": values.get("kind", "")})
        elif not values.get("party_organisation"):
            result.refuse(_("缺少党组织名称"))
        elif district is None:
            result.refuse(_("城区编码“%(code)s”不存在") % {"code": values.get("district_code", "")})
        elif district.level != GridUnit.Level.DISTRICT:
            result.refuse(_("层级错误：所在城区编码必须是城区/县"))
        elif not viewer.is_staff_over(district.path) or (known and not viewer.is_staff_over(known.district.path)):
            result.refuse(_("单元不在您的管辖范围内"))
        elif name in seen:
            result.refuse(_("与第 %(row)d 行重复") % {"row": seen[name]})
        if result.action == REFUSE:
            continue
        seen[name] = number
        fields = {
            "kind": kind,
            "party_organisation": values["party_organisation"][:120],
            "district_id": district.pk,
            "address": values.get("address", "")[:200],
        }
        if known is None:
            result.action = CREATE
            plan.payload["create"].append({"name": name, **fields})
        else:
            changed = [f for f in UNIT_FIELDS if getattr(known, f) != fields[f]]
            if changed:
                result.action, result.reason = UPDATE, "、".join(changed)
                plan.payload["update"].append((known.pk, fields))
            else:
                result.action = UNCHANGED
    progress(len(rows))
    return plan


def apply_cobuilding(*, plan: Plan, actor, progress: Progress) -> None:
    CoBuildingUnit.objects.bulk_create([CoBuildingUnit(**row) for row in plan.payload["create"]], batch_size=BATCH)
    updates = [CoBuildingUnit(pk=pk, **fields) for pk, fields in plan.payload["update"]]
    CoBuildingUnit.objects.bulk_update(updates, list(UNIT_FIELDS), batch_size=BATCH)
    progress(len(plan.payload["create"]) + len(updates))


def export_cobuilding(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    kinds = {c.value: str(c.label) for c in CoBuildingUnit.Kind}
    units = _scope(CoBuildingUnit.objects.order_by("name"), viewer, root, "district")
    for name, kind, party, code, address in units.values_list(
        "name", "kind", "party_organisation", "district__code", "address"
    ):
        yield (name, kinds[kind], party, code, address)


COBUILDING_UNITS = ImportKind(
    name="cobuilding_units",
    label=gettext_lazy("共建单位"),
    columns=UNIT_COLUMNS,
    plan=plan_cobuilding,
    apply=apply_cobuilding,
    export=export_cobuilding,
    example=(("示例供电局", "驻区单位", "示例供电局党委", "GL-XF", "示例路 2 号"),),
)
