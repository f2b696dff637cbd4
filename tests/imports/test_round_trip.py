"""Round trip: export a city's tree and posts, import them into an empty place, same tree and posts;
a second import of the same files changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from imports import services
from imports.models import ImportJob
from tests.factories import UnitFactory, UserFactory, grid_branch, person_at

from .helpers import apply, check, import_file, sheet

pytestmark = pytest.mark.django_db
R = Post.Role


def _city():
    """A small city of its own: two branches, a few siblings, people with several posts."""
    city = UnitFactory(code="RT-CITY", name="往返市")
    a, b = grid_branch(city), grid_branch(city)
    UnitFactory(parent=a.community, code="RT-AREA-2", name="第二片区")
    UnitFactory(parent=a.street, code="RT-COMM-2", name="第二社区")
    n = iter(range(13900000000, 13900001000))
    people = [
        person_at(a.district, R.DISTRICT_STAFF, phone=str(next(n)), is_party_member=True),
        person_at(a.street, R.STREET_STAFF, phone=str(next(n))),
        person_at(a.community, R.COMMUNITY_STAFF, phone=str(next(n))),
        person_at(a.zone, R.GRID_WORKER, phone=str(next(n)), is_party_member=True),
        person_at(b.area, R.GRID_LEADER, phone=str(next(n))),
        person_at(b.compound, R.PARTY_INSTRUCTOR, phone=str(next(n))),
    ]
    # One person, two posts.
    Post.objects.create(user=people[3], unit=b.zone, role=R.GRID_WORKER, is_full_time=True)
    return city


def _tree(root_path: str) -> set[tuple]:
    return set(GridUnit.objects.filter(path__startswith=root_path).values_list("code", "name", "level", "parent__code"))


def _posts(root_path: str) -> set[tuple]:
    return set(
        Post.objects.filter(unit__path__startswith=root_path).values_list(
            "user__full_name", "user__phone", "user__is_party_member", "role", "unit__code", "is_full_time"
        )
    )


def _export(kind: str, root: GridUnit, fmt: str) -> SimpleUploadedFile:
    from imports.kinds import kind_get
    from imports.spreadsheets import write_csv, write_xlsx

    import_kind = kind_get(kind)
    rows = list(import_kind.export(Viewer.system(), root))
    data = write_xlsx(import_kind.columns, rows) if fmt == "xlsx" else write_csv(import_kind.columns, rows)
    return SimpleUploadedFile(f"{kind}.{fmt}", data)


def _wipe(root: GridUnit) -> None:
    users = list(Post.terms.filter(unit__path__startswith=root.path).values_list("user_id", flat=True))
    Post.terms.filter(unit__path__startswith=root.path).delete()
    User.objects.filter(pk__in=users).delete()
    # Leaves first: a unit's parent is protected while it has children.
    for level in range(GridUnit.Level.ZONE, GridUnit.Level.CITY - 1, -1):
        GridUnit.objects.filter(path__startswith=root.path, level=level).delete()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exported_city_imports_into_an_empty_place_and_a_second_import_changes_nothing(
    fmt, django_capture_on_commit_callbacks
):
    # Given a city with people, exported as spreadsheets, then removed.
    city = _city()
    tree_before, posts_before = _tree(city.path), _posts(city.path)
    tree_file, people_file = _export("grid_tree", city, fmt), _export("people", city, fmt)
    _wipe(city)
    assert not GridUnit.objects.filter(code="RT-CITY").exists()
    admin = UserFactory(is_superuser=True)

    # When the files are imported.
    tree_job = import_file(django_capture_on_commit_callbacks, actor=admin, kind="grid_tree", upload=tree_file)
    people_job = import_file(django_capture_on_commit_callbacks, actor=admin, kind="people", upload=people_file)

    # Then the same tree and the same posts are back.
    root = GridUnit.objects.get(code="RT-CITY")
    assert tree_job.counts["create"] == len(tree_before)
    assert _tree(root.path) == tree_before
    assert _posts(root.path) == posts_before
    assert people_job.counts["create"] == len(posts_before)
    # Paths are well formed: each unit lies under its parent, one step deeper.
    for unit in GridUnit.objects.filter(path__startswith=root.path).select_related("parent"):
        if unit.parent is not None:
            assert unit.path.startswith(unit.parent.path)
            assert len(unit.path) == len(unit.parent.path) + 4

    # And importing the same files again changes nothing.
    counts = (GridUnit.objects.count(), Post.terms.count(), User.objects.count())
    tree_file.seek(0)
    people_file.seek(0)
    again_tree = check(django_capture_on_commit_callbacks, actor=admin, kind="grid_tree", upload=tree_file)
    again_people = check(django_capture_on_commit_callbacks, actor=admin, kind="people", upload=people_file)
    assert again_tree.counts == {"create": 0, "update": 0, "unchanged": len(tree_before), "refuse": 0}
    assert again_people.counts == {"create": 0, "update": 0, "unchanged": len(posts_before), "refuse": 0}
    # Applying an all-unchanged job writes nothing either.
    apply(django_capture_on_commit_callbacks, actor=admin, job=again_people)
    assert (GridUnit.objects.count(), Post.terms.count(), User.objects.count()) == counts
    assert _tree(root.path) == tree_before
    assert _posts(root.path) == posts_before


def test_a_renamed_unit_is_an_update_and_only_that(django_capture_on_commit_callbacks):
    city = _city()
    rows = [list(r) for r in _export_rows("grid_tree", city)]
    rows[1][1] = "改名后的城区"
    admin = UserFactory(is_superuser=True)
    job = import_file(
        django_capture_on_commit_callbacks, actor=admin, kind="grid_tree", upload=sheet("grid_tree", rows)
    )
    assert job.counts == {"create": 0, "update": 1, "unchanged": len(rows) - 1, "refuse": 0}
    assert GridUnit.objects.get(code=rows[1][0]).name == "改名后的城区"


def _export_rows(kind: str, root: GridUnit) -> list:
    from imports.kinds import kind_get

    return list(kind_get(kind).export(Viewer.system(), root))


def test_the_template_and_the_export_have_the_chinese_headers_and_the_key_row():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(services.template_file(kind="people", fmt="xlsx")), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "手机号", "岗位", "单元编码")
    assert rows[1][:4] == ("name", "mobile", "role", "unit_code")


def test_a_job_refused_after_the_dry_run_writes_nothing(django_capture_on_commit_callbacks):
    """Data changed between the dry run and the apply: the apply plans again, refuses, writes nothing."""
    city = _city()
    admin = UserFactory(is_superuser=True)
    zone = GridUnit.objects.filter(path__startswith=city.path, level=GridUnit.Level.ZONE).first()
    upload = sheet("people", [("张三", "13911112222", "网格员", zone.code, "否", "否")])
    job = check(django_capture_on_commit_callbacks, actor=admin, kind="people", upload=upload)
    assert job.can_apply
    assert job.counts["create"] == 1
    UserFactory(phone="13911112222", full_name="李四")  # meanwhile the number went to someone else
    posts = Post.terms.count()

    job = apply(django_capture_on_commit_callbacks, actor=admin, job=job)

    assert job.status == ImportJob.Status.CHECKED
    assert job.error
    assert job.counts["refuse"] == 1
    assert Post.terms.count() == posts
    assert not User.objects.filter(username="13911112222").exists()
