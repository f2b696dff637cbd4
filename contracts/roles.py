"""Who may act on a contract: the one home of the contract roles.

Reading is jurisdiction (grids.jurisdiction) plus, for a co-building unit's
contacts, their own unit's contracts. Acting needs a named role at a named
unit, never "anything above": the community party organisation is a
community_staff post at the contract's community, the street committee a
street_staff post at its street, the district organisation department an
org_department post at its district (the report's four-stage evaluation).
A wrong role raises PermissionDenied (403); the caller has already checked
that the contract is visible (404 otherwise).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from grids.jurisdiction import jurisdiction_q
from grids.models import PATH_STEP, GridUnit, Post

from .models import CoBuildingUnitContact, Contract, Evaluation

_CONTACT_CACHE = "_cobuilding_contact_units"
_POSTS_CACHE = "_contract_role_posts"


def contact_unit_ids(user) -> list[int]:
    """The co-building units the user acts for (cached on the user for the request)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _CONTACT_CACHE, None)
    if cached is None:
        cached = list(CoBuildingUnitContact.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))
        setattr(user, _CONTACT_CACHE, cached)
    return cached


def role_paths(user) -> dict[str, list[str]]:
    """The unit paths of the user's posts, by role (cached on the user for the request)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, _POSTS_CACHE, None)
    if cached is None:
        cached = {}
        for role, path in Post.objects.filter(user_id=user.pk).values_list("role", "unit__path"):
            cached.setdefault(role, []).append(path)
        setattr(user, _POSTS_CACHE, cached)
    return cached


def forget_roles(user) -> None:
    for attr in (_CONTACT_CACHE, _POSTS_CACHE):
        if hasattr(user, attr):
            delattr(user, attr)


def contract_visibility_q(viewer, *, prefix: str = "") -> Q:
    """Contracts the viewer may read: those in their grid jurisdiction, and their own unit's as a contact."""
    q = jurisdiction_q(viewer, unit_field=f"{prefix}community")
    units = contact_unit_ids(viewer)
    if units:
        q |= Q(**{f"{prefix}unit_id__in": units})
    return q


def community_path(contract: Contract) -> str:
    return contract.community.path


def street_path(contract: Contract) -> str:
    return contract.community.path[: PATH_STEP * GridUnit.Level.STREET]


def district_path(contract: Contract) -> str:
    return contract.community.path[: PATH_STEP * GridUnit.Level.DISTRICT]


def holds(user, role: str, path: str) -> bool:
    return path in role_paths(user).get(role, [])


def is_contact_of(user, contract: Contract) -> bool:
    return contract.unit_id in contact_unit_ids(user)


def can_manage(user, contract: Contract) -> bool:
    """The community party organisation keeps its contracts: a community_staff post at the community."""
    return holds(user, Post.Role.COMMUNITY_STAFF, community_path(contract))


def require_manager(user, contract: Contract) -> None:
    if not can_manage(user, contract):
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以管理这份契约。"))


def require_contact(user, contract: Contract) -> None:
    if not is_contact_of(user, contract):
        raise PermissionDenied(_("只有共建单位的联系人可以填报进度。"))


def require_community_staff(user, community: GridUnit) -> None:
    if not holds(user, Post.Role.COMMUNITY_STAFF, community.path):
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以发布公开栏。"))


def require_org_department(user, district: GridUnit) -> None:
    if not holds(user, Post.Role.ORG_DEPARTMENT, district.path):
        raise PermissionDenied(_("只有本城区党委组织部可以评选先进。"))


STAGE_ROLE_LABELS = {
    Evaluation.Stage.SELF: _("共建单位联系人"),
    Evaluation.Stage.COMMUNITY: _("社区工作人员"),
    Evaluation.Stage.STREET: _("街道工作人员"),
    Evaluation.Stage.DISTRICT: _("城区党委组织部"),
}


def can_act_at_stage(user, contract: Contract, stage: str) -> bool:
    """Whether the user holds the one role that acts at this evaluation stage of this contract."""
    if stage == Evaluation.Stage.SELF:
        return is_contact_of(user, contract)
    if stage == Evaluation.Stage.COMMUNITY:
        return holds(user, Post.Role.COMMUNITY_STAFF, community_path(contract))
    if stage == Evaluation.Stage.STREET:
        return holds(user, Post.Role.STREET_STAFF, street_path(contract))
    if stage == Evaluation.Stage.DISTRICT:
        return holds(user, Post.Role.ORG_DEPARTMENT, district_path(contract))
    return False


def require_stage_role(user, contract: Contract, stage: str) -> None:
    if stage not in Evaluation.SCORE_FIELDS:
        raise PermissionDenied(_("没有这个考评环节。"))
    if not can_act_at_stage(user, contract, stage):
        raise PermissionDenied(
            _("“%(stage)s”只能由%(role)s办理。")
            % {"stage": Evaluation.Stage(stage).label, "role": STAGE_ROLE_LABELS[Evaluation.Stage(stage)]}
        )


def actionable_stages(user, contract: Contract) -> list[str]:
    return [stage for stage in Evaluation.SCORE_FIELDS if can_act_at_stage(user, contract, stage)]


def inbox_q(user) -> Q:
    """Evaluations waiting for one of the user's roles, as a filter on Evaluation."""
    q = Q(pk__in=[])
    units = contact_unit_ids(user)
    if units:
        q |= Q(stage=Evaluation.Stage.SELF, contract__unit_id__in=units)
    paths = role_paths(user)
    for stage, role in (
        (Evaluation.Stage.COMMUNITY, Post.Role.COMMUNITY_STAFF),
        (Evaluation.Stage.STREET, Post.Role.STREET_STAFF),
        (Evaluation.Stage.DISTRICT, Post.Role.ORG_DEPARTMENT),
    ):
        for path in paths.get(role, []):
            if stage == Evaluation.Stage.COMMUNITY:
                q |= Q(stage=stage, contract__community__path=path)
            else:
                q |= Q(stage=stage, contract__community__path__startswith=path)
    return q
