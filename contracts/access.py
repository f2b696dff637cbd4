"""Who may read and act on co-building contracts: pure predicates over a Viewer.

Reading is the grid jurisdiction (a contract's community inside the viewer's
subtrees) plus, for a co-building unit's contacts (the Viewer's
`cobuilding_units`), their own unit's contracts.

Acting needs a named role at a named unit, never "anything above" (a superuser
holds no role by being one): the community party organisation is a
community_staff post at the contract's community, the street committee a
street_staff post at its street, the district organisation department an
org_department post at its district. Those three and the unit's contact act
at the four stages of the year-end evaluation, one stage each, in order.

For each thing with actions there is one `*_allowed_actions()` answering "what
may this viewer do to it now", from the viewer's roles and the object's own
state (status, stage, year): the pages show exactly those buttons, the API
accepts exactly those calls, and the services check the same predicates. A
wrong role raises PermissionDenied (403) in the service; an action that the
role may take but the state does not allow yet (signing a contract that is
already signed) is refused by the service as bad input (400). The caller has
already checked that the object is visible (404 otherwise).

Every function here reads the Viewer and the objects handed in: no query.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.jurisdiction import paths_q
from grids.models import PATH_STEP, GridUnit, Post
from grids.viewer import Viewer

from .models import AwardList, Contract, Evaluation
from .periods import has_ended

# -- the actions --------------------------------------------------------------------------

# On a contract (the community party organisation keeps it, the unit's contact reports on it).
ADD_DEMAND = "add_demand"
ADD_RESOURCE = "add_resource"
ADD_COMMITMENT = "add_commitment"
SIGN = "sign"
ACTIVATE = "activate"
CLOSE = "close"
REPORT_PROGRESS = "report_progress"
CONTRACT_ACTIONS = (ADD_DEMAND, ADD_RESOURCE, ADD_COMMITMENT, SIGN, ACTIVATE, CLOSE, REPORT_PROGRESS)

# On its evaluation: score the waiting stage, or send it back one stage.
SUBMIT = "submit"
SEND_BACK = "send_back"
EVALUATION_ACTIONS = (SUBMIT, SEND_BACK)

# On a community's quarter of the public disclosure board.
PUBLISH = "publish"
CORRECT = "correct"
BOARD_ACTIONS = (PUBLISH, CORRECT)

# On a district's yearly awards list.
ADD_ENTRY = "add_entry"
REMOVE_ENTRY = "remove_entry"
PUBLISH_LIST = "publish_list"
AWARD_ACTIONS = (ADD_ENTRY, REMOVE_ENTRY, PUBLISH_LIST)

EDITABLE = (Contract.Status.DRAFT, Contract.Status.SIGNED)
EVALUATED = (Contract.Status.ACTIVE, Contract.Status.CLOSED)

STAGE_ROLE_LABELS = {
    Evaluation.Stage.SELF: gettext_lazy("共建单位联系人"),
    Evaluation.Stage.COMMUNITY: gettext_lazy("社区工作人员"),
    Evaluation.Stage.STREET: gettext_lazy("街道工作人员"),
    Evaluation.Stage.DISTRICT: gettext_lazy("城区党委组织部"),
}


# -- reading ------------------------------------------------------------------------------


def contract_visible_q(viewer: Viewer, *, prefix: str = "") -> Q:
    """Contracts the viewer may read: those in their jurisdiction, and their own unit's as a contact.

    `prefix` is the lookup from the filtered model to the contract ("contract__", "commitment__contract__").
    """
    if viewer.jurisdiction is None:
        return Q()  # everything (and nothing may be OR-ed to an empty Q: it would narrow it)
    q = paths_q(viewer.jurisdiction, unit_field=f"{prefix}community")
    if viewer.cobuilding_units:
        q |= Q(**{f"{prefix}unit_id__in": sorted(viewer.cobuilding_units)})
    return q


# -- where a contract sits ----------------------------------------------------------------


def community_path(contract: Contract) -> str:
    return contract.community.path


def street_path(contract: Contract) -> str:
    return contract.community.path[: PATH_STEP * GridUnit.Level.STREET]


def district_path(contract: Contract) -> str:
    return contract.community.path[: PATH_STEP * GridUnit.Level.DISTRICT]


# -- roles ----------------------------------------------------------------------------------


def is_contact_of(viewer: Viewer, contract: Contract) -> bool:
    return contract.unit_id in viewer.cobuilding_units


def can_manage(viewer: Viewer, contract: Contract) -> bool:
    """The community party organisation keeps its contracts: a community_staff post at the community."""
    return viewer.holds(Post.Role.COMMUNITY_STAFF, community_path(contract))


def can_draft_in(viewer: Viewer, community: GridUnit) -> bool:
    """May draft contracts for this community (its community_staff)."""
    return community.level == GridUnit.Level.COMMUNITY and viewer.holds(Post.Role.COMMUNITY_STAFF, community.path)


def draft_community_paths(viewer: Viewer) -> tuple[str, ...]:
    """The communities (paths) the viewer drafts contracts for; empty: no "draft a contract" button."""
    return viewer.paths_for(Post.Role.COMMUNITY_STAFF)


def can_act_at_stage(viewer: Viewer, contract: Contract, stage: str) -> bool:
    """Holds the one role that acts at this evaluation stage of this contract."""
    if stage == Evaluation.Stage.SELF:
        return is_contact_of(viewer, contract)
    if stage == Evaluation.Stage.COMMUNITY:
        return viewer.holds(Post.Role.COMMUNITY_STAFF, community_path(contract))
    if stage == Evaluation.Stage.STREET:
        return viewer.holds(Post.Role.STREET_STAFF, street_path(contract))
    if stage == Evaluation.Stage.DISTRICT:
        return viewer.holds(Post.Role.ORG_DEPARTMENT, district_path(contract))
    return False


def actionable_stages(viewer: Viewer, contract: Contract) -> list[str]:
    """The stages of this contract's evaluation the viewer holds the role of (whatever the stage now)."""
    return [stage for stage in Evaluation.SCORE_FIELDS if can_act_at_stage(viewer, contract, stage)]


