"""Small boundaries for the map tests: a subtree tiled with rectangles through grids.geography's own writer
(each child a vertical strip of its parent, so children nest and siblings touch without overlapping)."""

from __future__ import annotations

from grids.geography import BOUNDARY_FIELDS, boundary_fields, rectangle
from grids.models import GridUnit


def tile_subtree(root: GridUnit, south: float, west: float, north: float, east: float) -> dict[int, tuple]:
    """Give `root` the box and every unit below it a strip of its parent's; ancestors get a box around it.
    Returns {unit id: (south, west, north, east)}. Two queries to read, one bulk update."""
    units = list(GridUnit.objects.filter(path__startswith=root.path).order_by("path"))
    ancestors = list(GridUnit.objects.filter(path__in=_ancestor_paths(root.path)).order_by("path"))
    boxes: dict[int, tuple] = {root.pk: (south, west, north, east)}
    by_parent: dict[int, list[GridUnit]] = {}
    for unit in units:
        if unit.parent_id is not None:
            by_parent.setdefault(unit.parent_id, []).append(unit)
    for unit in units:  # by path: a parent's box is known before its children's
        children = by_parent.get(unit.pk, [])
        if unit.pk not in boxes or not children:
            continue
        s, w, n, e = boxes[unit.pk]
        step = (e - w) / len(children)
        for i, child in enumerate(children):
            boxes[child.pk] = (s, w + i * step, n, w + (i + 1) * step)
    margin = 0.01
    for depth, unit in enumerate(reversed(ancestors), start=1):
        boxes[unit.pk] = (south - margin * depth, west - margin * depth, north + margin * depth, east + margin * depth)
    changed = []
    for unit in [*ancestors, *units]:
        if unit.pk in boxes:
            for field, value in boundary_fields(rectangle(*boxes[unit.pk])).items():
                setattr(unit, field, value)
            changed.append(unit)
    GridUnit.objects.bulk_update(changed, BOUNDARY_FIELDS)
    return boxes


def _ancestor_paths(path: str) -> list[str]:
    from grids.models import PATH_STEP

    return [path[:i] for i in range(PATH_STEP, len(path), PATH_STEP)]
