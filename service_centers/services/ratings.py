"""Star rating 评星定级: yearly, against the “six standardizations” (六化) checklist.

The report: 推进城市居民小区基层党组织组织建设标准化、阵地建设规范化、管理服务
精细化、服务队伍专业化、民主建设常态化、工作保障制度化“六化”建设，开展城市居民
小区党组织评星定级活动. Service points are rated on the same checklist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from ..access import can_manage_unit
from ..models import ServicePoint, StarRating

FIRST_YEAR = 2000


def stars_for_total(total: int) -> int:
    """Stars for a total out of 60: 54+ five stars, 48+ four ... 30+ one, below 30 none (未达标)."""
    for threshold, stars in StarRating.STAR_THRESHOLDS:
        if total >= threshold:
            return stars
    return 0


def _clean_scores(scores: dict[str, Any]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    errors: dict[str, str] = {}
    for field, label in StarRating.CRITERIA:
        raw = scores.get(field)
        try:
            if isinstance(raw, bool) or raw is None:
                raise ValueError
            value = raw if isinstance(raw, int) else int(str(raw).strip())
        except ValueError:
            errors[field] = _("请为“%(criterion)s”打分（0 到 %(max)s 的整数）。") % {
                "criterion": label,
                "max": StarRating.MAX_SCORE,
            }
            continue
        if not 0 <= value <= StarRating.MAX_SCORE:
            errors[field] = _("“%(criterion)s”的得分必须在 0 到 %(max)s 之间，收到的是 %(value)s。") % {
                "criterion": label,
                "max": StarRating.MAX_SCORE,
                "value": value,
            }
            continue
        cleaned[field] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def star_rating_record(
    *,
    actor: User,
    year: int,
    scores: dict[str, Any],
    point: ServicePoint | None = None,
    compound: GridUnit | None = None,
    note: str = "",
) -> StarRating:
    """Rate a point or a compound party organisation for a year; a re-rating retires the earlier one, kept on record."""
    if (point is None) == (compound is None):
        raise ValidationError({"point": _("请选择一个服务阵地或一个小区党组织（只能选一个）。")})
    if compound is not None and compound.level != GridUnit.Level.COMPOUND:
        raise ValidationError({"compound": _("“%(unit)s”不是小区，只能为小区党组织评星。") % {"unit": compound.name}})
    unit = point.unit if point is not None else compound
    if not can_manage_unit(viewer_of(actor), unit):
        raise PermissionDenied(_("该对象不在您的管辖范围内。"))
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= int(year) <= this_year:
        raise ValidationError(
            {"year": _("评定年度必须在 %(first)s 到 %(last)s 之间。") % {"first": FIRST_YEAR, "last": this_year}}
        )
    cleaned = _clean_scores(scores)
    total = sum(cleaned.values())

    target = {"point": point} if point is not None else {"compound": compound}
    # Lock the current rating (if any) so two raters of the same target and year queue up.
    previous = list(StarRating.objects.select_for_update().filter(year=year, is_current=True, **target))
    if previous:
        StarRating.objects.filter(pk__in=[r.pk for r in previous]).update(is_current=False)
    rating = StarRating(
        year=year,
        unit=unit,
        total=total,
        stars=stars_for_total(total),
        note=(note or "").strip(),
        rated_by=actor,
        rated_at=timezone.now(),
        is_current=True,
        **target,
        **cleaned,
    )
    rating.full_clean()
    rating.save()
    return rating
