"""Importing real boundaries for one level from GeoJSON: match by code, validate, check nesting, apply at once.

Used by `manage.py import_boundaries` and open to the spreadsheet import (imports/): `plan_boundaries()`
reads and decides without writing; `apply_boundaries()` writes the accepted ones in one transaction.
Rules (README, "Geography"): a valid Polygon/MultiPolygon with closed rings; each inside its parent's
boundary give or take NESTING_TOLERANCE_M; siblings (in the file, or already stored and not replaced)
overlapping by no more than OVERLAP_TOLERANCE of the smaller one's area. A refused feature changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from grids.models import GridUnit

from .shapes import (
    BOUNDARY_FIELDS,
    NESTING_TOLERANCE_M,
    OVERLAP_TOLERANCE,
    Refusal,
    boundary_fields,
    check_siblings,
    outside_parent,
    validate_geometry,
)


@dataclass
class BoundaryPlan:
    """What an import would do: the units to update (with their new fields) and every refusal, with why."""

    level: int
    accepted: dict[str, dict] = field(default_factory=dict)  # code -> boundary_fields(...)
    refused: list[Refusal] = field(default_factory=list)
    unchecked_parents: list[str] = field(default_factory=list)  # parents without a boundary: nesting not checked
    units: dict[str, GridUnit] = field(default_factory=dict)

    def refuse(self, code: str, reason: str) -> None:
        self.refused.append(Refusal(code=code, reason=reason))
        self.accepted.pop(code, None)


def _features(collection) -> list:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(_("文件应为 GeoJSON 的 FeatureCollection。"))
    features = collection.get("features")
    if not isinstance(features, list):
        raise ValidationError(_("FeatureCollection 没有 features 列表。"))
    return features


def plan_boundaries(
    level: int,
    collection: dict,
    *,
    nesting_tolerance_m: float = NESTING_TOLERANCE_M,
    overlap_tolerance: float = OVERLAP_TOLERANCE,
) -> BoundaryPlan:
    """Decide, without writing, which features of the file become boundaries of units at `level` (three queries)."""
    plan = BoundaryPlan(level=level)
    shapes = {}
    geometries = {}
    for number, feature in enumerate(_features(collection), start=1):
        properties = (feature or {}).get("properties") or {}
        code = str(properties.get("code") or "").strip()
        if not code:
            plan.refuse(f"#{number}", _("没有 properties.code，无法对应到网格。"))
            continue
        if code in geometries or any(r.code == code for r in plan.refused):
            plan.refuse(code, _("文件中重复出现。"))
            geometries.pop(code, None)
            continue
        try:
            shapes[code] = validate_geometry((feature or {}).get("geometry"))
        except ValidationError as error:
            plan.refuse(code, "；".join(error.messages))
            continue
        geometries[code] = feature["geometry"]
    # 1: the units named, at this level.
    units = {
        u.code: u
        for u in GridUnit.objects.filter(code__in=list(geometries)).only("id", "code", "level", "parent_id", "path")
    }
    for code in list(geometries):
        unit = units.get(code)
        if unit is None:
            plan.refuse(code, _("没有这个编码的网格。"))
        elif unit.level != level:
            plan.refuse(code, _("该网格的层级是 %(level)s，不是本次导入的层级。") % {"level": unit.get_level_display()})
        else:
            continue
        geometries.pop(code)
    plan.units = {code: units[code] for code in geometries}
    # 2: their parents' boundaries.
    parent_ids = {unit.parent_id for unit in plan.units.values() if unit.parent_id}
    parents = {
        pk: (code, boundary)
        for pk, code, boundary in GridUnit.objects.filter(pk__in=parent_ids).values_list("pk", "code", "boundary")
    }
    for code, unit in plan.units.items():
        parent_code, parent_boundary = parents.get(unit.parent_id, (None, None))
        if parent_boundary is None:
            if parent_code and parent_code not in plan.unchecked_parents:
                plan.unchecked_parents.append(parent_code)
            continue
        if outside_parent(shapes[code], shape(parent_boundary), tolerance_m=nesting_tolerance_m):
            geometries.pop(code)
            plan.refuse(
                code,
                _("超出上级网格 %(parent)s 的边界（容差 %(m)s 米）。")
                % {"parent": parent_code, "m": nesting_tolerance_m},
            )
    # 3: siblings already stored and not replaced by this file.
    kept = GridUnit.objects.filter(parent_id__in=parent_ids, level=level, boundary__isnull=False).exclude(
        code__in=list(plan.units)
    )
    by_parent: dict[int | None, dict[str, object]] = defaultdict(dict)
    stored_codes = set()
    for code, parent_id, boundary in kept.values_list("code", "parent_id", "boundary"):
        by_parent[parent_id][code] = shape(boundary)
        stored_codes.add(code)
    for code in geometries:
        by_parent[plan.units[code].parent_id][code] = shapes[code]
    for group in by_parent.values():
        for code_a, code_b, share in check_siblings(group, tolerance=overlap_tolerance):
            for code, other in ((code_a, code_b), (code_b, code_a)):
                if code in geometries and code not in stored_codes:
                    plan.refuse(
                        code, _("与同级网格 %(other)s 重叠 %(share).1f%%。") % {"other": other, "share": share * 100}
                    )
    for code, geometry in geometries.items():
        if not any(r.code == code for r in plan.refused):
            plan.accepted[code] = boundary_fields(geometry)
    return plan


@transaction.atomic
def apply_boundaries(plan: BoundaryPlan) -> int:
    """Write the plan's accepted boundaries (every one or none); returns how many units changed."""
    units = []
    for code, fields in plan.accepted.items():
        unit = plan.units[code]
        for name, value in fields.items():
            setattr(unit, name, value)
        units.append(unit)
    GridUnit.objects.bulk_update(units, BOUNDARY_FIELDS, batch_size=1000)
    return len(units)
