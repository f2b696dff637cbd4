"""Reads of the volunteers app, always on behalf of a viewer (see `volunteers.access`)."""

from .activities import (
    activity_get,
    activity_list,
    activity_units,
    calendar_weeks,
    pending_records_of_activity,
    signup_for,
    signup_get,
    signup_list,
    signups_of_activity,
)
from .demands import Demand, demand_get, demand_open_shifts, demand_roster, team_inbox
from .leaderboards import PERIODS, Period, leaderboard, leaderboard_units, period_bounds
from .ledger import account_get, account_list, account_statement, balances_of, ledger_totals
from .people import my_summary, volunteer_find, volunteer_get, volunteer_list, volunteer_own
from .records import record_get, record_list, records_for_review
from .registration import community_registration, registration_communities
from .routing import least_loaded_team
from .teams import team_get, team_list, team_membership, team_roster

__all__ = [
    "Demand",
    "PERIODS",
    "Period",
    "account_get",
    "account_list",
    "account_statement",
    "activity_get",
    "activity_list",
    "activity_units",
    "balances_of",
    "calendar_weeks",
    "community_registration",
    "demand_get",
    "demand_open_shifts",
    "demand_roster",
    "leaderboard",
    "leaderboard_units",
    "least_loaded_team",
    "ledger_totals",
    "my_summary",
    "pending_records_of_activity",
    "period_bounds",
    "record_get",
    "records_for_review",
    "record_list",
    "registration_communities",
    "signup_for",
    "signup_get",
    "signup_list",
    "signups_of_activity",
    "team_get",
    "team_inbox",
    "team_list",
    "team_membership",
    "team_roster",
    "volunteer_find",
    "volunteer_get",
    "volunteer_list",
    "volunteer_own",
]
