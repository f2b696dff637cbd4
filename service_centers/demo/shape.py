"""How many of everything at a scale: a pure function of the scale, which plan() and seed() share."""

from __future__ import annotations

from dataclasses import dataclass

from grids import demo as grids_demo
from grids import demo_data as grids_data

from ..models import (
    JobOffer,
    ServicePoint,
)

P = "service_centers"
Kind, Level = ServicePoint.Kind, ServicePoint.Level

FULL_SCALE = {
    "townships_colocated": 6,
    "studios": 491,
    "workstations": 65,
    "workstation_members": 520,
    "workstations_short_of_meetings": 3,
    "workstations_missing_a_month": 2,
    "red_stations": 138,
    "red_services": 152_000,
    "jobs_offered": 2_136,
    "city_parks": 5,
    "plazas": 24,
    "micro_parks": 62,
    "party_member_businesses": 200,
    "recommended_stores": 308,
    "practice_stations": 1_950,
}
COMMUNITY_VENUE_AVERAGE_M2 = 812  # report: 全市115个城市社区服务群众场所平均面积达812平方米
PRODUCTS_PER_STATION = 3
JOB_ROLES = (JobOffer.Role.GUIDE, JobOffer.Role.TICKETING, JobOffer.Role.SECURITY)
GAP_MONTH = 7  # the month the "missing a month" workstations skipped last year


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


@dataclass(frozen=True)
class Shape:
    districts: int
    streets: int
    townships_colocated: int
    urban_communities: int
    villages: int
    studios: int
    workstations: int
    members: int
    short_of_meetings: int
    missing_a_month: int
    red_stations: int
    red_services: int
    jobs_offered: int
    city_parks: int
    plazas: int
    micro_parks: int
    party_member_businesses: int
    recommended_stores: int
    practice_stations: int
    property_managed: int

    @property
    def townships(self) -> int:
        return self.streets - self.townships_colocated

    @property
    def party_centers(self) -> int:
        return 2 + self.districts + self.townships + self.villages + self.urban_communities

    def meetings_last_year(self, index: int) -> int:
        """Deliberation meetings a workstation held last year: the last few fell short at five."""
        if index >= self.workstations - self.short_of_meetings:
            return 5
        return 6 + index % 4

    def misses_a_month(self, index: int) -> bool:
        first = self.workstations - self.short_of_meetings - self.missing_a_month
        return first <= index < self.workstations - self.short_of_meetings


def shape(scale: float) -> Shape:
    grid = grids_demo.layout(scale)
    districts = len(grids_data.DISTRICTS)
    counties = sum(1 for _c, _n, urban, _s in grids_data.DISTRICTS if not urban)
    urban = sum(grid.community_is_urban)
    workstations = _scaled(FULL_SCALE["workstations"], scale)
    short = min(_scaled(FULL_SCALE["workstations_short_of_meetings"], scale, 0), workstations)
    return Shape(
        districts=districts,
        streets=len(grid.streets),
        townships_colocated=min(counties, _scaled(FULL_SCALE["townships_colocated"], scale, 0)),
        urban_communities=urban,
        villages=len(grid.community_is_urban) - urban,
        studios=_scaled(FULL_SCALE["studios"], scale),
        workstations=workstations,
        members=max(workstations, _scaled(FULL_SCALE["workstation_members"], scale)),
        short_of_meetings=short,
        missing_a_month=min(_scaled(FULL_SCALE["workstations_missing_a_month"], scale, 0), workstations - short),
        red_stations=_scaled(FULL_SCALE["red_stations"], scale),
        red_services=_scaled(FULL_SCALE["red_services"], scale),
        jobs_offered=max(
            len(JOB_ROLES) * _scaled(FULL_SCALE["red_stations"], scale), _scaled(FULL_SCALE["jobs_offered"], scale)
        ),
        city_parks=_scaled(FULL_SCALE["city_parks"], scale),
        plazas=_scaled(FULL_SCALE["plazas"], scale),
        micro_parks=_scaled(FULL_SCALE["micro_parks"], scale),
        party_member_businesses=_scaled(FULL_SCALE["party_member_businesses"], scale),
        recommended_stores=_scaled(FULL_SCALE["recommended_stores"], scale),
        practice_stations=_scaled(FULL_SCALE["practice_stations"], scale),
        property_managed=grid.property_managed,
    )
