"""Factories (factory-boy) for the small world a service test builds for itself.

Units and posts are made through the grid services (`unit_create`, `post_assign`)
and issues through `issue_log`, so a test's world obeys the same rules as the
product's. Categories, departments and routing rules have no service (they are
kept in the admin), so they are plain model factories.

The seeded demo city is still in the database (the permission matrix, browser
and demo tests use it); everything made here has its own codes and its own city
root, so a test's world never shares a unit, a rule or a category with it.
`grid_branch()` builds one chain district → street → community → area →
compound → zone under a city.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory, Password

from grids import services as grid_services
from grids.models import GridUnit, Post, User
from issues import services as issue_services
from issues.models import Department, HandlerKind, Issue, IssueCategory, RoutingRule

L = GridUnit.Level


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"tf_user_{n}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    password = Password("test-password")


class UnitFactory(factory.Factory):
    """A grid unit one level under `parent` (a city without one), with the next free path step."""

    class Meta:
        model = GridUnit

    parent = None
    level = factory.LazyAttribute(lambda o: o.parent.level + 1 if o.parent is not None else L.CITY)
    code = factory.Sequence(lambda n: f"tf-unit-{n}")
    name = factory.LazyAttributeSequence(lambda o, n: f"测试{GridUnit.Level(o.level).label}{n}")
    is_property_managed = False

    @classmethod
    def _create(cls, model_class, **kwargs) -> GridUnit:
        return grid_services.unit_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs) -> GridUnit:
        raise TypeError("Units get their path from unit_create: use UnitFactory(), not .build().")


class PostFactory(factory.Factory):
    """A person's post at a unit of the level its role belongs to."""

    class Meta:
        model = Post

    user = factory.SubFactory(UserFactory)
    unit = None
    role = Post.Role.GRID_WORKER
    is_full_time = False

    @classmethod
    def _create(cls, model_class, **kwargs) -> Post:
        return grid_services.post_assign(**kwargs)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = IssueCategory

    code = factory.Sequence(lambda n: f"tf-category-{n}")
    kind = Issue.Kind.OPINION
    name = factory.Sequence(lambda n: f"测试类别{n}")
    time_limit_hours = 72


class DepartmentFactory(DjangoModelFactory):
    """A functional department serving a district (or the city); `members` adds its people."""

    class Meta:
        model = Department
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"tf-department-{n}")
    name = factory.Sequence(lambda n: f"测试职能部门{n}")
    unit = None
    is_active = True

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class RoutingRuleFactory(DjangoModelFactory):
    """A routing rule on a unit: by default every category to the community office."""

    class Meta:
        model = RoutingRule

    unit = None
    category = None
    handler_kind = HandlerKind.OFFICE
    office_level = factory.LazyAttribute(lambda o: L.COMMUNITY if o.handler_kind == HandlerKind.OFFICE else None)
    department = None


class IssueFactory(factory.Factory):
    """An issue logged through `issue_log` (waiting for routing); `routed=True` routes it too."""

    class Meta:
        model = Issue

    reporter = None
    unit = None
    category = None
    description = "楼道灯坏了，晚上看不见。"
    routed = False

    @classmethod
    def _create(cls, model_class, *, routed: bool = False, **kwargs) -> Issue:
        issue, _created = issue_services.issue_log(**kwargs)
        if routed:
            issue_services.issue_route(issue_id=issue.pk)
        return Issue.objects.select_related("unit", "category").get(pk=issue.pk)


@dataclass(frozen=True)
class Branch:
    """One chain of the tree under a city, from a district down to a zone."""

    district: GridUnit
    street: GridUnit
    community: GridUnit
    area: GridUnit
    compound: GridUnit
    zone: GridUnit


def grid_branch(city: GridUnit) -> Branch:
    """A district under the city and one unit at each level below it."""
    units = [city]
    for _level in range(L.DISTRICT, L.ZONE + 1):
        units.append(UnitFactory(parent=units[-1]))
    return Branch(*units[1:])


def person_at(unit: GridUnit, role: str, **user_fields) -> User:
    """A new person holding one post at the unit."""
    return PostFactory(unit=unit, role=role, user=UserFactory(**user_fields)).user
