"""Service points: create, change, and who staffs them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from ..access import require_manage_point, require_manage_unit
from ..models import ResidentOrganisation, ServiceKind, ServicePoint, ServicePointStaff, SixFunction

EDITABLE_FIELDS = (
    "name",
    "address",
    "latitude",
    "longitude",
    "floor_area",
    "opening_hours",
    "functions",
    "zones",
    "resident_organisations",
    "service_items",
    "description",
    "contact_name",
    "contact_phone",
    "opened_on",
    "is_active",
)
MAX_LIST_ITEMS = 30


def _codes(value: Iterable[str], allowed: type, field: str) -> list[str]:
    codes = list(dict.fromkeys(value or []))  # de-duplicated, order kept
    unknown = [code for code in codes if code not in allowed.values]
    if unknown:
        raise ValidationError({field: _("无法识别的选项：%(codes)s。") % {"codes": "、".join(map(str, unknown))}})
    # Stored in the choices' order, so equal sets compare equal.
    return [code for code in allowed.values if code in codes]


def _names(value: Iterable[str], field: str) -> list[str]:
    names = [str(item).strip() for item in (value or []) if str(item).strip()]
    names = list(dict.fromkeys(names))
    if len(names) > MAX_LIST_ITEMS:
        raise ValidationError({field: _("最多填写 %(n)s 项。") % {"n": MAX_LIST_ITEMS}})
    if any(len(name) > 60 for name in names):
        raise ValidationError({field: _("每项不超过 60 个字。")})
    return names


def clean_floor_area(value: Any) -> Decimal | None:
    """A floor area in m²: empty, or a number greater than 0."""
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"floor_area": _("面积必须是数字（平方米）。")}) from exc
    if area <= 0:
        raise ValidationError({"floor_area": _("面积必须大于 0 平方米，收到的是 %(area)s。") % {"area": value}})
    return area


def validate_kind_level_unit(*, kind: str, level: str, unit: GridUnit) -> None:
    """The level belongs to the kind, and the unit is of a grid level such a point hangs from."""
    if kind not in ServicePoint.Kind.values:
        raise ValidationError({"kind": _("无法识别的阵地类型。")})
    allowed_levels = ServicePoint.KIND_LEVELS[kind]
    if level not in allowed_levels:
        if allowed_levels == ("",):
            raise ValidationError(
                {"level": _("“%(kind)s”不分级别，请留空。") % {"kind": ServicePoint.Kind(kind).label}}
            )
        raise ValidationError(
            {
                "level": _("“%(kind)s”的级别只能是：%(levels)s。")
                % {
                    "kind": ServicePoint.Kind(kind).label,
                    "levels": "、".join(str(ServicePoint.Level(code).label) for code in allowed_levels),
                }
            }
        )
    unit_levels = ServicePoint.UNIT_LEVELS[level]
    if unit.level not in unit_levels:
        raise ValidationError(
            {
                "unit": _("“%(what)s”应设在%(levels)s一级的单元，而“%(unit)s”是%(actual)s。")
                % {
                    "what": ServicePoint.Level(level).label if level else ServicePoint.Kind(kind).label,
                    "levels": "、".join(str(GridUnit.Level(code).label) for code in unit_levels),
                    "unit": unit.name,
                    "actual": GridUnit.Level(unit.level).label,
                }
            }
        )


def _apply(point: ServicePoint, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if field not in EDITABLE_FIELDS:
            raise ValidationError({field: _("该字段不能修改。")})
        if field == "functions":
            value = _codes(value, SixFunction, field)
        elif field == "resident_organisations":
            value = _codes(value, ResidentOrganisation, field)
        elif field in ("zones", "service_items"):
            value = _names(value, field)
        elif field == "floor_area":
            value = clean_floor_area(value)
        elif field in ("name", "address", "opening_hours", "contact_name", "contact_phone", "description"):
            value = (value or "").strip()
        setattr(point, field, value)
    if (point.latitude is None) != (point.longitude is None):
        raise ValidationError({"longitude": _("经度和纬度要么都填，要么都不填。")})


def _set_menu(point: ServicePoint, menu: Sequence[ServiceKind] | None) -> None:
    if menu is None:
        return
    if menu and point.kind != ServicePoint.Kind.RED_STATION:
        raise ValidationError({"menu": _("只有旅游红色驿站有服务菜单。")})
    point.menu.set(menu)


@transaction.atomic
def point_create(
    *,
    actor: User,
    kind: str,
    unit: GridUnit,
    name: str,
    level: str = "",
    menu: Sequence[ServiceKind] | None = None,
    **values: Any,
) -> ServicePoint:
    """Add a service point under a unit the actor holds a staff post over; kind, level and unit level must agree."""
    require_manage_unit(viewer_of(actor), unit)
    validate_kind_level_unit(kind=kind, level=level, unit=unit)
    point = ServicePoint(kind=kind, level=level, unit=unit)
    _apply(point, {"name": name, **values})
    point.full_clean()
    point._history_user = actor  # simple_history: who made this version
    point.save()
    _set_menu(point, menu)
    return point


@transaction.atomic
def point_update(
    *, actor: User, point: ServicePoint, menu: Sequence[ServiceKind] | None = None, **values: Any
) -> ServicePoint:
    """Change a point's details; its kind, level and unit are fixed once created (history keeps every version)."""
    point = ServicePoint.objects.select_for_update().select_related("unit").get(pk=point.pk)
    require_manage_point(viewer_of(actor), point, _("只有管辖该阵地的工作人员可以修改它。"))
    _apply(point, values)
    point.full_clean()
    point._history_user = actor
    point.save()
    _set_menu(point, menu)
    return point


@transaction.atomic
def point_staff_add(*, actor: User, point: ServicePoint, user: User, role: str = ServicePointStaff.Role.STAFF):
    """Make a person staff of one point: they then see and log for that point only."""
    require_manage_point(viewer_of(actor), point, _("您无权为该阵地配备工作人员。"))
    membership = ServicePointStaff.objects.filter(user=user, point=point).first()
    if membership is None:
        membership = ServicePointStaff(user=user, point=point, role=role)
    elif membership.role == role:
        return membership
    membership.role = role
    membership.full_clean()
    membership._history_user = actor
    membership.save()
    return membership


@transaction.atomic
def point_staff_remove(*, actor: User, membership: ServicePointStaff) -> None:
    """The person is no longer staff of the point (their next request's Viewer no longer has it)."""
    require_manage_point(viewer_of(actor), membership.point, _("您无权调整该阵地的工作人员。"))
    membership._history_user = actor
    membership.delete()


@transaction.atomic
def point_menu_set(*, actor: User, point: ServicePoint, menu: Sequence[ServiceKind]) -> ServicePoint:
    """Set a red station's service menu; other kinds have none (an empty menu clears a stale one)."""
    require_manage_point(viewer_of(actor), point, _("只有管辖该阵地的工作人员可以修改它。"))
    _set_menu(point, list(menu))
    return point
