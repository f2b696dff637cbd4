"""The demo's bulk writers (guilin_portal.demo) store every value as it was given: COPY's CSV on
PostgreSQL, executemany and bulk_create on SQLite; the set-based update changes the fields named, of the rows given. The awkward strings are the ones a CSV gets wrong."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from guilin_portal.demo import _NULL, DemoContext, _csv_ready, insert_instances, insert_rows, update_instances
from volunteers.models import Volunteer

from .factories import UnitFactory

pytestmark = pytest.mark.django_db

AWKWARD_NAMES = [
    "逗号,引号\"与'单引号",
    "制表\t换行\n回车\r结束",
    'a "quoted" name',
    "反斜杠\\N\\t",
    ",",
    '"',
    " 首尾空格 ",
]


def test_insert_rows_keeps_every_value_and_tells_empty_from_null():
    unit = UnitFactory()
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    rows = [
        (name, "" if i % 2 else f"1380000{i:04d}", None, i % 2 == 0, unit.pk, at)
        for i, name in enumerate(AWKWARD_NAMES)
    ]
    ctx = DemoContext(scale=0.01, seed=1, now=at, show_progress=False)
    fields = ["full_name", "phone", "user_id", "is_party_member", "unit_id", "created_at"]

    written = insert_rows(ctx, Volunteer, fields, rows, total=len(rows), label="test")

    assert written == len(rows)
    stored = list(
        Volunteer.objects.filter(unit=unit)
        .order_by("pk")
        .values_list("full_name", "phone", "user_id", "is_party_member", "unit_id", "created_at")
    )
    assert stored == rows


def test_datetimes_shared_and_repeated_in_two_zones_are_stored_as_given():
    # Given a chunk whose datetimes repeat (as the demo clock shares them), in two zones, one the same
    # instant as another
    unit = UnitFactory()
    shanghai = timezone(timedelta(hours=8))
    moments = [
        datetime(2026, 3, 1, 9, 30, tzinfo=shanghai),
        datetime(2026, 3, 1, 1, 30, tzinfo=UTC),  # the same instant
        datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    ]
    rows = [(f"志愿者{i}", "", False, moments[i % 3] + timedelta(days=i % 5), unit.pk) for i in range(300)]
    ctx = DemoContext(scale=0.01, seed=1, now=moments[0], show_progress=False)

    insert_rows(
        ctx, Volunteer, ["full_name", "phone", "is_party_member", "created_at", "unit_id"], rows, total=300, label="t"
    )

    stored = list(
        Volunteer.objects.filter(unit=unit)
        .order_by("pk")
        .values_list("full_name", "phone", "is_party_member", "created_at", "unit_id")
    )
    assert stored == rows


def test_the_copy_input_of_a_datetime_is_its_text_and_of_none_null():
    at = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    rows = [(1, at, None, "x"), (2, None, at, "y"), (3, at, at, None)]

    ready = _csv_ready(rows)

    assert [ready(row) for row in rows] == [
        [1, str(at), _NULL, "x"],
        [2, _NULL, str(at), "y"],
        [3, str(at), str(at), _NULL],
    ]
    assert _csv_ready([(1, "x", None)])((1, "x", None)) == [1, "x", _NULL]  # no datetime column: NULLs only


def test_a_datetime_in_a_column_empty_in_the_sampled_rows_is_left_to_the_csv_writer():
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    rows = [(i, None) for i in range(100)] + [(100, at)]

    ready = _csv_ready(rows)

    assert ready(rows[0]) == [0, _NULL]
    assert ready(rows[100]) == (100, at)  # str() by the csv module: the same text


def test_insert_instances_gives_keys_and_runs_auto_now_add():
    unit = UnitFactory()
    volunteers = [Volunteer(full_name=name, phone="", unit_id=unit.pk) for name in AWKWARD_NAMES]

    saved = insert_instances(Volunteer, volunteers)

    assert all(v.pk is not None for v in saved)
    stored = {v.pk: v for v in Volunteer.objects.filter(unit=unit)}
    assert sorted(stored) == sorted(v.pk for v in saved)
    for volunteer in saved:
        row = stored[volunteer.pk]
        assert row.full_name == volunteer.full_name
        assert row.phone == ""
        assert row.user_id is None
        assert row.organisation_id is None
        assert row.created_at is not None  # auto_now_add ran though the field is not read as a plain value


def test_update_instances_writes_the_fields_named_of_the_rows_given_and_nothing_else():
    unit, other_unit = UnitFactory(), UnitFactory()
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    volunteers = insert_instances(
        Volunteer, [Volunteer(full_name=f"v{i}", phone="13800000000", unit_id=unit.pk) for i in range(8)]
    )
    changed, untouched = volunteers[:7], volunteers[7]
    for volunteer, name in zip(changed, AWKWARD_NAMES, strict=True):
        volunteer.full_name = name
        volunteer.unit_id = other_unit.pk
        volunteer.created_at = at
        volunteer.phone = "changed in memory, not named"

    assert update_instances(Volunteer, changed, ["full_name", "unit", "created_at"]) == len(changed)

    stored = {v.pk: v for v in Volunteer.objects.filter(pk__in=[v.pk for v in volunteers])}
    for volunteer, name in zip(changed, AWKWARD_NAMES, strict=True):
        row = stored[volunteer.pk]
        assert (row.full_name, row.unit_id, row.created_at) == (name, other_unit.pk, at)
        assert row.phone == "13800000000"  # not among the fields named
    assert (stored[untouched.pk].full_name, stored[untouched.pk].unit_id) == ("v7", unit.pk)
    assert update_instances(Volunteer, [], ["full_name"]) == 0
