"""A dry run reports every bad row with its row number and reason, and writes nothing."""

from __future__ import annotations

import pytest

from grids.models import GridUnit, Post, User
from imports.models import ImportJob
from tests.people.world import build, phone

from .helpers import check, sheet

pytestmark = pytest.mark.django_db


def test_ten_kinds_of_bad_people_rows_are_each_reported_with_row_and_reason_and_nothing_is_written(
    django_capture_on_commit_callbacks,
):
    w = build()
    taken = w.worker_b.phone  # someone else's mobile, under another name
    good = phone()
    rows = [
        ("合格人员", good, "网格员", w.zone_a.code, "是", "否"),  # row 3: fine
        ("", phone(), "网格员", w.zone_a.code, "否", "否"),  # 4: no name
        ("错号", "1380013", "网格员", w.zone_a.code, "否", "否"),  # 5: not a mobile
        ("错岗", phone(), "村长", w.zone_a.code, "否", "否"),  # 6: unknown role
        ("无单元", phone(), "网格员", "NO-SUCH-UNIT", "否", "否"),  # 7: unknown unit code
        ("错层级", phone(), "网格员", w.street_a.code, "否", "否"),  # 8: wrong level for the role
        ("越界", phone(), "网格员", w.zone_b.code, "否", "否"),  # 9: a unit of another street
        ("越级", phone(), "城区工作人员", w.district.code, "否", "否"),  # 10: a post above the importer
        ("冒名", taken, "网格员", w.zone_a.code, "否", "否"),  # 11: mobile of someone else
        ("合格人员二", good, "网格长", w.zone_a.code, "是", "否"),  # 12: duplicate mobile, other name
        ("合格人员", good, "网格员", w.zone_a.code, "是", "否"),  # 13: the same row twice
        ("党员乱填", phone(), "网格员", w.zone_a.code, "也许", "否"),  # 14: party member neither yes nor no
    ]
    before = (User.objects.count(), Post.terms.count(), GridUnit.objects.count())

    job = check(django_capture_on_commit_callbacks, actor=w.street_a_staff, kind="people", upload=sheet("people", rows))

    assert job.status == ImportJob.Status.CHECKED
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "refuse": 11}
    assert not job.can_apply
    reasons = {r["row"]: r["reason"] for r in job.preview if r["action"] == "refuse"}
    expected = {
        4: "缺少姓名",
        5: "不是 11 位手机号",
        6: "岗位“村长”无效",
        7: "单元编码“NO-SUCH-UNIT”不存在",
        8: "层级错误",
        9: "不在您的管辖范围内",
        10: "高于您的层级",
        11: "手机号已属于",
        12: "重复手机号：与第 3 行同号但姓名不同",
        13: "与第 3 行重复",
        14: "是否党员应填",
    }
    assert sorted(reasons) == sorted(expected)
    for row, fragment in expected.items():
        assert fragment in reasons[row], (row, reasons[row])
    # Nothing was written: no user, no post, no unit.
    assert (User.objects.count(), Post.terms.count(), GridUnit.objects.count()) == before


def test_bad_tree_rows_are_each_reported_and_nothing_is_written(django_capture_on_commit_callbacks):
    w = build()
    rows = [
        ("T-OK-1", "新社区", "4", w.street_a.code),  # 3: fine
        ("T-OK-1", "重复社区", "4", w.street_a.code),  # 4: duplicate code
        ("T-LVL", "错层级", "5", w.street_a.code),  # 5: an area under a street
        ("T-PAR", "无上级", "4", "NO-SUCH"),  # 6: unknown parent
        ("T-OUT", "越界社区", "4", w.street_b.code),  # 7: another street
        ("T-BAD", "坏层级", "九", w.street_a.code),  # 8: no such level
        ("", "无编码", "4", w.street_a.code),  # 9: no code
        ("T-CHILD", "坏上级之下", "5", "T-PAR"),  # 10: parent row refused
        (w.community_a.code, w.community_a.name, "5", w.street_a.code),  # 11: level differs from the database's
    ]
    before = GridUnit.objects.count()
    job = check(
        django_capture_on_commit_callbacks,
        actor=w.street_a_staff,
        kind="grid_tree",
        upload=sheet("grid_tree", rows, "csv"),
    )
    reasons = {r["row"]: r["reason"] for r in job.preview if r["action"] == "refuse"}
    expected = {
        4: "与第 3 行重复",
        5: "层级错误",
        6: "“NO-SUCH”不存在",
        7: "不在您的管辖范围内",
        8: "层级“九”无效",
        9: "缺少单元编码",
        10: "（第 6 行）被拒绝",
        11: "层级",
    }
    assert sorted(reasons) == sorted(expected)
    for row, fragment in expected.items():
        assert fragment in reasons[row], (row, reasons[row])
    assert job.counts["create"] == 1
    assert GridUnit.objects.count() == before


def test_a_file_that_is_not_a_spreadsheet_fails_with_a_message(django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = build()
    job = check(
        django_capture_on_commit_callbacks,
        actor=w.street_a_staff,
        kind="people",
        upload=SimpleUploadedFile("people.xlsx", b"not a workbook"),
    )
    assert job.status == ImportJob.Status.FAILED
    assert "Excel" in job.error
