"""Small trees built through the services, so tests exercise the same rules as the product."""

import itertools

from grids import services
from grids.models import GridUnit

_codes = itertools.count(1)


def unit(parent: GridUnit | None, level: int | None = None, name: str | None = None) -> GridUnit:
    number = next(_codes)
    return services.unit_create(
        code=f"T{number:07d}",
        name=name or f"测试单元{number}",
        level=level if level is not None else (parent.level + 1 if parent else GridUnit.Level.CITY),
        parent=parent,
    )


def chain(root: GridUnit, down_to: int) -> list[GridUnit]:
    """One unit per level under `root`, down to level `down_to`; returns them top first."""
    units, current = [], root
    while current.level < down_to:
        current = unit(current)
        units.append(current)
    return units
