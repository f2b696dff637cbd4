"""Issue 12, item 8: a red-station tap can be undone by whoever logged it within the undo window."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grids.models import GridUnit, Post
from service_centers import services
from service_centers.models import RedStationService

from . import factories as f

pytestmark = pytest.mark.django_db


def station_and_staff():
    _district, _street, community = f.new_district()
    station = f.red_station(community)
    return (
        station,
        f.staff_user(community, Post.Role.COMMUNITY_STAFF),
        f.staff_user(community, Post.Role.COMMUNITY_STAFF),
    )


def tap(station, user):
    entry, _created = services.red_station_service_log(
        actor=user, point=station, service_kind=station.menu.first(), client_key=uuid.uuid4()
    )
    return entry


def test_undo_inside_the_window_removes_the_tap_and_after_it_is_refused(settings, client):
    settings.RED_STATION_UNDO_SECONDS = 120
    station, staff, _colleague = station_and_staff()
    entry = tap(station, staff)
    client.force_login(staff)
    page = client.get(reverse("service_centers:red_station_log", args=[station.pk])).content.decode()
    assert reverse("service_centers:red_station_undo", args=[station.pk, entry.pk]) in page
    response = client.post(reverse("service_centers:red_station_undo", args=[station.pk, entry.pk]))
    assert response.status_code == 302
    assert not RedStationService.objects.filter(pk=entry.pk).exists()

    late = tap(station, staff)
    RedStationService.objects.filter(pk=late.pk).update(logged_at=late.logged_at - dt.timedelta(seconds=121))
    page = client.get(reverse("service_centers:red_station_log", args=[station.pk])).content.decode()
    assert reverse("service_centers:red_station_undo", args=[station.pk, late.pk]) not in page
    response = client.post(reverse("service_centers:red_station_undo", args=[station.pk, late.pk]))
    assert response.status_code == 302  # back to the log, with the reason
    assert RedStationService.objects.filter(pk=late.pk).exists()
    with pytest.raises(ValidationError):
        services.red_station_service_undo(actor=staff, entry=late)


def test_only_whoever_logged_it_may_undo_and_outsiders_get_404(client):
    station, staff, colleague = station_and_staff()
    entry = tap(station, staff)
    with pytest.raises(PermissionDenied):
        services.red_station_service_undo(actor=colleague, entry=entry)
    assert RedStationService.objects.filter(pk=entry.pk).exists()
    other = f.staff_user(
        GridUnit.objects.get(name="七星区") if GridUnit.objects.filter(name="七星区").exists() else f.new_district()[0]
    )
    client.force_login(other)
    response = client.post(reverse("service_centers:red_station_undo", args=[station.pk, entry.pk]))
    assert response.status_code == 404
    assert RedStationService.objects.filter(pk=entry.pk).exists()
