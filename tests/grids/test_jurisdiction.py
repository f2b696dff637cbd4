"""A viewer sees the union of their posts' subtrees, and nothing else."""

import pytest
from django.core.exceptions import ValidationError

from grids import selectors, services
from grids.jurisdiction import jurisdiction_paths, scope
from grids.models import GridUnit, Post, User

from .factories import chain

pytestmark = pytest.mark.django_db


def test_district_staff_sees_all_of_their_district_and_nothing_of_another(demo_user, unit_named):
    viewer = demo_user("xiufeng_district")
    xiufeng, qixing = unit_named("秀峰区"), unit_named("七星区")
    visible = selectors.unit_list(viewer=viewer)
    assert visible.count() == GridUnit.objects.subtree_of(xiufeng).count()
    assert not visible.filter(path__startswith=qixing.path).exists()


def test_worker_sees_only_their_micro_grid(demo_user):
    viewer = demo_user("qixing_worker")
    post = Post.objects.get(user=viewer)
    assert set(selectors.unit_list(viewer=viewer)) == set(GridUnit.objects.subtree_of(post.unit))


def test_jurisdiction_is_the_union_of_posts_and_drops_nested_ones(unit_named):
    user = User.objects.create(username="two_posts")
    xiufeng, qixing = unit_named("秀峰区"), unit_named("七星区")
    street = GridUnit.objects.filter(parent=xiufeng).first()
    services.post_assign(user=user, unit=xiufeng, role=Post.Role.DISTRICT_STAFF)
    services.post_assign(user=user, unit=qixing, role=Post.Role.DISTRICT_STAFF)
    services.post_assign(user=user, unit=street, role=Post.Role.STREET_STAFF)
    assert jurisdiction_paths(user) == sorted([xiufeng.path, qixing.path])
    expected = GridUnit.objects.subtree_of(xiufeng).count() + GridUnit.objects.subtree_of(qixing).count()
    assert selectors.unit_list(viewer=user).count() == expected


def test_a_user_without_posts_sees_nothing():
    user = User.objects.create(username="nobody")
    assert selectors.unit_list(viewer=user).count() == 0


def test_superuser_sees_everything():
    admin = User.objects.get(username="admin")
    assert selectors.unit_list(viewer=admin).count() == GridUnit.objects.count()


def test_a_post_must_sit_at_its_roles_level(unit_named):
    user = User.objects.create(username="misplaced")
    with pytest.raises(ValidationError) as error:
        services.post_assign(user=user, unit=unit_named("秀峰区"), role=Post.Role.GRID_WORKER)
    assert "unit" in error.value.message_dict
    assert not Post.objects.filter(user=user).exists()


@pytest.mark.parametrize("posts", [1, 12])
def test_jurisdiction_filter_is_one_query_whatever_the_number_of_posts(posts, unit_named, django_assert_num_queries):
    user = User.objects.create(username=f"many{posts}")
    areas = list(GridUnit.objects.filter(level=GridUnit.Level.AREA).order_by("path")[:posts])
    for area in areas:
        services.post_assign(user=user, unit=area, role=Post.Role.GRID_WORKER)
    user = User.objects.get(pk=user.pk)  # a fresh object, no cached jurisdiction
    with django_assert_num_queries(2):  # the posts once, then the scoped query
        count = scope(GridUnit.objects.all(), user, unit_field=None).count()
    assert count == sum(GridUnit.objects.subtree_of(area).count() for area in areas)


@pytest.mark.parametrize("size", [10, 1000])
def test_scoped_count_is_constant_in_queries_for_10_or_1000_units(size, unit_named, django_assert_num_queries):
    user = User.objects.create(username=f"size{size}")
    street, community, area = chain(unit_named("象山区"), GridUnit.Level.AREA)
    GridUnit.objects.bulk_create(
        GridUnit(code=f"S{size}-{i}", name="x", level=GridUnit.Level.COMPOUND, parent=area, path=area.path + f"{i:04d}")
        for i in range(size)
    )
    services.post_assign(user=user, unit=street, role=Post.Role.STREET_STAFF)
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(2):
        assert selectors.unit_list(viewer=user).count() == size + 3
