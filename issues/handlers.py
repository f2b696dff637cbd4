"""Who handles an issue or a sub-task: the one place that answers "does this person handle it?".

A handler is a kind plus one reference (a user, an office unit, a department).
A person handles an issue when they are its named handler or its assignee,
hold a staff post at the handling office, belong to the handling department,
or lead (leader or deputy) the handling volunteer team.
The phone-masking rule, the inbox and the permission checks all ask here.

Adding a handler kind touches, besides the model field, `HandlerKind`,
`Issue.HANDLER_FIELDS` and the `resolve_handler()` branch in
issues.services.routing: one clause in each function below. The volunteer team
(issue 4) came in that way: `handler_team`, led by its leader and deputies
(volunteers.TeamMember.MANAGER_ROLES).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from grids.models import GridUnit, Post, User
from issues.models import Department, HandlerKind, Issue, IssueTask
from volunteers.models import TeamMember

_REFS_CACHE = "_handler_refs_cache"


@dataclass(frozen=True)
class Handler:
    """A routing decision: the kind and the reference it fills (field name -> id)."""

    kind: str
    refs: dict[str, int] = field(default_factory=dict)
    label: str = ""

    @classmethod
    def leader(cls, user: User) -> Handler:
        return cls(HandlerKind.GRID_LEADER, {"handler_user": user.pk}, user.display_name)

    @classmethod
    def office(cls, unit: GridUnit) -> Handler:
        return cls(HandlerKind.OFFICE, {"handler_unit": unit.pk}, unit.name)

    @classmethod
    def department(cls, department: Department) -> Handler:
        return cls(HandlerKind.DEPARTMENT, {"handler_department": department.pk}, department.name)

    @classmethod
    def team(cls, team) -> Handler:
        """A volunteer team (volunteers.Team): its leader and deputies handle the issue."""
        return cls(HandlerKind.VOLUNTEER_TEAM, {"handler_team": team.pk}, team.name)

    def assign_to(self, target: Issue | IssueTask) -> list[str]:
        """Set the kind and references on an issue or task; returns the changed field names."""
        target.handler_kind = self.kind
        changed = ["handler_kind"]
        for name in Issue.HANDLER_FIELDS:
            setattr(target, f"{name}_id", self.refs.get(name))
            changed.append(name)
        return changed

    @property
    def token(self) -> str:
        """A form value for this handler: "office:12", "department:3", "grid_leader:45"."""
        ((_name, pk),) = self.refs.items()
        return f"{self.kind}:{pk}"


@dataclass(frozen=True)
class HandlerRefs:
    """What a person can handle through: their staff offices, their departments, the teams they lead."""

    user_id: int
    staff_unit_ids: frozenset[int]
    department_ids: frozenset[int]
    team_ids: frozenset[int] = frozenset()


def handler_refs(user: User) -> HandlerRefs:
    """Three small queries, cached on the user object for the request."""
    cached = getattr(user, _REFS_CACHE, None)
    if cached is not None:
        return cached
    refs = HandlerRefs(
        user_id=user.pk,
        staff_unit_ids=frozenset(
            Post.objects.filter(user_id=user.pk, role__in=Post.STAFF_ROLES).values_list("unit_id", flat=True)
        ),
        department_ids=frozenset(
            Department.members.through.objects.filter(user_id=user.pk).values_list("department_id", flat=True)
        ),
        team_ids=frozenset(_led_teams(user).values_list("team_id", flat=True)),
    )
    setattr(user, _REFS_CACHE, refs)
    return refs


def _staff_units(user: User):
    return Post.objects.filter(user_id=user.pk, role__in=Post.STAFF_ROLES).values("unit_id")


def _departments(user: User):
    return Department.members.through.objects.filter(user_id=user.pk).values("department_id")


def _led_teams(user: User):
    """Volunteer teams the user leads now (leader or deputy): they handle what is routed to the team."""
    return TeamMember.objects.filter(
        volunteer__user_id=user.pk, role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True
    ).values("team_id")


def task_handled_by_q(user: User, *, prefix: str = "") -> Q:
    """Sub-tasks the user handles (as a Q on IssueTask, or on a relation to it via `prefix`)."""
    return (
        Q(**{f"{prefix}handler_user_id": user.pk})
        | Q(**{f"{prefix}handler_unit_id__in": _staff_units(user)})
        | Q(**{f"{prefix}handler_department_id__in": _departments(user)})
        | Q(**{f"{prefix}handler_team_id__in": _led_teams(user)})
    )


def handled_by_q(user: User) -> Q:
    """Issues the user handles: named handler, assignee, staff of the office, member of the department,
    leader or deputy of the team."""
    return (
        Q(handler_user_id=user.pk)
        | Q(assignee_id=user.pk)
        | Q(handler_unit_id__in=_staff_units(user))
        | Q(handler_department_id__in=_departments(user))
        | Q(handler_team_id__in=_led_teams(user))
    )


def handles_a_task_of(user: User) -> Exists:
    """True for issues with a sub-task the user handles (an expression to annotate or filter with)."""
    return Exists(IssueTask.objects.filter(task_handled_by_q(user), issue_id=OuterRef("pk")))


def _matches(refs: HandlerRefs, target: Any) -> bool:
    kind = target.handler_kind
    if kind == HandlerKind.GRID_LEADER:
        return target.handler_user_id == refs.user_id
    if kind == HandlerKind.OFFICE:
        return target.handler_unit_id in refs.staff_unit_ids
    if kind == HandlerKind.DEPARTMENT:
        return target.handler_department_id in refs.department_ids
    if kind == HandlerKind.VOLUNTEER_TEAM:
        return target.handler_team_id in refs.team_ids
    return False


def is_task_handler(user: User, task: IssueTask) -> bool:
    if not user.is_authenticated:
        return False
    return _matches(handler_refs(user), task)


def is_issue_handler(user: User, issue: Issue) -> bool:
    """The user handles the issue itself (not merely one of its sub-tasks)."""
    if not user.is_authenticated:
        return False
    if issue.assignee_id == user.pk:
        return True
    return _matches(handler_refs(user), issue)


def handles_any_part(user: User, issue: Issue) -> bool:
    """Handles the issue or one of its sub-tasks. Uses the `viewer_task_handler` annotation when present."""
    if is_issue_handler(user, issue):
        return True
    if not user.is_authenticated:
        return False
    annotated = getattr(issue, "viewer_task_handler", None)
    if annotated is not None and getattr(issue, "annotated_for", None) == user.pk:
        return bool(annotated)
    return IssueTask.objects.filter(task_handled_by_q(user), issue_id=issue.pk).exists()


def recipients_for(targets: Iterable[Any]) -> dict[int, set[int]]:
    """For each issue or task (by pk): the user ids a notification about it goes to.

    The assignee if there is one, else the named leader, every staff member
    of the office, every member of the department, or the team's leader and
    deputies. Three queries at most.
    """
    targets = list(targets)
    unit_ids = {t.handler_unit_id for t in targets if t.handler_kind == HandlerKind.OFFICE}
    department_ids = {t.handler_department_id for t in targets if t.handler_kind == HandlerKind.DEPARTMENT}
    team_ids = {t.handler_team_id for t in targets if t.handler_kind == HandlerKind.VOLUNTEER_TEAM}
    staff: dict[int, set[int]] = {}
    if unit_ids:
        for unit_id, user_id in Post.objects.filter(unit_id__in=unit_ids, role__in=Post.STAFF_ROLES).values_list(
            "unit_id", "user_id"
        ):
            staff.setdefault(unit_id, set()).add(user_id)
    members: dict[int, set[int]] = {}
    if department_ids:
        for department_id, user_id in Department.members.through.objects.filter(
            department_id__in=department_ids
        ).values_list("department_id", "user_id"):
            members.setdefault(department_id, set()).add(user_id)
    leaders: dict[int, set[int]] = {}
    if team_ids:
        for team_id, user_id in TeamMember.objects.filter(
            team_id__in=team_ids,
            role__in=TeamMember.MANAGER_ROLES,
            left_on__isnull=True,
            volunteer__user__isnull=False,
        ).values_list("team_id", "volunteer__user_id"):
            leaders.setdefault(team_id, set()).add(user_id)
    result: dict[int, set[int]] = {}
    for target in targets:
        assignee_id = getattr(target, "assignee_id", None)
        if assignee_id:
            result[target.pk] = {assignee_id}
        elif target.handler_kind == HandlerKind.GRID_LEADER:
            result[target.pk] = {target.handler_user_id}
        elif target.handler_kind == HandlerKind.OFFICE:
            result[target.pk] = set(staff.get(target.handler_unit_id, ()))
        elif target.handler_kind == HandlerKind.DEPARTMENT:
            result[target.pk] = set(members.get(target.handler_department_id, ()))
        elif target.handler_kind == HandlerKind.VOLUNTEER_TEAM:
            result[target.pk] = set(leaders.get(target.handler_team_id, ()))
        else:
            result[target.pk] = set()
    return result


def staff_at(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """Staff user ids per unit (exactly at the unit): who an office is."""
    result: dict[int, set[int]] = {}
    for unit_id, user_id in Post.objects.filter(unit_id__in=list(unit_ids), role__in=Post.STAFF_ROLES).values_list(
        "unit_id", "user_id"
    ):
        result.setdefault(unit_id, set()).add(user_id)
    return result


def can_assign_to(assignee: User, issue: Issue) -> bool:
    """The person an office or department hands an issue to belongs to it (or is the named leader)."""
    refs = handler_refs(assignee)
    if issue.handler_kind == HandlerKind.GRID_LEADER:
        return issue.handler_user_id == assignee.pk or _is_grid_post_over(assignee, issue.unit)
    return _matches(refs, issue)


def _is_grid_post_over(user: User, unit: GridUnit) -> bool:
    from grids.models import ancestor_paths

    return Post.objects.filter(
        user_id=user.pk,
        role__in=[Post.Role.GRID_WORKER, Post.Role.GRID_LEADER],
        unit__path__in=[*ancestor_paths(unit.path), unit.path],
    ).exists()


def can_record_feedback(user: User, issue: Issue) -> bool:
    """The reporter, or a grid worker or leader of the issue's micro-grid, brings back the resident's word."""
    if user.is_superuser or issue.reporter_id == user.pk:
        return True
    return _is_grid_post_over(user, issue.unit)
