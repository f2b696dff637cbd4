"""Reads of the volunteers app, always on behalf of a viewer (see `volunteers.access`)."""

from .activities import activity_get, activity_list, calendar_weeks, signup_for, signups_of_activity
from .demands import Demand, demand_get, demand_roster, team_inbox
from .leaderboards import PERIODS, Period, leaderboard, leaderboard_units, period_bounds
from .ledger import account_get, account_list, account_statement, balances_of, ledger_totals
from .people import my_summary, volunteer_find, volunteer_get, volunteer_list
from .records import record_get, record_list
from .registration import community_registration, registration_communities
from .routing import least_loaded_team
from .teams import team_get, team_list, team_roster

__all__ = [
    "Demand",
    "PERIODS",
    "Period",
    "account_get",
    "account_list",
    "account_statement",
    "activity_get",
    "activity_list",
    "balances_of",
    "calendar_weeks",
    "community_registration",
    "demand_get",
    "demand_roster",
    "leaderboard",
    "leaderboard_units",
    "least_loaded_team",
    "ledger_totals",
    "my_summary",
    "period_bounds",
    "record_get",
    "record_list",
    "registration_communities",
    "signup_for",
    "signups_of_activity",
    "team_get",
    "team_inbox",
    "team_list",
    "team_roster",
    "volunteer_find",
    "volunteer_get",
    "volunteer_list",
]
