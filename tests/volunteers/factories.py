"""Small builders for volunteer tests: real rows in the real database, no mocks."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from grids.models import GridUnit, Post, User
from volunteers.models import (
    Activity,
    ActivitySignup,
    Currency,
    LedgerAccount,
    LedgerEntry,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)
from volunteers.services import ledger_post, personal_account, system_account

_seq = itertools.count(1)


def category(code: str = "convenience") -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def home_team() -> Team:
    """The demo's 秀峰区 team led by xiufeng_team_leader."""
    return Team.objects.get(memberships__volunteer__user__username="xiufeng_team_leader", memberships__role="leader")


def volunteer_of(username: str) -> Volunteer:
    return Volunteer.objects.get(user__username=username)


def make_volunteer(unit: GridUnit, *, party: bool = True, user: User | None = None, name: str = "") -> Volunteer:
    n = next(_seq)
    return Volunteer.objects.create(
        full_name=name or f"测试志愿者{n}", phone=f"139{n:08d}", unit=unit, is_party_member=party, user=user
    )


def make_user(username: str | None = None) -> User:
    return User.objects.create(username=username or f"vtest{next(_seq)}", full_name="测试用户")


def make_team(unit: GridUnit, *, leader: Volunteer | None = None, name: str = "", members: int = 0) -> Team:
    team = Team.objects.create(name=name or f"测试服务队{next(_seq)}", category=category(), unit=unit)
    today = timezone.localdate()
    if leader is not None:
        TeamMember.objects.create(team=team, volunteer=leader, role=TeamMember.Role.LEADER, joined_on=today)
    for _ in range(members):
        TeamMember.objects.create(team=team, volunteer=make_volunteer(unit), joined_on=today)
    return team


def make_activity(
    *,
    unit: GridUnit,
    team: Team | None = None,
    starts_at: datetime | None = None,
    hours: float = 2,
    capacity: int = 5,
    kind: str = Activity.Kind.REGULAR,
) -> Activity:
    starts_at = starts_at or timezone.now() + timedelta(days=1)
    return Activity.objects.create(
        title=f"测试活动{next(_seq)}",
        team=team,
        category=category(),
        kind=kind,
        unit=unit,
        place="社区党群服务中心",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
    )


def make_signup(activity: Activity, volunteer: Volunteer) -> ActivitySignup:
    """A sign-up written directly (for activities already under way in a test)."""
    Activity.objects.filter(pk=activity.pk).update(places_taken=activity.places_taken + 1)
    activity.refresh_from_db()
    return ActivitySignup.objects.create(
        activity=activity, volunteer=volunteer, signed_up_at=activity.starts_at - timedelta(days=1)
    )


def make_record(
    volunteer: Volunteer,
    *,
    unit: GridUnit,
    days_ago: int = 3,
    hours: str = "2",
    team: Team | None = None,
    start_hour: int = 9,
) -> ServiceRecord:
    """A pending record written directly (the service paths are tested on their own)."""
    day = timezone.localtime(timezone.now() - timedelta(days=days_ago)).replace(
        hour=start_hour, minute=0, second=0, microsecond=0
    )
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        team=team,
        category=category(),
        kind=Activity.Kind.REPORT,
        unit=unit,
        started_at=day,
        ended_at=day + timedelta(hours=float(hours)),
        hours=Decimal(hours),
        created_at=timezone.now(),
    )


def fund(volunteer: Volunteer, amount: str, currency: str = Currency.HOURS) -> LedgerAccount:
    """Credit a person's account from the issuing account (one balanced entry)."""
    account = personal_account(volunteer=volunteer, currency=currency)
    ledger_post(
        kind=LedgerEntry.Kind.SERVICE,
        lines=[
            (account, Decimal(amount)),
            (system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=currency), -Decimal(amount)),
        ],
        actor=None,
    )
    account.refresh_from_db()
    return account


def staff_user(username: str = "xiufeng_community") -> User:
    return User.objects.get(username=username)


def community_of(username: str = "xiufeng_community") -> GridUnit:
    return Post.objects.get(user__username=username).unit
