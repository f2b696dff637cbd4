"""Activities: sign-up, cancellation, check-in and check-out, and the capacity rule."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from volunteers import services
from volunteers.models import Activity, ActivitySignup, ServiceRecord

from .factories import community_of, home_team, make_activity, make_signup, make_volunteer, staff_user, volunteer_of


@pytest.fixture
def clock(monkeypatch):
    """Move the services' clock: clock.set(datetime)."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def test_a_volunteer_signs_up_and_cancels_before_the_start(db):
    me = volunteer_of("organ_member")
    # After every activity the demo signed them up for: a clash of times would be refused first.
    latest = ActivitySignup.objects.filter(volunteer=me).order_by("-activity__ends_at").first()
    starts_at = max(timezone.now(), latest.activity.ends_at if latest else timezone.now()) + timedelta(days=1)
    activity = make_activity(unit=community_of(), team=home_team(), capacity=3, starts_at=starts_at)
    signup = services.signup_create(activity=activity, volunteer=me, actor=me.user)
    activity.refresh_from_db()
    assert activity.places_taken == 1
    with pytest.raises(ValidationError) as caught:
        services.signup_create(activity=activity, volunteer=me, actor=me.user)
    assert "已经报过名" in caught.value.message_dict["activity"][0]
    services.signup_cancel(signup=signup, actor=me.user)
    activity.refresh_from_db()
    assert activity.places_taken == 0
    # Cancelled, then again: allowed (the unique rule ignores cancelled sign-ups).
    services.signup_create(activity=activity, volunteer=me, actor=me.user)


def test_capacity_is_never_exceeded(db):
    staff = staff_user()
    activity = make_activity(unit=community_of(), capacity=2)
    people = [make_volunteer(community_of()) for _ in range(3)]
    services.signup_create(activity=activity, volunteer=people[0], actor=staff)
    services.signup_create(activity=activity, volunteer=people[1], actor=staff)
    with pytest.raises(ValidationError) as caught:
        services.signup_create(activity=activity, volunteer=people[2], actor=staff)
    assert "名额已满" in caught.value.message_dict["activity"][0]
    activity.refresh_from_db()
    assert activity.places_taken == 2
    assert activity.signups.exclude(status=ActivitySignup.Status.CANCELLED).count() == 2


def test_sign_up_after_the_start_is_refused_and_changes_nothing(db):
    staff = staff_user()
    activity = make_activity(unit=community_of(), starts_at=timezone.now() - timedelta(minutes=5))
    person = make_volunteer(community_of())
    with pytest.raises(ValidationError) as caught:
        services.signup_create(activity=activity, volunteer=person, actor=staff)
    assert "已经开始" in caught.value.message_dict["activity"][0]
    activity.refresh_from_db()
    assert activity.places_taken == 0
    assert not activity.signups.exists()


def test_overlapping_sign_ups_are_refused(db):
    staff = staff_user()
    person = make_volunteer(community_of())
    start = timezone.now() + timedelta(days=2)
    first = make_activity(unit=community_of(), starts_at=start, hours=3)
    second = make_activity(unit=community_of(), starts_at=start + timedelta(hours=1))
    services.signup_create(activity=first, volunteer=person, actor=staff)
    with pytest.raises(ValidationError) as caught:
        services.signup_create(activity=second, volunteer=person, actor=staff)
    assert "时间冲突" in caught.value.message_dict["activity"][0]


def test_an_outsider_cannot_sign_up_for_a_team_activity_elsewhere(db):
    # organ_member lives in 解东社区 and is not on a 七星区 team.
    qixing_unit = staff_user("qixing_worker").posts.get().unit
    activity = make_activity(unit=qixing_unit)
    me = volunteer_of("organ_member")
    with pytest.raises(PermissionDenied):
        services.signup_create(activity=activity, volunteer=me, actor=me.user)


