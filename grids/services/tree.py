"""Writes to the grid tree and to posts: one function per business action."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from grids.models import PATH_STEP, GridUnit, Post, User, path_step, path_step_index


def validate_unit_parent(*, level: int, parent: GridUnit | None, unit: GridUnit | None = None) -> None:
    """A unit's parent is exactly one level up; a unit never goes under itself."""
    if level == GridUnit.Level.CITY:
        if parent is not None:
            raise ValidationError({"parent": _("市级单元不能有上级单元。")})
        return
    if parent is None:
        raise ValidationError({"parent": _("请选择上级单元。")})
    if unit is not None and unit.pk and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("不能把单元移到它自己或它的下级之下。")})
    if parent.level != level - 1:
        raise ValidationError(
            {
                "parent": _("“%(level)s”的上级必须是“%(expected)s”，而“%(parent)s”是“%(actual)s”。")
                % {
                    "level": GridUnit.Level(level).label,
                    "expected": GridUnit.Level(level - 1).label,
                    "parent": parent.name,
                    "actual": GridUnit.Level(parent.level).label,
                }
            }
        )


def _next_child_path(parent: GridUnit | None) -> str:
    if parent is None:
        siblings = GridUnit.objects.filter(level=GridUnit.Level.CITY)
        prefix = ""
    else:
        siblings = GridUnit.objects.filter(parent=parent)
        prefix = parent.path
    last = siblings.aggregate(last=Max("path"))["last"]
    index = 0 if last is None else path_step_index(last[-PATH_STEP:]) + 1
    return prefix + path_step(index)


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    level: int,
    parent: GridUnit | None,
    is_property_managed: bool = False,
) -> GridUnit:
    """Add a unit under its parent, one level down, with the next free path step."""
    validate_unit_parent(level=level, parent=parent)
    if parent is not None:
        # Serialise sibling creation under one parent so two never take the same step.
        GridUnit.objects.select_for_update().filter(pk=parent.pk).first()
    unit = GridUnit(
        code=code,
        name=name,
        level=level,
        parent=parent,
        is_property_managed=is_property_managed,
        path=_next_child_path(parent),
    )
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, unit: GridUnit, code: str, name: str, is_property_managed: bool) -> GridUnit:
    """Change what a unit is called; its place in the tree changes only through unit_move."""
    unit.code = code
    unit.name = name
    unit.is_property_managed = is_property_managed
    unit.full_clean()
    unit.save(update_fields=["code", "name", "is_property_managed"])
    return unit


@transaction.atomic
def unit_move(*, unit: GridUnit, new_parent: GridUnit) -> GridUnit:
    """Move a unit and its whole subtree under a new parent of the level above.

    One UPDATE rewrites the path prefix of every unit in the subtree, so each
    descendant's ancestors are right the moment the transaction commits.
    """
    unit = GridUnit.objects.select_for_update().get(pk=unit.pk)
    validate_unit_parent(level=unit.level, parent=new_parent, unit=unit)
    if new_parent.pk == unit.parent_id:
        return unit
    GridUnit.objects.select_for_update().filter(pk=new_parent.pk).first()
    old_path = unit.path
    new_path = _next_child_path(new_parent)
    GridUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path")))
    )
    GridUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    return unit


@transaction.atomic
def post_assign(*, user: User, unit: GridUnit, role: str, is_full_time: bool = False, started_on=None) -> Post:
    """Give a person a post at a unit of the level the role belongs to."""
    validate_post(unit=unit, role=role)
    post, _created = Post.objects.get_or_create(
        user=user,
        unit=unit,
        role=role,
        defaults={"is_full_time": is_full_time, "started_on": started_on},
    )
    return post


@transaction.atomic
def post_remove(*, post: Post) -> None:
    """End a post; the person loses the jurisdiction it gave."""
    post.delete()


def validate_post(*, unit: GridUnit, role: str) -> None:
    lowest, highest = Post.ROLE_LEVELS[Post.Role(role)]
    if not lowest <= unit.level <= highest:
        allowed = GridUnit.Level(lowest).label
        if highest != lowest:
            allowed = _("%(low)s至%(high)s") % {"low": allowed, "high": GridUnit.Level(highest).label}
        raise ValidationError(
            {
                "unit": _("“%(role)s”岗位只能设在%(allowed)s一级的单元。")
                % {"role": Post.Role(role).label, "allowed": allowed}
            }
        )
