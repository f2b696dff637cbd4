"""Demo data for contract-based co-building, at the report's scale.

At scale 1: 452 co-building units (one in three each a resident unit, a sector
body, a new-economy organisation), each with one contact person; 2,238
contracts signed by the 115 urban communities' party organisations over three
years (25 % two years ago, 30 % last year, 45 % this year: the practice grew);
1,909 committed service items.

How the 1,909 commitments spread over the 2,238 contracts (the report has
fewer items than contracts): every contract of the two earlier years, now
closed, carries one commitment, and so does every active contract of this
year (55 % of this year's); the 124 items left over are second commitments,
spread evenly over those contracts. This year's other contracts carry none
yet: they are signed and waiting for their commitment list, and half as many
again are drafts not signed yet (not counted among the 2,238). Every contract has two demand-list and two resource-list items.

A commitment is a count target in each quarter (two in three) or a milestone
in the second and fourth quarters. Progress exists for every target of every
ended quarter except about one in seventeen left unreported (they count as
pending), plus early reports for a quarter of this quarter's targets. Every
active or closed contract has an evaluation: the earlier years' are done
(some with a send-back in their history), this year's are spread over all
five stages within each community. Tallies are computed for every ended
quarter, every community published each ended quarter on the board, and
解东社区 published one correction (a late report for last year's fourth
quarter). The earlier years have published award lists per district.

Accounts: `unit_contact` (contact of a unit whose contracts are in 秀峰区,
解东社区) and `xiufeng_orgdept` (秀峰区 organisation department, a second
org_department post beside the grid demo's `orgdept00`).
"""

from .layout import layout, plan
from .seed import seed

DEMO_ORDER = 40

__all__ = ["DEMO_ORDER", "layout", "plan", "seed"]
