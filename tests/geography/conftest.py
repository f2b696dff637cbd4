"""A small tree of its own, with hand-made boundaries (the `tree` fixture):

city 几何市 (35.0–35.4 N, 100.0–100.4 E)
  district 西区 (west half), 东区 (east half); streets and communities without boundaries
    西区 → area 南片 (south half of 西区, with a hole 35.05–35.15 N, 100.05–100.15 E), 北片 (north half)
    东区 → area 东片 (all of 东区)
"""

import pytest

from grids.geography import BOUNDARY_FIELDS, boundary_fields, rectangle
from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from tests.grids.factories import unit


def with_boundary(grid: GridUnit, geometry: dict) -> GridUnit:
    for name, value in boundary_fields(geometry).items():
        setattr(grid, name, value)
    GridUnit.objects.bulk_update([grid], BOUNDARY_FIELDS)
    return grid


def _holed(south, west, north, east, hole):
    outer = rectangle(south, west, north, east)["coordinates"][0]
    inner = list(reversed(rectangle(*hole)["coordinates"][0]))
    return {"type": "Polygon", "coordinates": [outer, inner]}


@pytest.fixture
def tree(db):
    city = with_boundary(unit(None, name="几何市"), rectangle(35.0, 100.0, 35.4, 100.4))
    d1 = with_boundary(unit(city, name="西区"), rectangle(35.0, 100.0, 35.4, 100.2))
    d2 = with_boundary(unit(city, name="东区"), rectangle(35.0, 100.2, 35.4, 100.4))
    s1, s2 = unit(d1), unit(d2)  # streets and communities without boundaries: the lookup skips them
    c1, c2 = unit(s1), unit(s2)
    a1 = with_boundary(unit(c1, name="南片"), _holed(35.0, 100.0, 35.2, 100.2, (35.05, 100.05, 35.15, 100.15)))
    a2 = with_boundary(unit(c1, name="北片"), rectangle(35.2, 100.0, 35.4, 100.2))
    a3 = with_boundary(unit(c2, name="东片"), rectangle(35.0, 100.2, 35.4, 100.4))
    return {"city": city, "d1": d1, "d2": d2, "a1": a1, "a2": a2, "a3": a3, "c1": c1, "c2": c2}


def worker_user(*units: GridUnit) -> User:
    user = User.objects.create(username=f"geo_worker_{units[0].pk}_{len(units)}")
    for grid in units:
        Post.objects.create(user=user, unit=grid, role=Post.Role.GRID_WORKER)
    return user


def worker_of(*units: GridUnit) -> Viewer:
    return Viewer.for_user(worker_user(*units))
