"""The physical party-service network: service points of every kind, their ratings,
the pioneer alliance workstations' records and the tourism red stations' service log.

One model family with a kind (`ServicePoint.Kind`), as the report counts them:
1,309 party-and-mass service centers on four levels (115 of them urban community
venues), 491 party-member studios, 65 pioneer alliance workstations, 138 tourism
red stations, theme parks, trusted stores and civility practice centers/stations.
Every point hangs from a grid unit, so jurisdiction is the unit's subtree.
"""

from .points import ResidentOrganisation, ServicePoint, ServicePointQuerySet, ServicePointStaff, SixFunction
from .ratings import StarRating
from .red_stations import JobOffer, LocalProduct, RedStationMonthlyTally, RedStationService, ServiceKind
from .workstations import (
    ActivityCategory,
    DeliberationMeeting,
    HonourLevel,
    MemberHonour,
    WorkstationActivity,
    WorkstationMember,
)

__all__ = [
    "ActivityCategory",
    "DeliberationMeeting",
    "HonourLevel",
    "JobOffer",
    "LocalProduct",
    "MemberHonour",
    "RedStationMonthlyTally",
    "RedStationService",
    "ResidentOrganisation",
    "ServiceKind",
    "ServicePoint",
    "ServicePointQuerySet",
    "ServicePointStaff",
    "SixFunction",
    "StarRating",
    "WorkstationActivity",
    "WorkstationMember",
]
