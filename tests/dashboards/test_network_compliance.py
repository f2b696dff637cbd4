"""The dashboard's workstation compliance, read in one statement with the rest of the network (a month
bit mask per station), says what the service centres' own rule and selector say for every station."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dashboards.periods import Period
from dashboards.selectors import children_of
from dashboards.selectors.service_points import network_figures
from service_centers.selectors import workstation_compliance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["桂林市", "秀峰区"])
def test_the_dashboards_workstation_compliance_is_the_service_centres(name, unit_named, demo_user):
    unit, admin = unit_named(name), demo_user("admin")
    network = network_figures(
        viewer=admin, unit=unit, children=children_of(unit), period=Period.for_year(timezone.localdate().year)
    )
    expected = workstation_compliance(viewer=admin, unit=unit, year=network.compliance_year)
    assert [(row.point_id, row.assessment) for row in network.workstation_rows] == [
        (row.point.pk, row.assessment) for row in expected
    ]
    months = [row.assessment.active_months for row in network.workstation_rows]
    assert any(months), "no station with an activity: the comparison would prove nothing"
    assert any(row.assessment.missed_months for row in network.workstation_rows) or all(len(m) == 12 for m in months)
