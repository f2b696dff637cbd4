"""Service points and their records built through the services, so tests exercise the product's rules."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from grids import services as grid_services
from grids.models import GridUnit, Post, User
from service_centers import services
from service_centers.models import ServiceKind, ServicePoint
from tests.grids.factories import chain, unit

_numbers = itertools.count(1)


def superuser() -> User:
    return User.objects.get(username="admin")


def city() -> GridUnit:
    return GridUnit.objects.get(level=GridUnit.Level.CITY)


def new_district() -> tuple[GridUnit, GridUnit, GridUnit]:
    """A fresh district with one street and one community under the demo city: (district, street, community)."""
    district = unit(city(), GridUnit.Level.DISTRICT)
    street, community = chain(district, GridUnit.Level.COMMUNITY)
    return district, street, community


def staff_user(unit_: GridUnit, role: str = Post.Role.DISTRICT_STAFF) -> User:
    user = User.objects.create(username=f"staff{next(_numbers):05d}", full_name="测试工作人员")
    grid_services.post_assign(user=user, unit=unit_, role=role)
    return user


def point(
    unit_: GridUnit,
    kind: str = ServicePoint.Kind.PARTY_CENTER,
    level: str = ServicePoint.Level.VILLAGE,
    actor: User | None = None,
    **values,
) -> ServicePoint:
    values.setdefault("name", f"测试阵地{next(_numbers)}")
    values.setdefault("floor_area", Decimal("120.5"))
    values.setdefault("contact_name", "联系人甲乙")
    values.setdefault("contact_phone", "13900001111")
    return services.point_create(actor=actor or superuser(), kind=kind, level=level, unit=unit_, **values)


def workstation(community: GridUnit, opened_on: dt.date | None = None) -> ServicePoint:
    return point(
        community,
        kind=ServicePoint.Kind.WORKSTATION,
        level="",
        opened_on=opened_on or dt.date(2015, 1, 1),
    )


def red_station(community: GridUnit, codes: tuple[str, ...] = ("consultation", "medical", "rescue", "mediation")):
    return point(
        community,
        kind=ServicePoint.Kind.RED_STATION,
        level="",
        menu=list(ServiceKind.objects.filter(code__in=codes)),
    )
