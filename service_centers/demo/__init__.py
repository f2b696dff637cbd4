"""Demo data for the service network, at the report's scale.

At scale 1 (the report's figures):
- 1,309 party-and-mass service centers on four levels: the 2 city centers
  (市党群服务中心 and 市“两新”组织党群服务中心), 17 county centers, 140 township
  centers (146 streets/townships, but in six counties the county-seat town is
  served by the county center itself) and one per community and village: 1,035
  village centers and the 115 urban community venues. The venues' floor areas
  add up to exactly 812 m² times their number, so the average is 812 m² at
  every scale (at 0.01: 4 venues, 3,248 m², average 812 m²).
- 491 party-member studios, 65 pioneer alliance workstations (520 members;
  last year 3 held only five meetings and 2 skipped a month: 5 flagged),
  138 tourism red stations with 152,000 services logged over the last year,
  2,136 jobs offered to low-income households and three local products each;
  5 city theme parks, 24 street/community plazas and 62 compound micro-parks;
  200 party-member businesses and 308 party-recommended trusted stores;
  2,113 civility practice sites (17 centers, one institute per street/township,
  1,950 stations).
- Star ratings: every party-and-mass service center for the last two years and
  every property-managed compound's party organisation for last year; one
  community venue in ten was re-rated last year, the first rating kept as history.
- The account `yangshuo_station`: staff of the first red station, in 阳朔县.
"""

from __future__ import annotations

import math

from guilin_portal.demo import DemoContext

from ..models import ServicePoint
from .points import Units, seed_points
from .records import seed_ratings, seed_red_stations, seed_workstations
from .shape import COMMUNITY_VENUE_AVERAGE_M2, PRODUCTS_PER_STATION, P, shape

DEMO_ORDER = 30


def plan(scale: float) -> dict[str, int]:
    s = shape(scale)
    rerated = math.ceil(s.urban_communities / 10)
    return {
        f"{P}.party_centers": s.party_centers,
        f"{P}.party_centers.city": 2,
        f"{P}.party_centers.county": s.districts,
        f"{P}.party_centers.township": s.townships,
        f"{P}.party_centers.village": s.villages,
        f"{P}.party_centers.community": s.urban_communities,
        f"{P}.community_venues.total_area_m2": COMMUNITY_VENUE_AVERAGE_M2 * s.urban_communities,
        f"{P}.community_venues.average_area_m2": COMMUNITY_VENUE_AVERAGE_M2,
        f"{P}.studios": s.studios,
        f"{P}.workstations": s.workstations,
        f"{P}.workstations.members": s.members,
        f"{P}.workstations.meetings_last_year": sum(s.meetings_last_year(i) for i in range(s.workstations)),
        f"{P}.workstations.flagged_last_year": s.short_of_meetings + s.missing_a_month,
        f"{P}.red_stations": s.red_stations,
        f"{P}.red_stations.services": s.red_services,
        f"{P}.red_stations.jobs_offered": s.jobs_offered,
        f"{P}.red_stations.products": PRODUCTS_PER_STATION * s.red_stations,
        f"{P}.theme_parks.city_park": s.city_parks,
        f"{P}.theme_parks.plaza": s.plazas,
        f"{P}.theme_parks.micro_park": s.micro_parks,
        f"{P}.trusted_stores.party_member_business": s.party_member_businesses,
        f"{P}.trusted_stores.recommended_store": s.recommended_stores,
        f"{P}.civility": s.districts + s.streets + s.practice_stations,
        f"{P}.civility.practice_center": s.districts,
        f"{P}.civility.practice_institute": s.streets,
        f"{P}.civility.practice_station": s.practice_stations,
        f"{P}.ratings.current_last_year": s.party_centers + s.property_managed,
        f"{P}.ratings.compounds_last_year": s.property_managed,
        f"{P}.ratings.superseded": rerated,
        f"{P}.ratings.current_year_before": s.party_centers,
    }


def seed(ctx: DemoContext) -> None:
    s = shape(ctx.scale)
    units = Units()
    by_kind = seed_points(ctx, s, units)
    seed_workstations(ctx, s, by_kind[ServicePoint.Kind.WORKSTATION])
    seed_red_stations(ctx, s, units, by_kind[ServicePoint.Kind.RED_STATION])
    seed_ratings(ctx, s, units, by_kind[ServicePoint.Kind.PARTY_CENTER])