def can_publish_board(viewer: Viewer, community: GridUnit) -> bool:
    """Publishes (and corrects) the community's quarters on the public board: its community_staff."""
    return community.level == GridUnit.Level.COMMUNITY and viewer.holds(Post.Role.COMMUNITY_STAFF, community.path)


def can_select_awards(viewer: Viewer, district: GridUnit) -> bool:
    """Draws up and publishes the district's awards: its organisation department."""
    return viewer.holds(Post.Role.ORG_DEPARTMENT, district.path)


def award_district_paths(viewer: Viewer) -> tuple[str, ...]:
    """The districts (paths) whose awards the viewer draws up; empty: no awards page."""
    return viewer.org_department_paths


# -- what may be done now -------------------------------------------------------------------


def contract_allowed_actions(
    viewer: Viewer, contract: Contract, evaluation: Evaluation | None = None, *, today: dt.date | None = None
) -> frozenset[str]:
    """What the viewer may do to this contract now (CONTRACT_ACTIONS), and to its evaluation when given.

    `contract.community` must be loaded; an evaluation given is this contract's.
    """
    actions: set[str] = set()
    if can_manage(viewer, contract):
        if contract.status in EDITABLE:
            actions |= {ADD_DEMAND, ADD_RESOURCE, ADD_COMMITMENT}
        if contract.status == Contract.Status.DRAFT:
            actions.add(SIGN)
        elif contract.status == Contract.Status.SIGNED:
            actions.add(ACTIVATE)
        elif contract.status == Contract.Status.ACTIVE and (today or timezone.localdate()).year > contract.year:
            actions.add(CLOSE)
    if is_contact_of(viewer, contract) and contract.status == Contract.Status.ACTIVE:
        actions.add(REPORT_PROGRESS)
    if evaluation is not None:
        actions |= _evaluation_actions(viewer, contract, evaluation)
    return frozenset(actions)


def evaluation_allowed_actions(viewer: Viewer, evaluation: Evaluation) -> frozenset[str]:
    """What the viewer may do to this evaluation now (EVALUATION_ACTIONS); `evaluation.contract.community` loaded."""
    return frozenset(_evaluation_actions(viewer, evaluation.contract, evaluation))


