"""Service records: registering served time, verifying it into the ledger, rejecting, reversing.

Rules: hours more than 0 and at most 24 a person a day; one person's
records never overlap; only verified records count anywhere, and verifying
posts the time-bank hours and party-member points in one balanced entry; a
correction is a reversing entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from .. import access
from ..models import (
    ActivityKind,
    Currency,
    LedgerAccount,
    LedgerEntry,
    MemberRegistration,
    PointRule,
    ServiceCategory,
    ServiceRecord,
    Team,
    Volunteer,
)
from ..models.activities import Activity, ActivitySignup
from ._common import deny, save_by
from .handoffs import record_waits
from .ledger import entry_reverse, ledger_post, personal_account, quantize, system_account

R = TypeVar("R")
MAX_HOURS_PER_DAY = Decimal("24")


def _local_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    day = timezone.localtime(moment).date()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def validate_service_time(
    *, volunteer: Volunteer, started_at: datetime, ended_at: datetime, hours: Decimal, exclude_pk: int | None = None
) -> Decimal:
    """Hours in (0, 24], within the times given, no overlap, at most 24 a day. Returns the hours rounded."""
    try:
        hours = quantize(hours)
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({"hours": _("请输入有效的服务时长。")}) from exc
    if hours <= 0:
        raise ValidationError({"hours": _("服务时长必须大于0小时。")})
    if hours > MAX_HOURS_PER_DAY:
        raise ValidationError({"hours": _("服务时长不能超过24小时。")})
    if started_at is None or ended_at is None or ended_at <= started_at:
        raise ValidationError({"ended_at": _("结束时间必须晚于开始时间。")})
    if ended_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"ended_at": _("不能登记尚未结束的服务。")})
    span = Decimal((ended_at - started_at).total_seconds()) / Decimal(3600)
    if hours > span + Decimal("0.01"):
        raise ValidationError(
            {"hours": _("服务时长不能超过开始到结束的时间（%(span)s小时）。") % {"span": quantize(span)}}
        )
    live = ServiceRecord.objects.live().filter(volunteer=volunteer)
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    clash = live.filter(started_at__lt=ended_at, ended_at__gt=started_at).order_by("started_at").first()
    if clash is not None:
        raise ValidationError(
            {
                "started_at": _("与另一条服务记录（%(start)s 至 %(end)s）时间重叠。")
                % {
                    "start": timezone.localtime(clash.started_at).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(clash.ended_at).strftime("%H:%M"),
                }
            }
        )
    day_start, day_end = _local_day_bounds(started_at)
    already = live.filter(started_at__gte=day_start, started_at__lt=day_end).aggregate(s=Sum("hours"))["s"] or 0
    if already + hours > MAX_HOURS_PER_DAY:
        raise ValidationError(
            {"hours": _("当天已登记%(already)s小时，每人每天合计不能超过24小时。") % {"already": quantize(already)}}
        )
    return hours


def default_unit_for(volunteer: Volunteer) -> GridUnit:
    """Where a self-reported service counts: the community the person is registered with, else where they live."""
    registration = (
        MemberRegistration.objects.filter(volunteer=volunteer, ended_on__isnull=True)
        .select_related("community")
        .first()
    )
    return registration.community if registration else volunteer.unit


@transaction.atomic
def record_create(
    *,
    volunteer: Volunteer,
    category: ServiceCategory,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    actor: User,
    unit: GridUnit | None = None,
    team: Team | None = None,
    kind: str = ActivityKind.REPORT,
    description: str = "",
    solved_difficulty: bool = False,
) -> ServiceRecord:
    """Register served time (a self-report, or a leader or staff for someone) as a pending record.

    A pending record counts nowhere until it is verified.
    """
    viewer = viewer_of(actor)
    # Where the person belongs matters unless staff over the unit named register it.
    home = None if unit is not None and access.is_staff_over(viewer, unit) else default_unit_for(volunteer)
    unit = unit or home
    home_unit_ids = {volunteer.unit_id} | ({home.pk} if home is not None else set())
    if not access.can_record_service(viewer, volunteer=volunteer, team=team, unit=unit, home_unit_ids=home_unit_ids):
        raise deny(_("您只能为本人、本队队员或本辖区登记服务记录。"))
    if team is not None and not team.memberships.filter(volunteer=volunteer, left_on__isnull=True).exists():
        raise ValidationError({"volunteer": _("%(name)s 不是“%(team)s”的队员。") % {"name": volunteer, "team": team}})
    return record_write(
        volunteer=volunteer,
        category=category,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        actor=actor,
        unit=unit,
        team=team,
        kind=kind,
        source=ServiceRecord.Source.REPORT,
        description=description,
        solved_difficulty=solved_difficulty,
    )


@transaction.atomic
def record_write(
    *,
    volunteer: Volunteer,
    category: ServiceCategory,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    actor: User,
    unit: GridUnit,
    team: Team | None,
    kind: str,
    source: str,
    description: str = "",
    solved_difficulty: bool = False,
    activity: Activity | None = None,
    signup: ActivitySignup | None = None,
    **links: object,
) -> ServiceRecord:
    """Insert a pending record after the time rules; callers have checked who may do it."""
    # One person's records are written one at a time: the overlap and daily checks hold under this lock.
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    hours = validate_service_time(volunteer=volunteer, started_at=started_at, ended_at=ended_at, hours=hours)
    record = ServiceRecord(
        volunteer=volunteer,
        team=team,
        source=source,
        activity=activity,
        signup=signup,
        category=category,
        kind=kind,
        unit=unit,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        description=description[:500],
        solved_difficulty=solved_difficulty,
        status=ServiceRecord.Status.PENDING,
        created_by=actor,
        created_at=timezone.now(),
        **links,
    )
    save_by(record, actor)
    record_waits(record, actor_id=actor.pk)  # its verifiers hear of it (handoffs.py)
    return record


@dataclass(frozen=True)
class Award:
    hours: Decimal  # time-bank hours credited
    points: Decimal  # party-member points credited


def most_specific_point_rule(
    rules: Mapping[tuple[int | None, str], R], *, category_id: int | None, kind: str
) -> R | None:
    """The rule that prices a service, from rules keyed by (category id or None, activity kind or ""):
    category and kind, category, kind, then the default. Pure (no query): the service and the demo
    seed share it."""
    for key in ((category_id, kind), (category_id, ""), (None, kind), (None, "")):
        if key in rules:
            return rules[key]
    return None


def award_under(rule: PointRule | None, hours: Decimal, *, party_member: bool) -> Award:
    """What `hours` of service earn under a point rule (points only for party members). Pure."""
    if rule is None:
        return Award(hours=hours, points=Decimal("0.00"))
    points = Decimal("0.00")
    if party_member:
        points = quantize(hours * rule.points_per_hour + rule.points_per_service)
    return Award(hours=quantize(hours * rule.hours_rate), points=points)


def point_rule_for(*, category_id: int, kind: str) -> PointRule | None:
    """The most specific active rule (`most_specific_point_rule`): one query."""
    candidates = PointRule.objects.filter(is_active=True).filter(
        Q(category_id=category_id) | Q(category__isnull=True), activity_kind__in=[kind, ""]
    )
    rules: dict[tuple[int | None, str], PointRule] = {}
    for rule in candidates:
        rules.setdefault((rule.category_id, rule.activity_kind), rule)
    return most_specific_point_rule(rules, category_id=category_id, kind=kind)


def award_for(record: ServiceRecord) -> Award:
    """What a verified record earns under the point rules (points only for party members)."""
    rule = point_rule_for(category_id=record.category_id, kind=record.kind)
    return award_under(rule, record.hours, party_member=record.volunteer.is_party_member)


def _locked_record(record: ServiceRecord) -> ServiceRecord:
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("volunteer", "unit", "team__unit")
        .get(pk=record.pk)
    )


def _check_verifier(actor: User, record: ServiceRecord) -> None:
    viewer = viewer_of(actor)
    if access.is_self(viewer, record.volunteer_id):
        raise deny(_("不能审核自己的服务记录。"))
    if not access.can_verify_record(viewer, record):
        raise deny(_("只有服务队队长或社区工作人员可以审核服务记录。"))


@transaction.atomic
def record_verify(*, record: ServiceRecord, actor: User, note: str = "") -> ServiceRecord:
    """Verify a pending record and post its hours and points in one balanced entry."""
    record = _locked_record(record)
    _check_verifier(actor, record)
    if record.status != ServiceRecord.Status.PENDING:
        raise ValidationError(
            {"status": _("只能审核待审核的记录，这条记录%(status)s。") % {"status": record.get_status_display()}}
        )
    award = award_for(record)
    lines = [
        (personal_account(volunteer=record.volunteer, currency=Currency.HOURS), award.hours),
        (system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.HOURS), -award.hours),
    ]
    if award.points > 0:
        lines += [
            (personal_account(volunteer=record.volunteer, currency=Currency.POINTS), award.points),
            (system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.POINTS), -award.points),
        ]
    entry = ledger_post(
        kind=LedgerEntry.Kind.SERVICE,
        lines=lines,
        actor=actor,
        memo=_("服务记录 #%(pk)s：%(hours)s小时") % {"pk": record.pk, "hours": record.hours},
    )
    record.status = ServiceRecord.Status.VERIFIED
    record.points = award.points
    record.verified_by = actor
    record.verified_at = timezone.now()
    record.review_note = note[:300]
    record.entry = entry
    save_by(record, actor, update_fields=["status", "points", "verified_by", "verified_at", "review_note", "entry"])
    return record


@transaction.atomic
def record_reject(*, record: ServiceRecord, actor: User, note: str) -> ServiceRecord:
    """Refuse a pending record with a reason; its time slot is freed and it counts nowhere."""
    record = _locked_record(record)
    _check_verifier(actor, record)
    if record.status != ServiceRecord.Status.PENDING:
        raise ValidationError({"status": _("只能驳回待审核的记录。")})
    if not note.strip():
        raise ValidationError({"note": _("请填写驳回理由。")})
    record.status = ServiceRecord.Status.REJECTED
    record.verified_by = actor
    record.verified_at = timezone.now()
    record.review_note = note.strip()[:300]
    save_by(record, actor, update_fields=["status", "verified_by", "verified_at", "review_note"])
    return record


@transaction.atomic
def record_reverse(*, record: ServiceRecord, actor: User, note: str) -> ServiceRecord:
    """Undo a verified record with a reversing entry; refused if its hours or points were already spent."""
    record = _locked_record(record)
    _check_verifier(actor, record)
    if record.status != ServiceRecord.Status.VERIFIED:
        raise ValidationError({"status": _("只能冲正已审核的记录。")})
    if not note.strip():
        raise ValidationError({"note": _("请填写冲正理由。")})
    reversal = entry_reverse(
        entry=record.entry,
        actor=actor,
        via_record=True,
        memo=_("冲正服务记录 #%(pk)s：%(note)s") % {"pk": record.pk, "note": note},
    )
    record.status = ServiceRecord.Status.REVERSED
    record.reversal_entry = reversal
    record.review_note = note.strip()[:300]
    save_by(record, actor, update_fields=["status", "reversal_entry", "review_note"])
    return record


def records_verify_many(*, records: list[ServiceRecord], actor: User, note: str = "") -> tuple[int, list[str]]:
    """Verify several records, each in its own transaction: one refusal does not undo the others.

    Returns how many were verified and the refusals, one line each.
    """
    verified, refusals = 0, []
    for record in records:
        try:
            record_verify(record=record, actor=actor, note=note)
        except ValidationError as exc:
            refusals.append(f"#{record.pk} {record.volunteer}: {'；'.join(exc.messages)}")
        except PermissionDenied as exc:
            refusals.append(f"#{record.pk} {record.volunteer}: {exc}")
        else:
            verified += 1
    return verified, refusals


def activity_records_verify(*, activity: Activity, actor: User, note: str = "") -> tuple[int, list[str]]:
    """Verify every pending record of an activity at once (its managers), each on its own."""
    if not access.can_manage_activity(viewer_of(actor), activity):
        raise deny(_("只有服务队队长或社区工作人员可以审核服务记录。"))
    records = list(ServiceRecord.objects.pending().filter(activity=activity).select_related("volunteer").order_by("pk"))
    return records_verify_many(records=records, actor=actor, note=note)
