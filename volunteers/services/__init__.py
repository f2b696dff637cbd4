"""Writes of the volunteers app, one function per business action (see each module's rules)."""

from .activities import (
    activity_cancel,
    activity_create,
    signup_cancel,
    signup_check_in,
    signup_check_out,
    signup_create,
)
from .demands import ShiftSpec, demand_decompose, demand_record, demand_shift_complete, demand_team
from .ledger import (
    entry_reverse,
    ledger_post,
    ledger_transfer,
    personal_account,
    points_redeem,
    system_account,
    timebank_withdraw,
)
from .records import (
    award_for,
    point_rule_for,
    record_create,
    record_reject,
    record_reverse,
    record_verify,
    records_verify_many,
)
from .registration import member_register, organisation_register, registration_end
from .teams import (
    team_create,
    team_member_add,
    team_member_remove,
    team_member_set_role,
    team_update,
    volunteer_create,
)

__all__ = [
    "ShiftSpec",
    "activity_cancel",
    "activity_create",
    "award_for",
    "demand_decompose",
    "demand_record",
    "demand_shift_complete",
    "demand_team",
    "entry_reverse",
    "ledger_post",
    "ledger_transfer",
    "member_register",
    "organisation_register",
    "personal_account",
    "point_rule_for",
    "points_redeem",
    "record_create",
    "record_reject",
    "record_reverse",
    "record_verify",
    "records_verify_many",
    "registration_end",
    "signup_cancel",
    "signup_check_in",
    "signup_check_out",
    "signup_create",
    "system_account",
    "team_create",
    "team_member_add",
    "team_member_remove",
    "team_member_set_role",
    "team_update",
    "timebank_withdraw",
    "volunteer_create",
]
