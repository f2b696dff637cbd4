"""Tourism red stations 旅游红色驿站: the one-tap service log, jobs for low-income households, local products.

The report: 针对游客需求推送“菜单式”定制服务，共计提供咨询、医疗、救援、纠纷调解等服务
15万余次；……为贫困户提供导游、票务、保安等岗位2100多个；……设立产品展示区、第一书记推荐区.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from ..access import can_undo_service, require_work_on_point, undo_window
from ..models import JobOffer, LocalProduct, RedStationMonthlyTally, RedStationService, ServiceKind, ServicePoint
from ..periods import local_midnight, month_start, next_month

# A phone's clock may run a little fast; anything later than this is refused as "in the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
# Staff may catch up on services they could not log at the time, within a month.
BACKDATE_LIMIT = dt.timedelta(days=31)


def _require_red_station(point: ServicePoint) -> None:
    if point.kind != ServicePoint.Kind.RED_STATION:
        raise ValidationError({"point": _("“%(point)s”不是旅游红色驿站。") % {"point": point.name}})


def _by_client_key(point: ServicePoint, client_key: uuid.UUID) -> RedStationService | None:
    # A plain lookup on the unique (point, client_key) index: no ordering, which would have the
    # planner walk the station's whole log by time instead.
    try:
        return RedStationService.objects.get(point=point, client_key=client_key)
    except RedStationService.DoesNotExist:
        return None


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
    require_work_on_point(viewer_of(actor), point)
    now = timezone.now()
    if client_key is not None:
        existing = _by_client_key(point, client_key)
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
        existing = _by_client_key(point, client_key) if client_key is not None else None
        if client_key is None or existing is None:
            raise
        return existing, False
    month = month_start(timezone.localtime(served_at).date())
    if month < month_start(timezone.localdate()):
        # A back-dated entry for a closed month: that month's roll-up is rebuilt once this commits.
        from ..tasks import red_station_tally_refresh_task

        point_id = point.pk
        transaction.on_commit(
            lambda: red_station_tally_refresh_task.delay(months=[month.isoformat()], point_ids=[point_id])
        )
    return entry, True


@transaction.atomic
def red_station_service_undo(*, actor: User, entry: RedStationService) -> None:
    """Take back a mistaken tap: only whoever logged it, within RED_STATION_UNDO_SECONDS; after that
    it is refused (a ValidationError naming `entry`) and stands. A closed month's roll-up is rebuilt."""
    entry = RedStationService.objects.select_for_update().filter(pk=entry.pk).first()
    if entry is None:
        raise ValidationError({"entry": _("这条服务记录已经撤销了。")})
    viewer = viewer_of(actor)
    if entry.logged_by_id != viewer.user_id:
        raise PermissionDenied(_("只能撤销自己刚登记的服务。"))
    if not can_undo_service(viewer, entry, timezone.now()):
        raise ValidationError(
            {"entry": _("登记已超过 %(seconds)s 秒，不能撤销。") % {"seconds": int(undo_window().total_seconds())}},
            code="undo_window_passed",
        )
    month = month_start(timezone.localtime(entry.served_at).date())
    point_id = entry.point_id
    entry.delete()
    if month < month_start(timezone.localdate()):
        from ..tasks import red_station_tally_refresh_task

        transaction.on_commit(
            lambda: red_station_tally_refresh_task.delay(months=[month.isoformat()], point_ids=[point_id])
        )


@transaction.atomic
def red_station_tally_refresh(*, months: Sequence[dt.date], point_ids: Sequence[int] | None = None) -> int:
    """Rebuild the monthly roll-up of closed months from the log; running it twice gives the same rows.

    The month under way is never tallied (dashboards count it live). Returns the rows written.
    """
    current = month_start(timezone.localdate())
    wanted = sorted({month_start(m) for m in months if month_start(m) < current})
    if not wanted:
        return 0
    log = RedStationService.objects.filter(
        served_at__gte=local_midnight(wanted[0]), served_at__lt=local_midnight(next_month(wanted[-1]))
    )
    tallies = RedStationMonthlyTally.objects.filter(month__in=wanted)
    if point_ids is not None:
        log = log.filter(point_id__in=point_ids)
        tallies = tallies.filter(point_id__in=point_ids)
    now = timezone.now()
    rows = []
    for group in (
        log.annotate(month=TruncMonth("served_at", tzinfo=timezone.get_current_timezone()))
        .values("point_id", "service_kind_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = group["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if month in wanted:
            rows.append(
                RedStationMonthlyTally(
                    point_id=group["point_id"],
                    service_kind_id=group["service_kind_id"],
                    month=month,
                    services=group["n"],
                    refreshed_at=now,
                )
            )
    RedStationMonthlyTally.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["point", "month", "service_kind"],
        update_fields=["services", "refreshed_at"],
    )
    # Whatever this run did not write has no services left (entries deleted since): drop it.
    tallies.filter(refreshed_at__lt=now).delete()
    return len(rows)


@transaction.atomic
def job_offer_record(
    *, actor: User, point: ServicePoint, role: str, positions: int, offered_on: dt.date, note: str = ""
) -> JobOffer:
    """Record posts a station offers to low-income households."""
    _require_red_station(point)
    require_work_on_point(viewer_of(actor), point)
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
    require_work_on_point(viewer_of(actor), point)
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
