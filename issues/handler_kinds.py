"""Who an issue (or a sub-task) goes to: the registry of handler kinds.

A handler is a kind plus one reference: the kind names the `handler_*` field it
fills (a user, an office unit, a department, a volunteer team...). Everything
the rest of the app asks about handlers goes through the kind's entry here, so
adding a kind is one `register()` call (plus its model field, listed in
`Issue.HANDLER_FIELDS` and `HandlerKind`):

- `handled_ids(viewer)`: the references this viewer handles through (read from
  the Viewer's facets: no query), for the predicate "does this viewer handle a
  target of this kind"; `handled_rows(user_id)`, the same references as a
  subquery, for the Q "targets this viewer handles" (a list then needs no read
  of the standing: a superuser's lists cost no query for it);
- `recipients(ids)`: per reference, the user ids a notification goes to (one
  query for any number of references);
- `route(rule, issue)`: the handler a routing rule of this kind names for an
  issue, or None to fall back to the community office (with `fallback_note`);
- how it reads (`name_of`, `describe`), who its people are (`members`),
  who may take an issue it handles (`assignees_q`, `can_take`), who supervises
  it (`supervisor_paths`) and what it offers when an issue is split into
  sub-tasks (`task_choices`).

The kinds of the grid itself (grid leader, office, department) are registered
at the bottom of this module; apps that plug into issues register theirs in
their AppConfig.ready() (volunteers: the volunteer team).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import PATH_STEP, GridUnit, Post, User, ancestor_paths
from guilin_portal.registry import Registry
from issues.models import Department, HandlerKind, Issue

if TYPE_CHECKING:
    from grids.viewer import Viewer
    from issues.models import IssueTask, RoutingRule

    Target = Issue | IssueTask


T = TypeVar("T")


# ---------------------------------------------------------------------------
# The decisions themselves, pure (no query): the kinds below load their data and call these,
# and the demo seed calls them on the city it preloaded.
# ---------------------------------------------------------------------------
def community_path(path: str) -> str:
    """The path of the community a unit lies in (the unit's own path when it is one or above it)."""
    return path[: GridUnit.Level.COMMUNITY * PATH_STEP]


def office_path(path: str, level: int) -> str | None:
    """The path of the office at `level` over a unit (the unit itself at that level); None above it."""
    return path[: level * PATH_STEP] if len(path) >= level * PATH_STEP else None


def nearest_holder(holders: Mapping[str, T], path: str) -> T | None:
    """Who holds a post on the unit or its nearest enclosing unit, from holders keyed by unit path."""
    for candidate in (path, *reversed(ancestor_paths(path))):
        if candidate in holders:
            return holders[candidate]
    return None


def grid_supervisor_path(kind: str, *, issue_path: str = "", handler_path: str | None = None) -> str | None:
    """The path of the unit one level above a grid handler (None above the city).

    An office is supervised by the unit above it, a department by the district (or city) it serves
    (`handler_path`: the office's or the department's unit path), anything else by the community of
    `issue_path`.
    """
    if kind == HandlerKind.OFFICE:
        return (handler_path or "")[:-PATH_STEP] or None
    if kind == HandlerKind.DEPARTMENT:
        return handler_path
    return community_path(issue_path)


# ---------------------------------------------------------------------------
# A routing decision
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Handler:
    """A handler for an issue or a sub-task: the kind and the reference it fills (field name -> id)."""

    kind: str
    refs: dict[str, int] = field(default_factory=dict)
    label: str = ""

    @classmethod
    def to(cls, kind_name: str, row: Any) -> Handler:
        """The handler of this kind for a row (a user, a unit, a department, a team...)."""
        entry = get(kind_name)
        return cls(kind_name, {entry.field: row.pk}, entry.name_of(row))

    @classmethod
    def leader(cls, user: User) -> Handler:
        return cls.to(HandlerKind.GRID_LEADER, user)

    @classmethod
    def office(cls, unit: GridUnit) -> Handler:
        return cls.to(HandlerKind.OFFICE, unit)

    @classmethod
    def department(cls, department: Department) -> Handler:
        return cls.to(HandlerKind.DEPARTMENT, department)

    @classmethod
    def team(cls, team) -> Handler:
        """A volunteer team (volunteers.Team): its leaders and deputies handle the issue."""
        return cls.to(HandlerKind.VOLUNTEER_TEAM, team)

    def assign_to(self, target: Target) -> list[str]:
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

    @property
    def display(self) -> str:
        """How the handler reads on a page or in the timeline ("解东社区办公室", "网格长 张三")."""
        entry = find(self.kind)
        return entry.describe(self.label) if entry is not None else self.label


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------
def _no_recipients(ids: set[int]) -> dict[int, set[int]]:
    return {}


def _same_text(label: str) -> str:
    return label


def _community_paths(issues: list[Issue]) -> dict[int, str | None]:
    return {issue.pk: community_path(issue.unit.path) for issue in issues}


@dataclass(frozen=True)
class HandlerKindEntry:
    """One kind of handler. Only `name`, `field` and `handled_ids` are required."""

    name: str
    # The `handler_*` reference this kind fills (one of Issue.HANDLER_FIELDS).
    field: str
    # The references the viewer handles through (from the Viewer's facets: no query).
    handled_ids: Callable[[Viewer], Collection[int]]
    # The same as a subquery of the user's rows (values of one column), for list filters; default: the ids.
    handled_rows: Callable[[int], QuerySet] | None = None
    # Per reference: the user ids notifications about a target of this kind go to. One query.
    recipients: Callable[[set[int]], dict[int, set[int]]] = _no_recipients
    # Routing: the handler a rule of this kind names for the issue, or None to fall back.
    route: Callable[[RoutingRule, Issue], Handler | None] | None = None
    fallback_note: Any = ""  # why routing fell back to the community office
    fallback_counts_as_no_rule: bool = False  # the fallback is flagged like an issue with no rule
    # How a reference reads: its own name, and as a handler.
    name_of: Callable[[Any], str] = attrgetter("name")
    describe: Callable[[str], str] = _same_text
    # The people behind references (their user ids, a values() query): colleagues in the inbox, assignees
    # by default.
    members: Callable[[Collection[int] | QuerySet], QuerySet] | None = None
    # Who an issue of this kind may be handed to (a Q on User); default: the members of its reference.
    assignees_q: Callable[[Issue], Q] | None = None
    # May this person (their Viewer) be made the assignee? Default: they handle it.
    can_take: Callable[[Viewer, Issue], bool] | None = None
    # The tree path of the unit above the handler, per issue pk (one query); default: the community.
    supervisor_paths: Callable[[list[Issue]], dict[int, str | None]] = _community_paths
    # Handlers of this kind a decomposed issue's sub-tasks may go to (one query).
    task_choices: Callable[[Issue], list[Handler]] | None = None


def _check_field(entry: HandlerKindEntry) -> None:
    if entry.field not in Issue.HANDLER_FIELDS:
        raise ValueError(f"{entry.field!r} is not one of Issue.HANDLER_FIELDS; add the model field first.")


# Kinds register here (from this module or an AppConfig.ready()).
_KINDS: Registry[HandlerKindEntry] = Registry("handler kind", check=_check_field)
register = _KINDS.register
unregister = _KINDS.unregister
temporarily_registered = _KINDS.temporarily_registered
find = _KINDS.find
get = _KINDS.get


def kinds() -> tuple[HandlerKindEntry, ...]:
    """Every registered kind, in the order they were registered."""
    return _KINDS.entries()


def ref_of(target: Target, entry: HandlerKindEntry) -> int | None:
    return getattr(target, f"{entry.field}_id", None)


# ---------------------------------------------------------------------------
# Who handles what: answers built from every kind
# ---------------------------------------------------------------------------
def handles(viewer: Viewer, target: Target) -> bool:
    """The viewer handles the target through its kind (not as its assignee). No query."""
    entry = _KINDS.find(target.handler_kind)
    if entry is None or not viewer.is_person:
        return False
    return ref_of(target, entry) in entry.handled_ids(viewer)


def _handled_refs(entry: HandlerKindEntry, viewer: Viewer) -> QuerySet | list[int]:
    """The references the viewer handles through this kind: a subquery when the kind has one, else the ids."""
    if entry.handled_rows is not None:
        return entry.handled_rows(viewer.user_id)
    return sorted(entry.handled_ids(viewer))


def handled_q(viewer: Viewer, *, prefix: str = "") -> Q:
    """Targets (issues or sub-tasks; via a relation with `prefix`) the viewer handles through their kind.

    A reference field shared by several kinds is matched together with the kind.
    """
    if not viewer.is_person:
        return Q(pk__in=[])
    fields = [entry.field for entry in _KINDS.entries()]
    q = Q()
    matched = False
    for entry in _KINDS.entries():
        refs = _handled_refs(entry, viewer)
        if isinstance(refs, list) and not refs:
            continue
        clause = Q(**{f"{prefix}{entry.field}_id__in": refs})
        if fields.count(entry.field) > 1:
            clause &= Q(**{f"{prefix}handler_kind": entry.name})
        q |= clause
        matched = True
    return q if matched else Q(pk__in=[])


def recipients_for(targets: Iterable[Target]) -> dict[int, set[int]]:
    """For each issue or task (by pk): the user ids a notification about it goes to.

    The assignee if there is one, else the people behind the handler's reference
    (the named leader, the office's staff, the department's members, the team's
    leaders...). One query per kind present at most.
    """
    targets = list(targets)
    wanted: dict[str, set[int]] = {}
    for target in targets:
        entry = _KINDS.find(target.handler_kind)
        if entry is not None and not getattr(target, "assignee_id", None) and ref_of(target, entry) is not None:
            wanted.setdefault(entry.name, set()).add(ref_of(target, entry))
    people = {name: _KINDS.get(name).recipients(ids) for name, ids in wanted.items()}
    result: dict[int, set[int]] = {}
    for target in targets:
        assignee_id = getattr(target, "assignee_id", None)
        if assignee_id:
            result[target.pk] = {assignee_id}
            continue
        found = people.get(target.handler_kind, {})
        entry = _KINDS.find(target.handler_kind)
        result[target.pk] = set(found.get(ref_of(target, entry), ())) if entry is not None else set()
    return result


def describe(target: Target) -> str:
    """How the target's handler reads ("解东社区办公室"); the reference row must be loaded or loadable."""
    entry = _KINDS.find(target.handler_kind)
    if entry is None or ref_of(target, entry) is None:
        return ""
    return entry.describe(entry.name_of(getattr(target, entry.field)))


def members_q(viewer: Viewer) -> Q | None:
    """The people who share a reference (an office, a department, a team...) with the viewer; None: nobody."""
    if not viewer.is_person:
        return None
    kinds = []
    for entry in _KINDS.entries():
        if entry.members is None:
            continue
        refs = _handled_refs(entry, viewer)
        if isinstance(refs, list) and not refs:
            continue
        kinds.append(entry.members(refs).order_by())
    if not kinds:
        return None
    # One set of user ids: an OR of a subquery per kind made PostgreSQL walk every user of the city
    # (96 ms at --scale 10 for an inbox's three colleagues).
    return Q(pk__in=kinds[0].union(*kinds[1:], all=True))


def assignees_q(issue: Issue) -> Q | None:
    """Who an issue's handler may hand it to (a Q on User), or None when nobody."""
    entry = _KINDS.find(issue.handler_kind)
    if entry is None or ref_of(issue, entry) is None:
        return None
    if entry.assignees_q is not None:
        return entry.assignees_q(issue)
    if entry.members is not None:
        return Q(pk__in=entry.members([ref_of(issue, entry)]))
    return None


def can_take(viewer: Viewer, issue: Issue) -> bool:
    """This person may be made the issue's assignee: they belong to its handler. No query."""
    entry = _KINDS.find(issue.handler_kind)
    if entry is None:
        return False
    if entry.can_take is not None:
        return entry.can_take(viewer, issue)
    return handles(viewer, issue)


def supervisor_paths(issues: Iterable[Issue]) -> dict[int, str | None]:
    """Per issue pk: the tree path of the unit one level above its handler (None above the city).

    One query per kind present at most; a kind with no rule of its own is supervised by the community.
    """
    by_kind: dict[str, list[Issue]] = {}
    for issue in issues:
        by_kind.setdefault(issue.handler_kind, []).append(issue)
    result: dict[int, str | None] = {}
    for name, group in by_kind.items():
        entry = _KINDS.find(name)
        result.update((entry.supervisor_paths if entry is not None else _community_paths)(group))
    return result


def resolve(rule: RoutingRule | None, issue: Issue) -> tuple[Handler, str, bool]:
    """The handler a rule names for this issue, a note when it had to fall back, and whether that
    counts as "no rule" (someone must set up a rule, or a team...). Without a handler the issue goes
    to its community office: nothing is ever left unrouted."""
    if rule is None:
        note, no_rule = _("没有匹配的分派规则，转社区办公室。"), True
    else:
        entry = _KINDS.find(rule.handler_kind)
        if entry is None or entry.route is None:  # a kind this code does not know: never lose the issue
            note, no_rule = _("未知的承办方类型，转社区办公室。"), False
        else:
            handler = entry.route(rule, issue)
            if handler is not None:
                return handler, "", False
            note, no_rule = str(entry.fallback_note), entry.fallback_counts_as_no_rule
    return Handler.office(unit_at_level(issue.unit, GridUnit.Level.COMMUNITY)), note, no_rule


def task_choices(issue: Issue) -> list[tuple[Handler, str]]:
    """Who a decomposed issue's sub-tasks may go to, with their labels: one query per kind that offers any."""
    choices: list[tuple[Handler, str]] = []
    for entry in _KINDS.entries():
        if entry.task_choices is not None:
            choices.extend((handler, handler.display) for handler in entry.task_choices(issue))
    return choices


# ---------------------------------------------------------------------------
# The kinds of the grid: grid leader, office, department
# ---------------------------------------------------------------------------
GRID_ROLES = (Post.Role.GRID_WORKER, Post.Role.GRID_LEADER)


def unit_at_level(unit: GridUnit, level: int) -> GridUnit | None:
    """The unit's ancestor (or itself) at `level`, one query."""
    path = office_path(unit.path, level)
    if path is None:
        return None
    if path == unit.path:
        return unit
    return GridUnit.objects.filter(path=path).first()


def grid_leader_for(unit: GridUnit) -> User | None:
    """The grid leader of the unit's micro-grid: a leader post on the unit or its nearest enclosing unit
    (`nearest_holder`; the lowest user id among several on one unit). One query."""
    posts = (
        Post.objects.filter(
            role=Post.Role.GRID_LEADER,
            unit__path__in=[*ancestor_paths(unit.path), unit.path],
            user__is_active=True,
        )
        .select_related("user")
        .annotate(unit_path=F("unit__path"))
        .order_by("user_id")
    )
    leaders: dict[str, User] = {}
    for post in posts:
        leaders.setdefault(post.unit_path, post.user)
    return nearest_holder(leaders, unit.path)


def staff_at(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """Staff user ids per unit (exactly at the unit): who an office is. One query."""
    result: dict[int, set[int]] = {}
    for unit_id, user_id in Post.objects.filter(unit_id__in=list(unit_ids), role__in=Post.STAFF_ROLES).values_list(
        "unit_id", "user_id"
    ):
        result.setdefault(unit_id, set()).add(user_id)
    return result


def _leader_route(rule: RoutingRule, issue: Issue) -> Handler | None:
    leader = grid_leader_for(issue.unit)
    return Handler.leader(leader) if leader is not None else None


def _leader_task_choices(issue: Issue) -> list[Handler]:
    leader = grid_leader_for(issue.unit)
    return [Handler.leader(leader)] if leader is not None else []


def _leader_assignees(issue: Issue) -> Q:
    """The named leader, or a grid worker or leader of the issue's micro-grid."""
    return Q(pk=issue.handler_user_id) | Q(
        posts__role__in=GRID_ROLES,
        posts__unit__path__in=[*ancestor_paths(issue.unit.path), issue.unit.path],
        posts__ended_on__isnull=True,  # a join does not go through Post.objects: retired posts count for nothing
    )


def _leader_can_take(viewer: Viewer, issue: Issue) -> bool:
    return issue.handler_user_id == viewer.user_id or viewer.holds_over(GRID_ROLES, issue.unit.path)


register(
    HandlerKindEntry(
        name=HandlerKind.GRID_LEADER,
        field="handler_user",
        handled_ids=lambda viewer: (viewer.user_id,) if viewer.user_id else (),
        recipients=lambda ids: {user_id: {user_id} for user_id in ids},
        route=_leader_route,
        fallback_note=gettext_lazy("本网格暂无网格长，转社区办公室。"),
        name_of=attrgetter("display_name"),
        describe=lambda label: f"{_('网格长')} {label}",
        assignees_q=_leader_assignees,
        can_take=_leader_can_take,
        task_choices=_leader_task_choices,
    )
)


def _office_route(rule: RoutingRule, issue: Issue) -> Handler | None:
    office = unit_at_level(issue.unit, rule.office_level)
    return Handler.office(office) if office is not None else None


def _office_supervisors(issues: list[Issue]) -> dict[int, str | None]:
    """The unit above the office."""
    paths = dict(GridUnit.objects.filter(pk__in={i.handler_unit_id for i in issues}).values_list("pk", "path"))
    return {
        issue.pk: grid_supervisor_path(HandlerKind.OFFICE, handler_path=paths.get(issue.handler_unit_id))
        for issue in issues
    }


def _office_task_choices(issue: Issue) -> list[Handler]:
    """The community, street and district offices above the issue, nearest first."""
    offices = GridUnit.objects.filter(
        path__in=ancestor_paths(issue.unit.path),
        level__in=[GridUnit.Level.COMMUNITY, GridUnit.Level.STREET, GridUnit.Level.DISTRICT],
    ).order_by("-level")
    return [Handler.office(office) for office in offices]


register(
    HandlerKindEntry(
        name=HandlerKind.OFFICE,
        field="handler_unit",
        handled_ids=lambda viewer: viewer.staff_unit_ids,
        handled_rows=lambda user_id: Post.objects.filter(user_id=user_id, role__in=Post.STAFF_ROLES).values("unit_id"),
        recipients=staff_at,
        route=_office_route,
        fallback_note=gettext_lazy("找不到规则指定层级的办公室，转社区办公室。"),
        describe=lambda label: f"{label}{_('办公室')}",
        members=lambda ids: Post.objects.filter(
            unit_id__in=ids, role__in=Post.STAFF_ROLES, ended_on__isnull=True
        ).values("user_id"),
        supervisor_paths=_office_supervisors,
        task_choices=_office_task_choices,
    )
)


def department_rows(user_id: int) -> QuerySet:
    """The user's department memberships (also the Viewer's `departments` facet)."""
    return Department.members.through.objects.filter(user_id=user_id)


def _department_members(ids: set[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for department_id, user_id in Department.members.through.objects.filter(department_id__in=ids).values_list(
        "department_id", "user_id"
    ):
        result.setdefault(department_id, set()).add(user_id)
    return result


def _department_route(rule: RoutingRule, issue: Issue) -> Handler | None:
    return Handler.department(rule.department) if rule.department.is_active else None


def _department_supervisors(issues: list[Issue]) -> dict[int, str | None]:
    """The district (or city) the department serves."""
    paths = dict(
        Department.objects.filter(pk__in={i.handler_department_id for i in issues}).values_list("pk", "unit__path")
    )
    return {
        issue.pk: grid_supervisor_path(HandlerKind.DEPARTMENT, handler_path=paths.get(issue.handler_department_id))
        for issue in issues
    }


def _department_task_choices(issue: Issue) -> list[Handler]:
    """The active departments serving the issue's unit (its district, or the whole city)."""
    departments = Department.objects.filter(is_active=True, unit__path__in=ancestor_paths(issue.unit.path))
    return [Handler.department(department) for department in departments.order_by("code")]


register(
    HandlerKindEntry(
        name=HandlerKind.DEPARTMENT,
        field="handler_department",
        handled_ids=lambda viewer: viewer.departments,
        handled_rows=lambda user_id: department_rows(user_id).values("department_id"),
        recipients=_department_members,
        route=_department_route,
        fallback_note=gettext_lazy("规则指定的部门已停用，转社区办公室。"),
        members=lambda ids: Department.members.through.objects.filter(department_id__in=ids).values("user_id"),
        supervisor_paths=_department_supervisors,
        task_choices=_department_task_choices,
    )
)
