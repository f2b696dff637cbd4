"""Reads for contract-based co-building, always on behalf of a viewer (the public board excepted).

Contracts are visible through grids.jurisdiction (their community inside the
viewer's subtrees) and, for a co-building unit's contacts, through their own
unit (access.contract_visible_q). Everything else hangs from a visible
contract or a visible unit. List reads take a constant number of queries.

contracts.py  contracts, commitments, progress, units, evaluations
tallies.py    quarterly tallies and the public disclosure board
awards.py     the awards ranking and the published lists
"""

from .awards import RankedContract, RankedUnit, award_lists_published, award_ranking
from .contracts import (
    CommitmentRow,
    ContractDetail,
    QuarterCell,
    commitment_get,
    commitment_list,
    contract_detail,
    contract_get,
    contract_list,
    evaluation_get,
    evaluation_inbox,
    evaluation_list,
    progress_get,
    progress_list,
    unit_get,
    unit_list,
)
from .tallies import (
    BoardCommunity,
    TallyOverview,
    board_community,
    board_index,
    board_publications,
    board_quarter,
    tally_home_unit,
    tally_list,
    tally_overview,
    tally_periods,
)

__all__ = [
    "BoardCommunity",
    "CommitmentRow",
    "ContractDetail",
    "QuarterCell",
    "RankedContract",
    "RankedUnit",
    "TallyOverview",
    "award_lists_published",
    "award_ranking",
    "board_community",
    "board_index",
    "board_publications",
    "board_quarter",
    "commitment_get",
    "commitment_list",
    "contract_detail",
    "contract_get",
    "contract_list",
    "evaluation_get",
    "evaluation_inbox",
    "evaluation_list",
    "progress_get",
    "progress_list",
    "tally_home_unit",
    "tally_list",
    "tally_overview",
    "tally_periods",
    "unit_get",
    "unit_list",
]
