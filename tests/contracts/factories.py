"""Small, isolated contract worlds built through the services, inside the seeded demo city.

Each test gets its own community (under 秀峰街道, so the demo's street, district
and organisation-department accounts have the right roles over it), its own
community staff member and its own co-building units with contacts, so the
demo's contracts never blur a hand-computed figure.
"""

from __future__ import annotations

import itertools
from datetime import date

from django.utils import timezone

from contracts import services
from contracts.models import CoBuildingUnit, Contract
from grids import services as grid_services
from grids.models import GridUnit, Post, User
from tests.grids.factories import unit as grid_unit

_serial = itertools.count(1)


def last_year() -> int:
    return timezone.localdate().year - 1


def user(prefix: str = "person") -> User:
    return User.objects.create_user(username=f"{prefix}{next(_serial):05d}", full_name=f"测试{prefix}")


def street(name: str = "秀峰街道") -> GridUnit:
    return GridUnit.objects.filter(name=name, level=GridUnit.Level.STREET).order_by("path").first()


def community(parent: GridUnit | None = None) -> tuple[GridUnit, User]:
    """A fresh community with one community staff member."""
    unit = grid_unit(parent or street(), name=f"测试{next(_serial)}社区")
    staff = user("cstaff")
    grid_services.post_assign(user=staff, unit=unit, role=Post.Role.COMMUNITY_STAFF)
    return unit, staff


def cobuilding_unit(district_name: str = "秀峰区") -> tuple[CoBuildingUnit, User]:
    """A fresh co-building unit with one contact."""
    district = GridUnit.objects.get(name=district_name, level=GridUnit.Level.DISTRICT)
    unit = services.cobuilding_unit_create(
        name=f"测试共建单位{next(_serial)}",
        kind=CoBuildingUnit.Kind.RESIDENT_UNIT,
        party_organisation="中共测试支部",
        district=district,
    )
    contact = user("contact")
    services.unit_contact_add(unit=unit, user=contact)
    return unit, contact


def contract(
    *,
    community: GridUnit,
    staff: User,
    unit: CoBuildingUnit,
    year: int | None = None,
    commitments: list[dict] | None = None,
    status: str = Contract.Status.ACTIVE,
) -> Contract:
    """A contract taken to `status` through the services.

    commitments: [{"kind": "count", "weight": 3, "targets": {4: 2}}, {"kind": "milestone", "targets": {4: "验收"}}]
    """
    year = year or last_year()
    made = services.contract_create(actor=staff, community=community, unit=unit, year=year, title="测试共建契约")
    demand = services.demand_add(actor=staff, contract=made, title="老旧小区环境整治")
    resource = services.resource_add(actor=staff, contract=made, title="志愿服务队伍")
    for index, spec in enumerate(commitments or [{"kind": "count", "weight": 1, "targets": {4: 1}}]):
        services.commitment_add(
            actor=staff,
            contract=made,
            demand=demand,
            resource=resource,
            title=spec.get("title", f"承诺事项{index + 1}"),
            target_kind=spec.get("kind", "count"),
            weight=spec.get("weight", 1),
            targets=spec["targets"],
        )
    if status == Contract.Status.DRAFT:
        return made
    services.contract_sign(actor=staff, contract=made, signed_on=min(date(year, 1, 15), timezone.localdate()))
    if status == Contract.Status.SIGNED:
        return Contract.objects.get(pk=made.pk)
    services.contract_activate(actor=staff, contract=made)
    return Contract.objects.get(pk=made.pk)


def report(contract: Contract, contact: User, index: int, quarter: int, status: str, achieved: int | None = None):
    commitment = contract.commitments.order_by("pk")[index]
    return services.progress_report(
        actor=contact,
        commitment=commitment,
        year=contract.year,
        quarter=quarter,
        status=status,
        achieved_count=achieved,
        evidence_text="开展活动，服务群众 50 人次。",
    )