def _evaluation_actions(viewer: Viewer, contract: Contract, evaluation: Evaluation) -> set[str]:
    if contract.status not in EVALUATED or not can_act_at_stage(viewer, contract, evaluation.stage):
        return set()
    if Evaluation.previous_stage(evaluation.stage) is None:
        return {SUBMIT}
    return {SUBMIT, SEND_BACK}


def acting_stage(viewer: Viewer, contract: Contract, evaluation: Evaluation | None) -> str | None:
    """The stage the viewer may score now, if any."""
    if evaluation is None or SUBMIT not in _evaluation_actions(viewer, contract, evaluation):
        return None
    return evaluation.stage


def board_allowed_actions(
    viewer: Viewer, community: GridUnit, *, year: int, quarter: int, published: bool, today: dt.date | None = None
) -> frozenset[str]:
    """Publish a community's quarter once it has ended; once published, correct it (BOARD_ACTIONS)."""
    if not can_publish_board(viewer, community):
        return frozenset()
    if published:
        return frozenset({CORRECT})
    if has_ended(year, quarter, today or timezone.localdate()):
        return frozenset({PUBLISH})
    return frozenset()


def award_allowed_actions(
    viewer: Viewer, district: GridUnit, award_list: AwardList | None = None, *, has_entries: bool = False
) -> frozenset[str]:
    """Add to a district's list while it is a draft (or not begun), remove, publish a non-empty one (AWARD_ACTIONS)."""
    if not can_select_awards(viewer, district):
        return frozenset()
    if award_list is None:
        return frozenset({ADD_ENTRY})
    if award_list.status != AwardList.Status.DRAFT:
        return frozenset()
    actions = {ADD_ENTRY, REMOVE_ENTRY}
    if has_entries:
        actions.add(PUBLISH_LIST)
    return frozenset(actions)


# -- the evaluation inbox -------------------------------------------------------------------


def inbox_q(viewer: Viewer) -> Q:
    """Evaluations waiting for one of the viewer's roles, as a filter on Evaluation."""
    q = Q(pk__in=[])
    if viewer.cobuilding_units:
        q |= Q(stage=Evaluation.Stage.SELF, contract__unit_id__in=sorted(viewer.cobuilding_units))
    for stage, role in (
        (Evaluation.Stage.COMMUNITY, Post.Role.COMMUNITY_STAFF),
        (Evaluation.Stage.STREET, Post.Role.STREET_STAFF),
        (Evaluation.Stage.DISTRICT, Post.Role.ORG_DEPARTMENT),
    ):
        for path in viewer.paths_for(role):
            if stage == Evaluation.Stage.COMMUNITY:
                q |= Q(stage=stage, contract__community__path=path)
            else:
                q |= Q(stage=stage, contract__community__path__startswith=path)
    return q


# -- refusals, for the services (PermissionDenied: 403) -------------------------------------


def require_manager(viewer: Viewer, contract: Contract) -> None:
    if not can_manage(viewer, contract):
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以管理这份契约。"))


def require_drafter(viewer: Viewer, community: GridUnit) -> None:
    if not viewer.holds(Post.Role.COMMUNITY_STAFF, community.path):
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以起草契约。"))


def require_contact(viewer: Viewer, contract: Contract) -> None:
    if not is_contact_of(viewer, contract):
        raise PermissionDenied(_("只有共建单位的联系人可以填报进度。"))


def require_community_staff(viewer: Viewer, community: GridUnit) -> None:
    if not viewer.holds(Post.Role.COMMUNITY_STAFF, community.path):
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以发布公开栏。"))


def require_org_department(viewer: Viewer, district: GridUnit) -> None:
    if not can_select_awards(viewer, district):
        raise PermissionDenied(_("只有本城区党委组织部可以评选先进。"))


def require_stage_role(viewer: Viewer, contract: Contract, stage: str) -> None:
    if stage not in Evaluation.SCORE_FIELDS:
        raise PermissionDenied(_("没有这个考评环节。"))
    if not can_act_at_stage(viewer, contract, stage):
        raise PermissionDenied(
            _("“%(stage)s”只能由%(role)s办理。")
            % {"stage": Evaluation.Stage(stage).label, "role": STAGE_ROLE_LABELS[Evaluation.Stage(stage)]}
        )
