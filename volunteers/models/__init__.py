"""Volunteers: service categories, teams and their members, activities, service
records, one double-entry ledger (time-bank hours and party-member points) and
dual registration (双报到) of organ party organisations and members.

See README, "Volunteers", for where each rule lives.
"""

from .activities import Activity, ActivityKind, ActivitySignup
from .ledger import Currency, LedgerAccount, LedgerEntry, LedgerPosting, PointRule
from .people import MemberRegistration, OrganisationRegistration, OrganOrganisation, Volunteer
from .records import ServiceRecord
from .teams import ServiceCategory, Team, TeamMember

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivitySignup",
    "Currency",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerPosting",
    "MemberRegistration",
    "OrganOrganisation",
    "OrganisationRegistration",
    "PointRule",
    "ServiceCategory",
    "ServiceRecord",
    "Team",
    "TeamMember",
    "Volunteer",
]
