"""Service records: the time rules, verification into the ledger, unverified hours counting nowhere, reversal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids.models import GridUnit
from grids.viewer import Viewer
from volunteers import selectors, services
from volunteers.models import Currency, LedgerEntry, PointRule, ServiceRecord
from volunteers.selectors.leaderboards import Board, Period

from .factories import category, community_of, home_team, make_record, make_volunteer, staff_user, volunteer_of


def _span(days_ago: int, hour: int, hours: float):
    start = timezone.localtime(timezone.now() - timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return start, start + timedelta(hours=hours)


def _report(volunteer, *, days_ago=20, hour=9, hours="2", span=None, actor=None):
    start, end = _span(days_ago, hour, float(span or hours))
    return services.record_create(
        volunteer=volunteer,
        category=category(),
        started_at=start,
        ended_at=end,
        hours=Decimal(hours),
        actor=actor or volunteer.user,
        description="入户走访",
    )


@pytest.mark.parametrize(
    ("hours", "span", "field", "words"),
    [
        ("-1", "2", "hours", "大于0"),
        ("0", "2", "hours", "大于0"),
        ("25", "25", "hours", "24"),
        ("3", "2", "hours", "不能超过开始到结束"),
    ],
)
def test_bad_hours_are_refused_with_a_clear_message_and_change_nothing(db, hours, span, field, words):
    me = volunteer_of("organ_member")
    before = ServiceRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        _report(me, hours=hours, span=span)
    assert words in " ".join(caught.value.message_dict[field])
    assert ServiceRecord.objects.count() == before


def test_end_before_start_and_future_services_are_refused(db):
    me = volunteer_of("organ_member")
    start, end = _span(20, 9, 2)
    with pytest.raises(ValidationError) as caught:
        services.record_create(
            volunteer=me, category=category(), started_at=end, ended_at=start, hours=Decimal("1"), actor=me.user
        )
    assert "ended_at" in caught.value.message_dict
    future = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.record_create(
            volunteer=me,
            category=category(),
            started_at=future,
            ended_at=future + timedelta(hours=2),
            hours=Decimal("2"),
            actor=me.user,
        )
    assert "尚未结束" in caught.value.message_dict["ended_at"][0]


def test_overlapping_times_are_refused(db):
    me = volunteer_of("organ_member")
    _report(me, days_ago=20, hour=9, hours="3")
    before = ServiceRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        _report(me, days_ago=20, hour=11, hours="2")
    assert "重叠" in caught.value.message_dict["started_at"][0]
    assert ServiceRecord.objects.count() == before
    # Right after it is fine.
    _report(me, days_ago=20, hour=12, hours="1")


def test_at_most_24_hours_a_day(db):
    me = make_volunteer(community_of())
    staff = staff_user()
    _report(me, days_ago=30, hour=0, hours="12", actor=staff)
    _report(me, days_ago=30, hour=12, hours="11", actor=staff)
    before = ServiceRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        # 23:00 to 03:00 the next morning: it starts that day, whose total would be 25 hours.
        _report(me, days_ago=30, hour=23, span="4", hours="2", actor=staff)
    assert "每人每天合计不能超过24小时" in caught.value.message_dict["hours"][0]
    assert ServiceRecord.objects.count() == before
    _report(me, days_ago=30, hour=23, span="4", hours="1", actor=staff)  # exactly 24 is allowed


def test_rejected_records_free_their_time_slot(db):
    me = volunteer_of("organ_member")
    record = _report(me, days_ago=25)
    services.record_reject(record=record, actor=staff_user(), note="重复登记")
    _report(me, days_ago=25)  # the same slot again


def test_only_leaders_and_staff_verify_and_never_their_own(db):
    leader_user = staff_user("xiufeng_team_leader")
    leader = volunteer_of("xiufeng_team_leader")
    own = make_record(leader, unit=community_of(), team=home_team(), days_ago=40)
    with pytest.raises(PermissionDenied):
        services.record_verify(record=own, actor=leader_user)
    other = make_record(make_volunteer(community_of()), unit=community_of(), days_ago=40)
    with pytest.raises(PermissionDenied):
        services.record_verify(record=other, actor=staff_user("qixing_worker"))
    with pytest.raises(PermissionDenied):
        services.record_verify(record=other, actor=staff_user("organ_member"))
    assert services.record_verify(record=other, actor=staff_user()).status == ServiceRecord.Status.VERIFIED


def _totals(volunteer, community: GridUnit, admin):
    summary = selectors.my_summary(viewer=Viewer.for_user(volunteer.user))
    rows = selectors.leaderboard(viewer=Viewer.for_user(admin), unit=community, period=Period.ALL, limit=100_000)
    board = {row.key: row for row in rows}
    unit_rows = selectors.leaderboard(
        viewer=Viewer.for_user(admin), unit=community.parent, period=Period.ALL, board=Board.UNIT, limit=1000
    )
    registration = selectors.community_registration(viewer=Viewer.for_user(admin), community_id=community.pk)
    return {
        "hours_total": summary.hours_total,
        "services": summary.services_total,
        "balance_hours": summary.balances[Currency.HOURS],
        "balance_points": summary.balances[Currency.POINTS],
        "board_hours": board[volunteer.pk].hours if volunteer.pk in board else Decimal(0),
        "unit_hours": {row.key: row.hours for row in unit_rows}.get(community.pk, Decimal(0)),
        "community_services": registration.services,
        "community_hours": registration.hours,
    }


def test_unverified_hours_count_nowhere_and_a_reversal_restores_every_total(db):
    admin = staff_user("admin")
    me = volunteer_of("organ_member")
    community = community_of()
    before = _totals(me, community, admin)

    record = _report(me, days_ago=15, hours="3")
    assert record.status == ServiceRecord.Status.PENDING
    assert _totals(me, community, admin) == before  # pending: counted nowhere

    services.record_verify(record=record, actor=staff_user())
    record.refresh_from_db()
    after = _totals(me, community, admin)
    assert after["hours_total"] == before["hours_total"] + 3
    assert after["services"] == before["services"] + 1
    assert after["balance_hours"] == before["balance_hours"] + 3
    assert after["balance_points"] == before["balance_points"] + record.points > before["balance_points"]
    assert after["board_hours"] == before["board_hours"] + 3
    assert after["unit_hours"] == before["unit_hours"] + 3
    assert after["community_hours"] == before["community_hours"] + 3

    services.record_reverse(record=record, actor=staff_user(), note="登记有误")
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.REVERSED
    assert record.reversal_entry.reverses_id == record.entry_id
    assert _totals(me, community, admin) == before


def test_a_reversal_is_refused_when_the_hours_were_already_spent(db):
    staff = staff_user()
    person = make_volunteer(community_of())
    record = make_record(person, unit=community_of(), hours="2", days_ago=50)
    services.record_verify(record=record, actor=staff)
    services.timebank_withdraw(volunteer=person, hours=Decimal("2"), actor=staff)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.record_reverse(record=record, actor=staff, note="错误")
    assert "余额不足" in str(caught.value)
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.VERIFIED
    assert LedgerEntry.objects.count() == entries


def test_point_rules_are_data_and_the_most_specific_wins(db):
    staff = staff_user()
    person = make_volunteer(community_of())
    PointRule.objects.create(category=category(), activity_kind="report", points_per_hour=5, points_per_service=0)
    record = make_record(person, unit=community_of(), hours="2", days_ago=60)
    services.record_verify(record=record, actor=staff)
    record.refresh_from_db()
    assert record.points == Decimal("10.00")


def test_no_points_for_someone_who_is_not_a_party_member(db):
    person = make_volunteer(community_of(), party=False)
    record = make_record(person, unit=community_of(), hours="2", days_ago=61)
    services.record_verify(record=record, actor=staff_user())
    record.refresh_from_db()
    assert record.points == 0
    assert services.personal_account(volunteer=person, currency=Currency.HOURS).balance == Decimal("2")
    assert not person.accounts.filter(currency=Currency.POINTS).exists()


def test_batch_verification_reports_refusals_one_by_one(db):
    leader_user = staff_user("xiufeng_team_leader")
    team = home_team()
    member = team.memberships.exclude(volunteer__user=leader_user).first().volunteer
    ok = make_record(member, unit=community_of(), team=team, days_ago=70)
    own = make_record(volunteer_of("xiufeng_team_leader"), unit=community_of(), team=team, days_ago=70)
    verified, refusals = services.records_verify_many(records=[ok, own], actor=leader_user)
    assert verified == 1
    assert len(refusals) == 1
    assert "自己" in refusals[0]
