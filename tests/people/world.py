"""A small city of its own for the people tests: two streets, staff at each level, grid workers."""

from __future__ import annotations

from dataclasses import dataclass

from grids.models import GridUnit, Post, User
from tests.factories import UnitFactory, UserFactory, grid_branch, person_at

R = Post.Role


@dataclass
class PeopleWorld:
    city: GridUnit
    district: GridUnit
    street_a: GridUnit
    street_b: GridUnit
    community_a: GridUnit
    community_b: GridUnit
    zone_a: GridUnit
    zone_b: GridUnit
    district_staff: User
    street_a_staff: User
    street_b_staff: User
    community_a_staff: User
    worker_a: User
    worker_b: User
    leader_a: User


_phones = iter(range(13700000000, 13700100000))


def phone() -> str:
    return str(next(_phones))


def build() -> PeopleWorld:
    city = UnitFactory()
    a = grid_branch(city)
    district = a.district
    street_b = UnitFactory(parent=district)
    community_b = UnitFactory(parent=street_b)
    area_b = UnitFactory(parent=community_b)
    compound_b = UnitFactory(parent=area_b)
    zone_b = UnitFactory(parent=compound_b)
    return PeopleWorld(
        city=city,
        district=district,
        street_a=a.street,
        street_b=street_b,
        community_a=a.community,
        community_b=community_b,
        zone_a=a.zone,
        zone_b=zone_b,
        district_staff=person_at(district, R.DISTRICT_STAFF, phone=phone()),
        street_a_staff=person_at(a.street, R.STREET_STAFF, phone=phone()),
        street_b_staff=person_at(street_b, R.STREET_STAFF, phone=phone()),
        community_a_staff=person_at(a.community, R.COMMUNITY_STAFF, phone=phone()),
        worker_a=person_at(a.zone, R.GRID_WORKER, phone=phone()),
        worker_b=person_at(zone_b, R.GRID_WORKER, phone=phone()),
        leader_a=person_at(a.area, R.GRID_LEADER, phone=phone()),
    )


def user(**fields) -> User:
    return UserFactory(phone=phone(), **fields)
