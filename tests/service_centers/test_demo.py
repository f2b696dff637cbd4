"""The demo network at the test scale holds exactly what plan() promises, the 812 m² average included."""

import pytest
from django.db.models import Avg, Sum
from django.utils import timezone

from grids.models import GridUnit, User
from service_centers import selectors
from service_centers.demo import plan
from service_centers.models import (
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    RedStationMonthlyTally,
    RedStationService,
    ServicePoint,
    ServicePointStaff,
    StarRating,
    WorkstationMember,
)
from service_centers.periods import closed_months, local_midnight, month_start
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.django_db

P = "service_centers."


def _points(**lookup) -> int:
    return ServicePoint.objects.filter(**lookup).count()


def test_plan_at_full_scale_is_the_reports_figures():
    full = plan(1)
    assert full[P + "party_centers"] == 1309
    assert full[P + "party_centers.community"] == 115
    assert full[P + "community_venues.average_area_m2"] == 812
    assert full[P + "community_venues.total_area_m2"] == 115 * 812
    assert full[P + "studios"] == 491
    assert full[P + "workstations"] == 65
    assert full[P + "red_stations"] == 138
    assert full[P + "red_stations.services"] >= 150_000
    assert full[P + "red_stations.jobs_offered"] >= 2_100
    assert full[P + "theme_parks.micro_park"] >= 60
    assert full[P + "trusted_stores.party_member_business"] == 200
    assert full[P + "trusted_stores.recommended_store"] == 308
    assert full[P + "civility"] >= 2_100


def test_demo_counts_match_the_plan_at_the_test_scale():
    promised = plan(DEMO_SCALE)
    last_year = timezone.localdate().year - 1
    kinds = ServicePoint.Kind
    actual = {
        "party_centers": _points(kind=kinds.PARTY_CENTER),
        "party_centers.city": _points(kind=kinds.PARTY_CENTER, level="city"),
        "party_centers.county": _points(kind=kinds.PARTY_CENTER, level="county"),
        "party_centers.township": _points(kind=kinds.PARTY_CENTER, level="township"),
        "party_centers.village": _points(kind=kinds.PARTY_CENTER, level="village"),
        "party_centers.community": _points(kind=kinds.PARTY_CENTER, level="community"),
        "community_venues.total_area_m2": ServicePoint.objects.filter(level="community").aggregate(s=Sum("floor_area"))[
            "s"
        ],
        "community_venues.average_area_m2": ServicePoint.objects.filter(level="community").aggregate(
            a=Avg("floor_area")
        )["a"],
        "studios": _points(kind=kinds.STUDIO),
        "workstations": _points(kind=kinds.WORKSTATION),
        "workstations.members": WorkstationMember.objects.count(),
        "workstations.meetings_last_year": DeliberationMeeting.objects.filter(held_on__year=last_year).count(),
        "red_stations": _points(kind=kinds.RED_STATION),
        "red_stations.services": RedStationService.objects.count(),
        "red_stations.jobs_offered": JobOffer.objects.aggregate(s=Sum("positions"))["s"],
        "red_stations.products": LocalProduct.objects.count(),
        "theme_parks.city_park": _points(level="city_park"),
        "theme_parks.plaza": _points(level="plaza"),
        "theme_parks.micro_park": _points(level="micro_park"),
        "trusted_stores.party_member_business": _points(level="party_member_business"),
        "trusted_stores.recommended_store": _points(level="recommended_store"),
        "civility": _points(kind=kinds.CIVILITY),
        "civility.practice_center": _points(level="practice_center"),
        "civility.practice_institute": _points(level="practice_institute"),
        "civility.practice_station": _points(level="practice_station"),
        "ratings.current_last_year": StarRating.objects.filter(year=last_year, is_current=True).count(),
        "ratings.compounds_last_year": StarRating.objects.filter(year=last_year, compound__isnull=False).count(),
        "ratings.superseded": StarRating.objects.filter(is_current=False).count(),
        "ratings.current_year_before": StarRating.objects.filter(year=last_year - 1, is_current=True).count(),
    }
    admin = User.objects.get(username="admin")
    actual["workstations.flagged_last_year"] = sum(
        1 for row in selectors.workstation_compliance(viewer=admin, unit=None, year=last_year) if row.assessment.flagged
    )
    assert {P + key: value for key, value in actual.items()} == promised


def test_the_community_venues_average_exactly_812_square_metres_in_the_overview(demo_user):
    overview = selectors.network_overview(
        viewer=demo_user("admin"), unit=GridUnit.objects.get(level=GridUnit.Level.CITY)
    )
    venues = overview.community_venues
    assert venues.count == plan(DEMO_SCALE)[P + "party_centers.community"]
    assert venues.average_area == 812
    assert venues.total_area == 812 * venues.count


def test_the_yangshuo_account_staffs_a_red_station_in_yangshuo(demo_user):
    membership = ServicePointStaff.objects.select_related("point__unit").get(user=demo_user("yangshuo_station"))
    assert membership.point.kind == ServicePoint.Kind.RED_STATION
    yangshuo = GridUnit.objects.get(name="阳朔县")
    assert membership.point.unit.path.startswith(yangshuo.path)


def test_the_roll_up_matches_the_log_for_the_twelve_closed_months():
    window = closed_months(today=timezone.localdate(), count=12)
    in_log = RedStationService.objects.filter(
        served_at__gte=local_midnight(window[0]), served_at__lt=local_midnight(month_start(timezone.localdate()))
    ).count()
    assert in_log > 0
    assert RedStationMonthlyTally.objects.aggregate(s=Sum("services"))["s"] == in_log
