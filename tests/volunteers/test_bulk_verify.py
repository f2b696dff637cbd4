"""Issue 12, items 7 and 8: a record to verify notifies its verifiers; bulk verify verifies only what
the viewer may verify (the rest unchanged), and an id out of sight is a 404 that changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Notification
from volunteers import services
from volunteers.models import ServiceRecord

from . import factories as f

pytestmark = pytest.mark.django_db
P = ServiceRecord.Status


def test_bulk_verify_verifies_only_the_records_the_viewer_may_verify(client):
    staff = f.staff_user()
    community = f.community_of()
    a, b = f.make_volunteer(community, name="甲"), f.make_volunteer(community, name="乙")
    own = f.make_volunteer(community, user=staff, name="本人")
    mine = f.make_record(own, unit=community, days_ago=2)
    records = [f.make_record(a, unit=community, days_ago=3), f.make_record(b, unit=community, days_ago=4)]
    client.force_login(staff)
    listing = client.get(reverse("volunteers:record_list"), {"status": "pending"}).content.decode()
    assert f'name="records" value="{records[0].pk}"' in listing
    assert f'name="records" value="{mine.pk}"' not in listing  # never one's own
    response = client.post(reverse("volunteers:records_verify_bulk"), {"records": [r.pk for r in records] + [mine.pk]})
    assert response.status_code == 302
    statuses = dict(
        ServiceRecord.objects.filter(pk__in=[*[r.pk for r in records], mine.pk]).values_list("pk", "status")
    )
    assert statuses == {records[0].pk: P.VERIFIED, records[1].pk: P.VERIFIED, mine.pk: P.PENDING}


def test_an_id_out_of_sight_is_a_404_and_nothing_is_verified(client):
    community = f.community_of()
    inside = f.make_record(f.make_volunteer(community), unit=community)
    outside_unit = f.community_of("qixing_worker")  # a micro-grid of 七星区
    outside = f.make_record(f.make_volunteer(outside_unit), unit=outside_unit)
    client.force_login(f.staff_user())
    response = client.post(reverse("volunteers:records_verify_bulk"), {"records": [inside.pk, outside.pk]})
    assert response.status_code == 404
    assert set(ServiceRecord.objects.filter(pk__in=[inside.pk, outside.pk]).values_list("status", flat=True)) == {
        P.PENDING
    }


def test_a_self_reported_record_notifies_its_verifiers():
    staff = f.staff_user()
    community = f.community_of()
    volunteer = f.make_volunteer(community, user=f.make_user())
    start = timezone.now() - timedelta(days=2)
    record = services.record_create(
        volunteer=volunteer,
        category=f.category(),
        started_at=start,
        ended_at=start + timedelta(hours=2),
        hours=Decimal("2"),
        actor=volunteer.user,
        unit=community,
    )
    note = Notification.objects.get(kind=Notification.Kind.RECORD_TO_VERIFY, recipient=staff)
    assert note.link == reverse("volunteers:record_detail", args=[record.pk])
    assert not Notification.objects.filter(recipient=volunteer.user).exists()
