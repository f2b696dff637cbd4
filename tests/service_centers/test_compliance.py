"""Workstation duties: at least six deliberation meetings a year and an activity every month."""

import datetime as dt

import pytest
from django.utils import timezone

from service_centers import selectors, services
from service_centers.compliance import assess_year
from service_centers.models import ActivityCategory, DeliberationMeeting, WorkstationActivity

from .factories import new_district, superuser, workstation

LAST_YEAR = timezone.localdate().year - 1


def _record(station, *, meetings: int, months: list[int], year: int = LAST_YEAR) -> None:
    actor = superuser()
    for n in range(meetings):
        services.deliberation_meeting_record(
            actor=actor,
            point=station,
            held_on=dt.date(year, 1 + n, 15),
            topic=f"议题{n}",
            attendees="辖区党员10人、居民代表5人",
            attendee_count=15,
            decisions="由社区牵头办理。",
        )
    for month in months:
        services.workstation_activity_record(
            actor=actor,
            point=station,
            held_on=dt.date(year, month, 10),
            title="环境整治",
            category=ActivityCategory.ENVIRONMENT,
            participants=12,
        )


def _assessment(station, year: int = LAST_YEAR):
    (row,) = selectors.workstation_compliance(viewer=superuser(), unit=None, point=station, year=year)
    return row.assessment


@pytest.mark.django_db
def test_five_meetings_in_a_year_is_flagged():
    _district, _street, community = new_district()
    station = workstation(community)
    _record(station, meetings=5, months=list(range(1, 13)))
    assessment = _assessment(station)
    assert assessment.meetings == 5
    assert assessment.meetings_short
    assert assessment.missed_months == ()
    assert assessment.flagged


@pytest.mark.django_db
def test_a_month_without_activity_is_flagged():
    _district, _street, community = new_district()
    station = workstation(community)
    _record(station, meetings=6, months=[m for m in range(1, 13) if m != 8])
    assessment = _assessment(station)
    assert not assessment.meetings_short
    assert assessment.missed_months == (8,)
    assert assessment.flagged


@pytest.mark.django_db
def test_six_meetings_and_an_activity_every_month_is_not_flagged():
    _district, _street, community = new_district()
    station = workstation(community)
    _record(station, meetings=6, months=list(range(1, 13)))
    assessment = _assessment(station)
    assert (assessment.meetings, assessment.meetings_required) == (6, 6)
    assert assessment.activity_months == 12
    assert not assessment.flagged
    assert DeliberationMeeting.objects.filter(point=station).count() == 6
    assert WorkstationActivity.objects.filter(point=station).count() == 12


@pytest.mark.django_db
def test_the_overview_and_the_compliance_list_count_the_flagged_workstations(demo_user):
    district, _street, community = new_district()
    good, short, gap = workstation(community), workstation(community), workstation(community)
    _record(good, meetings=6, months=list(range(1, 13)))
    _record(short, meetings=5, months=list(range(1, 13)))
    _record(gap, meetings=7, months=list(range(2, 13)))
    rows = selectors.workstation_compliance(viewer=superuser(), unit=district, year=LAST_YEAR)
    assert {row.point.pk: row.assessment.flagged for row in rows} == {good.pk: False, short.pk: True, gap.pk: True}
    today = dt.date(LAST_YEAR + 1, 3, 1)
    overview = selectors.network_overview(viewer=superuser(), unit=district, today=today)
    assert (overview.workstations, overview.workstations_flagged) == (3, 2)


def test_the_year_under_way_counts_only_what_is_already_due():
    today = dt.date(2026, 7, 10)
    # By 10 July: January to June are over (six months, three meetings due).
    on_pace = assess_year(year=2026, meetings=3, active_months={1, 2, 3, 4, 5, 6}, today=today)
    assert on_pace.months_due == (1, 2, 3, 4, 5, 6)
    assert on_pace.meetings_required == 3
    assert not on_pace.flagged
    behind = assess_year(year=2026, meetings=2, active_months={1, 2, 3, 4, 5, 6, 7}, today=today)
    assert behind.meetings_short
    assert behind.flagged
    idle_june = assess_year(year=2026, meetings=4, active_months={1, 2, 3, 4, 5}, today=today)
    assert idle_june.missed_months == (6,)


def test_a_station_opened_during_the_year_is_judged_from_its_opening_month():
    opened = assess_year(
        year=2025,
        meetings=3,
        active_months={7, 8, 9, 10, 11, 12},
        today=dt.date(2026, 2, 1),
        opened_on=dt.date(2025, 7, 1),
    )
    assert opened.months_due == (7, 8, 9, 10, 11, 12)
    assert opened.meetings_required == 3
    assert not opened.flagged
    assert (
        assess_year(
            year=2024, meetings=0, active_months=set(), today=dt.date(2026, 2, 1), opened_on=dt.date(2025, 7, 1)
        ).months_due
        == ()
    )
