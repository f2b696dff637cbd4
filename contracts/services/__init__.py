"""Writes for contract-based co-building: one function per business action, grouped by concern.

units.py       co-building units and their contacts
contracts.py   contracts, their demand/resource lists and commitments, status changes
progress.py    quarterly progress with evidence
evaluation.py  the four-stage evaluation
tally.py       the quarterly tally (set-based SQL)
board.py       the public disclosure board: publications and corrections
awards.py      yearly advanced units and people
"""

from .awards import award_entry_add, award_entry_remove, award_list_open, award_list_publish
from .board import board_correct, board_publish
from .contracts import (
    commitment_add,
    contract_activate,
    contract_close,
    contract_create,
    contract_sign,
    demand_add,
    resource_add,
)
from .evaluation import evaluation_send_back, evaluation_submit
from .progress import progress_report
from .tally import tally_quarter
from .units import (
    cobuilding_unit_create,
    cobuilding_unit_update,
    unit_contact_add,
    unit_contact_remove,
    unit_contact_update,
)

__all__ = [
    "award_entry_add",
    "award_entry_remove",
    "award_list_open",
    "award_list_publish",
    "board_correct",
    "board_publish",
    "cobuilding_unit_create",
    "cobuilding_unit_update",
    "commitment_add",
    "contract_activate",
    "contract_close",
    "contract_create",
    "contract_sign",
    "demand_add",
    "evaluation_send_back",
    "evaluation_submit",
    "progress_report",
    "resource_add",
    "tally_quarter",
    "unit_contact_add",
    "unit_contact_remove",
    "unit_contact_update",
]
