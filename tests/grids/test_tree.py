"""The grid tree's rules: levels, unique codes, no cycles, moves that keep every path right."""

import pytest
from django.core.exceptions import ValidationError

from grids import services
from grids.forms import GridUnitForm
from grids.models import GridUnit, ancestor_paths

from .factories import chain, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(unit_named):
    return unit_named("秀峰区")


def test_child_must_be_exactly_one_level_down(district):
    with pytest.raises(ValidationError) as error:
        services.unit_create(code="X1", name="跳级社区", level=GridUnit.Level.COMMUNITY, parent=district)
    assert "parent" in error.value.message_dict
    assert "街道/乡镇" in error.value.message_dict["parent"][0]
    assert not GridUnit.objects.filter(code="X1").exists()


def test_only_the_city_has_no_parent():
    with pytest.raises(ValidationError):
        services.unit_create(code="X2", name="孤儿街道", level=GridUnit.Level.STREET, parent=None)
    assert not GridUnit.objects.filter(code="X2").exists()


def test_duplicate_code_is_refused(district):
    street = unit(district)
    with pytest.raises(ValidationError) as error:
        services.unit_create(code=street.code, name="重复", level=GridUnit.Level.STREET, parent=district)
    assert "code" in error.value.message_dict


def test_a_new_child_gets_the_next_path_step(district):
    before = GridUnit.objects.filter(parent=district).count()
    street = unit(district)
    assert street.path.startswith(district.path)
    assert len(street.path) == len(district.path) + 4
    assert GridUnit.objects.filter(parent=district).count() == before + 1
    assert street.path > max(
        GridUnit.objects.filter(parent=district).exclude(pk=street.pk).values_list("path", flat=True)
    )


def test_moving_under_own_descendant_is_refused(district):
    street, community = chain(district, GridUnit.Level.COMMUNITY)
    area = unit(community)
    # A street can only go under a district; its own descendants are never valid parents.
    with pytest.raises(ValidationError) as error:
        services.unit_move(unit=street, new_parent=area)
    assert "parent" in error.value.message_dict
    street.refresh_from_db()
    assert street.parent == district


def test_moving_under_itself_is_refused(district):
    street = unit(district)
    with pytest.raises(ValidationError):
        services.validate_unit_parent(level=street.level, parent=street, unit=street)


def test_moving_a_subtree_keeps_every_descendants_ancestors(district, unit_named):
    other_district = unit_named("七星区")
    street, community, area, compound, zone = chain(district, GridUnit.Level.ZONE)
    second_zone = unit(compound)
    new_street = unit(other_district)

    services.unit_move(unit=community, new_parent=new_street)

    for moved in (community, area, compound, zone, second_zone):
        moved.refresh_from_db()
        ancestors = list(GridUnit.objects.filter(path__in=ancestor_paths(moved.path)).order_by("path"))
        assert ancestors[1] == other_district
        assert ancestors[2] == new_street
        assert moved.path.startswith(new_street.path)
    assert community.parent == new_street
    assert area.parent == community  # parents below the moved unit are unchanged
    assert not GridUnit.objects.subtree_of(street).filter(pk=zone.pk).exists()
    assert set(GridUnit.objects.subtree_of(new_street)) == {new_street, community, area, compound, zone, second_zone}


def test_admin_form_refuses_a_wrong_level_parent_with_a_message(district):
    form = GridUnitForm(
        data={"code": "F1", "name": "表单社区", "level": GridUnit.Level.COMMUNITY, "parent": district.pk}
    )
    assert not form.is_valid()
    assert "街道/乡镇" in form.errors["parent"][0]


def test_admin_form_refuses_duplicate_code(district):
    street = unit(district)
    form = GridUnitForm(
        data={"code": street.code, "name": "另一个", "level": GridUnit.Level.STREET, "parent": district.pk}
    )
    assert not form.is_valid()
    assert "code" in form.errors


@pytest.mark.parametrize("size", [10, 1000])
def test_subtree_and_ancestors_take_one_query_each(size, district, django_assert_num_queries):
    street, community, area = chain(district, GridUnit.Level.AREA)
    compounds = GridUnit.objects.bulk_create(
        GridUnit(
            code=f"B{size}-{i}",
            name=f"小区{i}",
            level=GridUnit.Level.COMPOUND,
            parent=area,
            path=area.path + f"{i:04d}",
        )
        for i in range(size)
    )
    with django_assert_num_queries(1):
        assert GridUnit.objects.subtree_of(street).count() == 2 + size + 1
    with django_assert_num_queries(1):
        assert [u.pk for u in GridUnit.objects.ancestors_of(compounds[-1])][-3:] == [street.pk, community.pk, area.pk]


def test_path_upper_bound_closes_each_subtree():
    from grids.models.tree import path_upper_bound

    assert path_upper_bound("00010002") == "00010003"
    assert path_upper_bound("0001000Z") == "00010010"[:7]  # "0001001": above every "0001000Z…"
    assert path_upper_bound("ZZZZ") is None
    assert path_upper_bound("") is None


def test_prefix_lookup_is_a_range_with_the_same_rows_as_a_prefix_match(district):
    street = unit(district)
    community = unit(street)
    rows = GridUnit.objects.filter(path__startswith=street.path)
    sql = str(rows.query)
    assert "LIKE" not in sql
    assert ">=" in sql
    assert set(rows) == {u for u in GridUnit.objects.all() if u.path.startswith(street.path)}
    assert community in rows