def test_check_in_window_check_out_and_the_pending_record(db, clock):
    me = volunteer_of("organ_member")
    start = timezone.now() + timedelta(days=3)
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=start, hours=3)
    signup = services.signup_create(activity=activity, volunteer=me, actor=me.user)

    clock.set(start - timedelta(hours=2))
    with pytest.raises(ValidationError) as caught:
        services.signup_check_in(signup=signup, actor=me.user)
    assert "30分钟" in caught.value.message_dict["status"][0]

    clock.set(start - timedelta(minutes=10))
    services.signup_check_in(signup=signup, actor=me.user)

    clock.set(start + timedelta(hours=5))  # left late: counted to the end of the activity
    record = services.signup_check_out(signup=signup, actor=me.user)
    assert record.status == ServiceRecord.Status.PENDING
    assert record.hours == Decimal("3.00")
    assert record.started_at == start
    assert record.activity_id == activity.pk
    assert record.team_id == home_team().pk
    signup.refresh_from_db()
    assert signup.status == ActivitySignup.Status.CHECKED_OUT
    with pytest.raises(ValidationError):
        services.signup_check_out(signup=signup, actor=me.user)


def test_the_team_leader_checks_members_in_and_verifies_them(db, clock):
    leader = staff_user("xiufeng_team_leader")
    member = volunteer_of("organ_member")
    start = timezone.now() + timedelta(days=4)
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=start, hours=2)
    signup = services.signup_create(activity=activity, volunteer=member, actor=leader)
    clock.set(start + timedelta(minutes=30))
    services.signup_check_in(signup=signup, actor=leader)
    clock.set(start + timedelta(hours=1, minutes=45))
    record = services.signup_check_out(signup=signup, actor=leader)
    assert record.hours == Decimal("1.25")
    verified = services.record_verify(record=record, actor=leader)
    assert verified.entry is not None


def test_cancelling_an_activity_cancels_its_sign_ups(db):
    staff = staff_user()
    activity = make_activity(unit=community_of(), capacity=4)
    for _ in range(2):
        services.signup_create(activity=activity, volunteer=make_volunteer(community_of()), actor=staff)
    services.activity_cancel(activity=activity, actor=staff, reason="天气原因")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert activity.places_taken == 0
    assert set(activity.signups.values_list("status", flat=True)) == {ActivitySignup.Status.CANCELLED}
    with pytest.raises(ValidationError):
        services.signup_create(activity=activity, volunteer=make_volunteer(community_of()), actor=staff)


def test_publishing_rules(db):
    leader = staff_user("xiufeng_team_leader")
    team = home_team()
    start = timezone.now() + timedelta(days=5)
    kwargs = {"title": "义诊", "category": team.category, "place": "广场", "capacity": 10}
    activity = services.activity_create(
        actor=leader, team=team, unit=team.unit, starts_at=start, ends_at=start + timedelta(hours=2), **kwargs
    )
    assert activity.created_by == leader
    with pytest.raises(ValidationError) as caught:
        services.activity_create(
            actor=leader,
            team=team,
            unit=team.unit,
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=start,
            **kwargs,
        )
    assert "starts_at" in caught.value.message_dict
    elsewhere = staff_user("qixing_worker").posts.get().unit
    with pytest.raises(ValidationError) as caught:
        services.activity_create(
            actor=leader, team=team, unit=elsewhere, starts_at=start, ends_at=start + timedelta(hours=1), **kwargs
        )
    assert "unit" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=staff_user("organ_member"),
            team=team,
            unit=team.unit,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            **kwargs,
        )


def test_a_check_out_too_soon_is_refused(db, clock):
    staff = staff_user()
    start = timezone.now() + timedelta(days=6)
    activity = make_activity(unit=community_of(), starts_at=start)
    signup = make_signup(activity, make_volunteer(community_of()))
    clock.set(start - timedelta(minutes=20))
    services.signup_check_in(signup=signup, actor=staff)
    with pytest.raises(ValidationError) as caught:
        services.signup_check_out(signup=signup, actor=staff)
    assert "太短" in caught.value.message_dict["status"][0]
