"""Admin: a unit's contacts are added, retitled and removed through the services, and a contact's
standing follows from the next Viewer on (nothing is cached on the User)."""

import pytest
from django.urls import reverse

from contracts.models import CoBuildingUnitContact
from grids.viewer import Viewer

from . import factories as f

pytestmark = pytest.mark.django_db


def test_contacts_are_edited_in_the_admin_through_the_services(client_as):
    unit, contact = f.cobuilding_unit()
    newcomer = f.user("contact")
    row = CoBuildingUnitContact.objects.get(unit=unit, user=contact)
    assert unit.pk in Viewer.for_user(contact).cobuilding_units
    body = {
        "name": unit.name,
        "kind": unit.kind,
        "party_organisation": unit.party_organisation,
        "district": unit.district_id,
        "address": "",
        "is_active": "on",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": row.pk,
        "contacts-0-unit": unit.pk,
        "contacts-0-user": contact.pk,
        "contacts-0-title": "办公室主任",
        "contacts-1-unit": unit.pk,
        "contacts-1-user": newcomer.pk,
        "contacts-1-title": "",
    }
    url = reverse("admin:contracts_cobuildingunit_change", args=[unit.pk])
    response = client_as("admin").post(url, body)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.title == "办公室主任"
    assert unit.pk in Viewer.for_user(newcomer).cobuilding_units

    removed = client_as("admin").post(
        url,
        {
            **body,
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-DELETE": "on",
        },
    )
    assert removed.status_code == 302
    assert not CoBuildingUnitContact.objects.filter(pk=row.pk).exists()
    assert unit.pk not in Viewer.for_user(contact).cobuilding_units
