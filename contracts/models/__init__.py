"""Contract-based co-building 契约化共建: units, contracts, commitments, progress, evaluation, tallies, boards, awards.

An urban community's party organisation signs a yearly contract 契约书 with a
co-building unit (a resident unit, a sector body or a new-economy
organisation). The community lists what it needs (需求清单), the unit what it
offers (资源清单); each commitment 承诺服务事项 pairs one demand with one
resource and carries quarterly targets. The unit's contact reports progress
each quarter; a quarterly tally rolls completion up the grid tree; the
community publishes it on the public disclosure board 党务公开栏; at year end
the contract goes through the four-stage evaluation and the district
organisation department selects advanced units and people.
"""

from .awards import AwardEntry, AwardList
from .contracts import (
    CoBuildingUnit,
    CoBuildingUnitContact,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    ContractQuerySet,
    DemandItem,
    Progress,
    ResourceItem,
)
from .evaluation import SCORE_MAX, Evaluation, EvaluationStep
from .tallies import BoardLine, BoardPublication, QuarterlyTally, TallyFigures, TallyRun

__all__ = [
    "SCORE_MAX",
    "AwardEntry",
    "AwardList",
    "BoardLine",
    "BoardPublication",
    "CoBuildingUnit",
    "CoBuildingUnitContact",
    "Commitment",
    "CommitmentTarget",
    "Contract",
    "ContractEvent",
    "ContractQuerySet",
    "DemandItem",
    "Evaluation",
    "EvaluationStep",
    "Progress",
    "QuarterlyTally",
    "ResourceItem",
    "TallyFigures",
    "TallyRun",
]
