"""The rules of the service network, through the services: bad input refused with a clear message."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids.models import GridUnit
from service_centers import services
from service_centers.models import (
    RedStationMonthlyTally,
    RedStationService,
    ServiceKind,
    ServicePoint,
    StarRating,
)
from service_centers.periods import local_midnight, month_start, previous_month

from .factories import new_district, point, red_station, staff_user, superuser, workstation

pytestmark = pytest.mark.django_db

SCORES = {field: 9 for field, _label in StarRating.CRITERIA}


def test_a_negative_floor_area_is_refused_with_its_field_named():
    _district, _street, community = new_district()
    with pytest.raises(ValidationError) as error:
        point(community, floor_area=Decimal("-20"))
    assert "floor_area" in error.value.message_dict
    assert "大于 0" in error.value.message_dict["floor_area"][0]
    with pytest.raises(ValidationError) as error:
        point(community, floor_area=0)
    assert "floor_area" in error.value.message_dict


def test_a_level_that_does_not_belong_to_the_kind_or_the_unit_is_refused():
    _district, street, community = new_district()
    with pytest.raises(ValidationError) as error:
        point(community, kind=ServicePoint.Kind.STUDIO, level=ServicePoint.Level.VILLAGE)
    assert "不分级别" in error.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as error:
        point(street, kind=ServicePoint.Kind.PARTY_CENTER, level=ServicePoint.Level.VILLAGE)
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        point(community, functions=["serve", "dance"])
    assert "dance" in error.value.message_dict["functions"][0]


def test_points_are_created_only_under_a_unit_the_actor_is_posted_over(unit_named):
    _district, _street, community = new_district()
    outsider = staff_user(unit_named("秀峰区"))
    with pytest.raises(PermissionDenied, match="管辖范围"):
        point(community, actor=outsider)


def test_a_point_update_keeps_a_history_version_with_who_changed_it():
    _district, _street, community = new_district()
    created = point(community, name="旧名称")
    actor = superuser()
    services.point_update(actor=actor, point=created, name="新名称", opening_hours="每天 9:00-17:00")
    versions = list(created.history.order_by("history_date"))
    assert [v.name for v in versions] == ["旧名称", "新名称"]
    assert versions[-1].history_user == actor


def test_a_rating_criterion_out_of_range_is_refused_and_named():
    _district, _street, community = new_district()
    target = point(community)
    for bad in (11, -1, "七"):
        with pytest.raises(ValidationError) as error:
            services.star_rating_record(
                actor=superuser(), year=2024, point=target, scores={**SCORES, "score_venue": bad}
            )
        assert list(error.value.message_dict) == ["score_venue"]
        assert "阵地建设规范化" in error.value.message_dict["score_venue"][0]
    assert not StarRating.objects.filter(point=target).exists()


def test_stars_come_from_the_total_and_a_re_rating_keeps_the_old_one_as_history():
    _district, _street, community = new_district()
    target = point(community)
    first = services.star_rating_record(actor=superuser(), year=2024, point=target, scores=SCORES)
    assert (first.total, first.stars) == (54, 5)
    second = services.star_rating_record(
        actor=superuser(), year=2024, point=target, scores={**SCORES, "score_team": 4, "score_support": 5}
    )
    assert (second.total, second.stars) == (45, 3)
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert StarRating.objects.filter(point=target, year=2024).count() == 2
    assert services.stars_for_total(29) == 0


def test_compound_ratings_need_a_compound():
    _district, _street, community = new_district()
    with pytest.raises(ValidationError) as error:
        services.star_rating_record(actor=superuser(), year=2024, compound=community, scores=SCORES)
    assert "compound" in error.value.message_dict
    compound = GridUnit.objects.filter(level=GridUnit.Level.COMPOUND).first()
    rating = services.star_rating_record(actor=superuser(), year=2024, compound=compound, scores=SCORES)
    assert rating.unit == compound
    assert rating.point is None


def test_a_meeting_dated_in_the_future_is_refused():
    _district, _street, community = new_district()
    station = workstation(community)
    with pytest.raises(ValidationError) as error:
        services.deliberation_meeting_record(
            actor=superuser(),
            point=station,
            held_on=timezone.localdate() + dt.timedelta(days=1),
            topic="加装电梯",
            attendees="党员8人",
            attendee_count=8,
            decisions="先征求意见。",
        )
    assert "不能晚于今天" in error.value.message_dict["held_on"][0]


def test_meetings_need_attendees_and_decisions_and_belong_to_workstations():
    _district, _street, community = new_district()
    station = workstation(community)
    common = {"actor": superuser(), "held_on": timezone.localdate(), "topic": "停车", "attendees": "党员8人"}
    with pytest.raises(ValidationError) as error:
        services.deliberation_meeting_record(point=station, attendee_count=0, decisions="x", **common)
    assert "attendee_count" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.deliberation_meeting_record(point=station, attendee_count=5, decisions=" ", **common)
    assert "decisions" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.deliberation_meeting_record(point=point(community), attendee_count=5, decisions="x", **common)
    assert "不是先锋联盟工作站" in error.value.message_dict["point"][0]


def test_members_need_an_honour_from_county_level_or_above():
    _district, _street, community = new_district()
    station = workstation(community)
    with pytest.raises(ValidationError):
        services.workstation_member_add(
            actor=superuser(), point=station, name="王某", joined_on=dt.date(2024, 1, 1), honours=[]
        )
    with pytest.raises(ValidationError):
        services.workstation_member_add(
            actor=superuser(),
            point=station,
            name="王某",
            joined_on=dt.date(2024, 1, 1),
            honours=[{"title": "好人", "level": "street", "year": 2023}],
        )
    member = services.workstation_member_add(
        actor=superuser(),
        point=station,
        name="王某",
        joined_on=dt.date(2024, 1, 1),
        honours=[{"title": "优秀共产党员", "level": "city", "year": 2023}],
    )
    assert [h.get_level_display() for h in member.honours.all()] == ["市级"]


def test_one_tap_logs_a_service_from_the_menu_now():
    _district, _street, community = new_district()
    station = red_station(community)
    consultation = ServiceKind.objects.get(code="consultation")
    entry, created = services.red_station_service_log(actor=superuser(), point=station, service_kind=consultation)
    assert created
    assert abs((timezone.now() - entry.served_at).total_seconds()) < 5
    assert entry.logged_by == superuser()


def test_a_repeated_tap_with_the_same_key_logs_nothing_new():
    _district, _street, community = new_district()
    station = red_station(community)
    kind = ServiceKind.objects.get(code="medical")
    key = uuid.uuid4()
    first, created = services.red_station_service_log(
        actor=superuser(), point=station, service_kind=kind, client_key=key
    )
    again, created_again = services.red_station_service_log(
        actor=superuser(), point=station, service_kind=kind, client_key=key
    )
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert RedStationService.objects.filter(point=station).count() == 1


def test_a_service_off_the_menu_or_in_the_future_or_too_old_is_refused():
    _district, _street, community = new_district()
    station = red_station(community, codes=("consultation",))
    with pytest.raises(ValidationError) as error:
        services.red_station_service_log(
            actor=superuser(), point=station, service_kind=ServiceKind.objects.get(code="rescue")
        )
    assert "不在本驿站的服务菜单上" in error.value.message_dict["service_kind"][0]
    kind = ServiceKind.objects.get(code="consultation")
    with pytest.raises(ValidationError) as error:
        services.red_station_service_log(
            actor=superuser(), point=station, service_kind=kind, served_at=timezone.now() + dt.timedelta(hours=1)
        )
    assert "served_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.red_station_service_log(
            actor=superuser(), point=station, service_kind=kind, served_at=timezone.now() - dt.timedelta(days=40)
        )
    assert "31 天" in error.value.message_dict["served_at"][0]
    with pytest.raises(ValidationError):
        services.red_station_service_log(actor=superuser(), point=workstation(community), service_kind=kind)


def test_the_monthly_tally_is_idempotent_and_follows_the_log():
    _district, _street, community = new_district()
    station = red_station(community)
    kind = ServiceKind.objects.get(code="consultation")
    last_month = previous_month(timezone.localdate())
    served = timezone.make_aware(dt.datetime.combine(last_month + dt.timedelta(days=2), dt.time(10)))
    RedStationService.objects.bulk_create(
        [RedStationService(point=station, service_kind=kind, served_at=served, logged_at=served) for _ in range(3)]
    )
    for _run in range(2):
        services.red_station_tally_refresh(months=[last_month], point_ids=[station.pk])
        (tally,) = RedStationMonthlyTally.objects.filter(point=station)
        assert (tally.month, tally.services) == (last_month, 3)
    RedStationService.objects.filter(point=station).delete()
    services.red_station_tally_refresh(months=[last_month], point_ids=[station.pk])
    assert not RedStationMonthlyTally.objects.filter(point=station).exists()
    # The month under way is never tallied: dashboards count it live.
    assert services.red_station_tally_refresh(months=[timezone.localdate()]) == 0


def test_a_back_dated_entry_for_a_closed_month_refreshes_that_months_tally(django_capture_on_commit_callbacks):
    _district, _street, community = new_district()
    station = red_station(community)
    kind = ServiceKind.objects.get(code="rescue")
    today = timezone.localdate()
    # The last minute of the previous month: never more than 31 days back (the back-dating limit).
    served = local_midnight(month_start(today)) - dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.red_station_service_log(actor=superuser(), point=station, service_kind=kind, served_at=served)
    assert len(callbacks) == 1
    (tally,) = RedStationMonthlyTally.objects.filter(point=station)
    assert tally.services == 1
    assert tally.month == previous_month(today)


def test_staff_standing_is_given_and_taken_with_history(unit_named):
    from grids.models import User
    from grids.viewer import Viewer
    from service_centers.access import can_work_on_point
    from service_centers.models import ServicePointStaff

    district, _street, community = new_district()
    station = red_station(community)
    manager = staff_user(district)
    person = User.objects.create(username="duty_person", full_name="值班员")
    # A Viewer holds the standing of its request: each step asks a new one, as the next request would.
    assert not can_work_on_point(Viewer.for_user(person), station)
    membership = services.point_staff_add(actor=manager, point=station, user=person)
    assert can_work_on_point(Viewer.for_user(person), station)
    with pytest.raises(PermissionDenied):
        services.point_staff_add(actor=staff_user(unit_named("秀峰区")), point=station, user=person)
    services.point_staff_remove(actor=manager, membership=membership)
    assert not can_work_on_point(Viewer.for_user(person), station)
    history = list(ServicePointStaff.history.filter(user=person).order_by("history_date"))
    assert [(h.history_type, h.history_user) for h in history] == [("+", manager), ("-", manager)]
