"""Links to the other apps: meetings follow up resident issues (grids), workstation activities reuse
volunteer activities (volunteers)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import GridUnit
from issues.models import Issue
from service_centers import selectors, services
from service_centers.models import WorkstationActivity
from volunteers.models import Activity

from .factories import new_district, staff_user, superuser, workstation

pytestmark = pytest.mark.django_db

MEETING = {"topic": "楼道杂物清理", "attendees": "党员9人、居民代表6人", "attendee_count": 15, "decisions": "限期清理"}


def _community_of(unit: GridUnit) -> GridUnit:
    return GridUnit.objects.get(path=unit.path[: 4 * GridUnit.Level.COMMUNITY])


def _issue_with_station() -> tuple[Issue, object]:
    issue = Issue.objects.select_related("unit").filter(unit__level__gte=GridUnit.Level.COMMUNITY).first()
    return issue, workstation(_community_of(issue.unit))


def _held_activity_with_station() -> tuple[Activity, object]:
    activity = (
        Activity.objects.select_related("unit", "category")
        .filter(unit__level__gte=GridUnit.Level.COMMUNITY, starts_at__lte=timezone.now())
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("pk")
        .first()
    )
    return activity, workstation(_community_of(activity.unit))


def test_a_meeting_follows_up_issues_of_its_own_area_only():
    issue, station = _issue_with_station()
    meeting = services.deliberation_meeting_record(
        actor=superuser(), point=station, held_on=timezone.localdate(), follow_up_issues=[issue], **MEETING
    )
    assert list(meeting.follow_up_issues.all()) == [issue]
    assert meeting in issue.deliberation_meetings.all()
    _district, _street, elsewhere = new_district()
    other = workstation(elsewhere)
    with pytest.raises(ValidationError) as error:
        services.deliberation_meeting_record(
            actor=superuser(), point=other, held_on=timezone.localdate(), follow_up_issues=[issue], **MEETING
        )
    assert f"#{issue.pk}" in error.value.message_dict["follow_up_issues"][0]
    later = services.deliberation_meeting_link_issues(actor=superuser(), meeting=meeting, issues=[issue])
    assert later.follow_up_issues.count() == 1


def test_a_held_volunteer_activity_counts_as_the_workstations_activity_once():
    activity, station = _held_activity_with_station()
    record = services.workstation_activity_from_volunteer(actor=superuser(), point=station, activity=activity)
    again = services.workstation_activity_from_volunteer(actor=superuser(), point=station, activity=activity)
    assert record.pk == again.pk
    assert record.held_on == timezone.localtime(activity.starts_at).date()
    assert record.title == activity.title
    (row,) = selectors.workstation_compliance(
        viewer=superuser(), unit=None, point=station, year=record.held_on.year, today=timezone.localdate()
    )
    assert record.held_on.month in row.assessment.active_months


def test_cancelled_future_or_distant_volunteer_activities_do_not_count():
    activity, station = _held_activity_with_station()
    _district, _street, elsewhere = new_district()
    with pytest.raises(ValidationError) as error:
        services.workstation_activity_from_volunteer(actor=superuser(), point=workstation(elsewhere), activity=activity)
    assert "范围" in error.value.message_dict["volunteer_activity"][0]
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() + dt.timedelta(days=2), ends_at=timezone.now() + dt.timedelta(days=2, hours=2)
    )
    activity.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.workstation_activity_from_volunteer(actor=superuser(), point=station, activity=activity)
    assert "还没有开始" in error.value.message_dict["volunteer_activity"][0]
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-2),
        status=Activity.Status.CANCELLED,
    )
    activity.refresh_from_db()
    with pytest.raises(ValidationError):
        services.workstation_activity_from_volunteer(actor=superuser(), point=station, activity=activity)
    assert not WorkstationActivity.objects.filter(point=station).exists()


def test_the_pages_offer_the_areas_issues_and_volunteer_activities(client_as):
    issue, station = _issue_with_station()
    client = client_as("admin")
    form = client.get(reverse("service_centers:meeting_create", args=[station.pk])).context["form"]
    assert issue.pk in [value for value, _label in form.fields["follow_up_issues"].choices]
    response = client.post(
        reverse("service_centers:meeting_create", args=[station.pk]),
        {**MEETING, "held_on": timezone.localdate().isoformat(), "follow_up_issues": [issue.pk]},
    )
    assert response.status_code == 302
    assert station.meetings.get().follow_up_issues.get() == issue
    detail = client.get(reverse("service_centers:point_detail", args=[station.pk])).content.decode()
    assert reverse("issues:issue_detail", args=[issue.pk]) in detail

    activity, other_station = _held_activity_with_station()
    form = client.get(reverse("service_centers:activity_create", args=[other_station.pk])).context["form"]
    assert activity.pk in [value for value, _label in form.fields["volunteer_activity"].choices]
    response = client.post(
        reverse("service_centers:activity_create", args=[other_station.pk]), {"volunteer_activity": activity.pk}
    )
    assert response.status_code == 302
    assert other_station.workstation_activities.get().volunteer_activity == activity
    missing = client.post(reverse("service_centers:activity_create", args=[other_station.pk]), {"title": "只有名称"})
    assert missing.status_code == 400


def test_the_api_links_issues_and_volunteer_activities():
    issue, station = _issue_with_station()
    client = APIClient()
    client.force_authenticate(staff_user(_community_of(issue.unit), role="community_staff"))
    created = client.post(
        f"/api/v1/service-points/{station.pk}/meetings/",
        {**MEETING, "held_on": timezone.localdate().isoformat(), "follow_up_issues": [issue.pk]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["follow_up_issues"] == [issue.pk]
    activity, other_station = _held_activity_with_station()
    admin = APIClient()
    admin.force_authenticate(superuser())
    counted = admin.post(
        f"/api/v1/service-points/{other_station.pk}/activities/", {"volunteer_activity": activity.pk}, format="json"
    )
    assert counted.status_code == 201
    assert counted.json()["volunteer_activity"] == activity.pk
    incomplete = admin.post(f"/api/v1/service-points/{other_station.pk}/activities/", {"title": "x"}, format="json")
    assert incomplete.status_code == 400
    assert "held_on" in incomplete.json()
