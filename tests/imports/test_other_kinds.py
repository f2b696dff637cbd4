"""Service points, co-building units, volunteer teams and members: import, export of the same shape, and a
second import that changes nothing."""

from __future__ import annotations

import pytest

from contracts.models import CoBuildingUnit
from grids.viewer import Viewer
from imports.kinds import kind_get
from service_centers.models import ServicePoint
from tests.people.world import build, phone
from volunteers.models import ServiceCategory, Team, TeamMember, Volunteer

from .helpers import check, import_file, sheet

pytestmark = pytest.mark.django_db


def test_the_other_kinds_import_export_and_import_again_unchanged(django_capture_on_commit_callbacks):
    w = build()
    actor = w.district_staff
    category = ServiceCategory.objects.order_by("pk").first() or ServiceCategory.objects.create(
        code="t20", name="测试类"
    )
    leader, member = phone(), phone()
    files = {
        "service_points": [
            (
                w.community_a.code,
                "党群服务中心",
                "甲社区党群服务中心",
                "城市社区服务群众场所",
                "甲路 1 号",
                "李四",
                "0773-1",
            ),
            (w.community_a.code, "党员工作室", "甲社区党员工作室", "", "", "", ""),
        ],
        "cobuilding_units": [("导入测试供电局", "驻区单位", "导入测试供电局党委", w.district.code, "乙路 2 号")],
        "volunteer_teams": [(w.community_a.code, "导入测试服务队", category.code, "党员志愿者服务队", "")],
        "volunteer_members": [
            (w.community_a.code, "导入测试服务队", "队长甲", leader, "队长", "是", "2026-01-05"),
            (w.community_a.code, "导入测试服务队", "队员乙", member, "队员", "否", "2026-02-01"),
        ],
    }
    for kind, rows in files.items():
        job = import_file(django_capture_on_commit_callbacks, actor=actor, kind=kind, upload=sheet(kind, rows))
        assert job.counts["create"] == len(rows), (kind, job.preview)

    team = Team.objects.get(name="导入测试服务队", unit=w.community_a)
    assert TeamMember.objects.get(team=team, role=TeamMember.Role.LEADER).volunteer.phone == leader
    assert Volunteer.objects.get(phone=member).unit_id == w.community_a.pk
    assert ServicePoint.objects.filter(unit=w.community_a).count() == 2
    assert CoBuildingUnit.objects.get(name="导入测试供电局").district_id == w.district.pk

    viewer = Viewer.for_user(actor)
    for kind, rows in files.items():
        exported = [tuple(str(v) for v in row) for row in kind_get(kind).export(viewer)]
        for row in rows:
            assert tuple(str(v) for v in row) in exported, (kind, row, exported)
        again = check(django_capture_on_commit_callbacks, actor=actor, kind=kind, upload=sheet(kind, exported))
        assert again.counts["create"] == again.counts["update"] == again.counts["refuse"] == 0, (kind, again.preview)


def test_a_street_cannot_import_a_team_or_a_point_into_another_street(django_capture_on_commit_callbacks):
    w = build()
    category = ServiceCategory.objects.order_by("pk").first() or ServiceCategory.objects.create(
        code="t20", name="测试类"
    )
    for kind, row in (
        ("volunteer_teams", (w.community_b.code, "越界服务队", category.code, "", "")),
        ("service_points", (w.community_b.code, "党员工作室", "越界工作室", "", "", "", "")),
        ("cobuilding_units", ("越界单位", "驻区单位", "越界单位党委", w.district.code, "")),
    ):
        job = check(django_capture_on_commit_callbacks, actor=w.street_a_staff, kind=kind, upload=sheet(kind, [row]))
        assert job.counts["refuse"] == 1, kind
        assert "管辖范围" in job.preview[0]["reason"]
