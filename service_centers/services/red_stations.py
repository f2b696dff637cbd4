"""Tourism red stations 旅游红色驿站: the one-tap service log, jobs for low-income households, local products.

The report: 针对游客需求推送“菜单式”定制服务，共计提供咨询、医疗、救援、纠纷调解等服务
15万余次；……为贫困户提供导游、票务、保安等岗位2100多个；……设立产品展示区、第一书记推荐区.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User

from ..models import JobOffer, LocalProduct, RedStationService, ServiceKind, ServicePoint

# A phone's clock may run a little fast; anything later than this is refused as "in the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
# Staff may catch up on services they could not log at the time, within a month.
BACKDATE_LIMIT = dt.timedelta(days=31)


def _require_red_station(point: ServicePoint) -> None:
    if point.kind != ServicePoint.Kind.RED_STATION:
        raise ValidationError({"point": _("“%(point)s”不是旅游红色驿站。") % {"point": point.name}})


@transaction.atomic
def red_station_service_log(
    *,
    actor: User,
    point: ServicePoint,
    service_kind: ServiceKind,
    served_at: dt.datetime | None = None,
    note: str = "",
    client_key: uuid.UUID | None = None,
) -> tuple[RedStationService, bool]:
    """Log one service from the station's menu, now or up to a month back; a repeated client key logs nothing new.

    Returns the entry and whether it was created.
    """
    _require_red_station(point)
    now = timezone.now()
    if client_key is not None:
        existing = RedStationService.objects.filter(point=point, client_key=client_key).first()
        if existing is not None:
            return existing, False
    if not point.menu.filter(pk=service_kind.pk).exists():
        raise ValidationError(
            {"service_kind": _("“%(service)s”不在本驿站的服务菜单上。") % {"service": service_kind.name}}
        )
    served_at = served_at or now
    if served_at > now + CLOCK_SKEW:
        raise ValidationError({"served_at": _("服务时间不能晚于现在。")})
    if served_at < now - BACKDATE_LIMIT:
        raise ValidationError({"served_at": _("只能补登 31 天以内的服务。")})
    entry = RedStationService(
        point=point,
        service_kind=service_kind,
        served_at=served_at,
        note=(note or "").strip(),
        logged_by=actor,
        logged_at=now,
        client_key=client_key,
    )
    if len(entry.note) > 200:
        raise ValidationError({"note": _("备注不超过 200 个字。")})
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The same tap arrived twice at once: the other request logged it.
        existing = RedStationService.objects.filter(point=point, client_key=client_key).first()
        if client_key is None or existing is None:
            raise
        return existing, False
    return entry, True


@transaction.atomic
def job_offer_record(
    *, actor: User, point: ServicePoint, role: str, positions: int, offered_on: dt.date, note: str = ""
) -> JobOffer:
    """Record posts a station offers to low-income households."""
    _require_red_station(point)
    if not positions or int(positions) <= 0:
        raise ValidationError({"positions": _("岗位数必须大于 0。")})
    if offered_on > timezone.localdate():
        raise ValidationError({"offered_on": _("提供日期不能晚于今天。")})
    offer = JobOffer(point=point, role=role, positions=int(positions), offered_on=offered_on, note=note.strip())
    offer.full_clean()
    offer.save()
    return offer


@transaction.atomic
def local_product_add(
    *,
    actor: User,
    point: ServicePoint,
    name: str,
    category: str,
    producer: str,
    origin: GridUnit | None = None,
    first_secretary_pick: bool = False,
) -> LocalProduct:
    """Show a local product at a station."""
    _require_red_station(point)
    product = LocalProduct(
        point=point,
        name=(name or "").strip(),
        category=category,
        producer=(producer or "").strip(),
        origin=origin,
        first_secretary_pick=first_secretary_pick,
    )
    product.full_clean()
    product.save()
    return product
