"""Meetings follow up resident issues (the grids app's Issue)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import GridUnit, Issue
from service_centers import services

from .factories import new_district, staff_user, superuser, workstation

pytestmark = pytest.mark.django_db

MEETING = {"topic": "楼道杂物清理", "attendees": "党员9人、居民代表6人", "attendee_count": 15, "decisions": "限期清理"}


def _community_of(unit: GridUnit) -> GridUnit:
    return GridUnit.objects.get(path=unit.path[: 4 * GridUnit.Level.COMMUNITY])


def _issue_with_station() -> tuple[Issue, object]:
    issue = Issue.objects.select_related("unit").filter(unit__level__gte=GridUnit.Level.COMMUNITY).first()
    return issue, workstation(_community_of(issue.unit))


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


def test_the_meeting_page_offers_the_areas_issues(client_as):
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
    assert reverse("grids:issue_detail", args=[issue.pk]) in detail


def test_the_api_links_follow_up_issues():
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
