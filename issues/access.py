"""Who may see and do what with resident issues: pure predicates over a Viewer.

Pages, the API and the services all ask here, so a page shows exactly the
buttons the API accepts and the service allows:

- where an issue may be logged: `can_log_at` (a micro-grid in the jurisdiction);
- who sees an issue: `issue_visible_q(viewer)` (jurisdiction over its unit, or
  handling it or one of its sub-tasks, or having reported it);
- who handles it: `handles_issue` (its handler's people, through the handler
  kinds of `issues.handler_kinds`, or its assignee), `handles_task`,
  `handles_any_part`; `can_handle_issue` adds the superuser and the system;
- who sees the resident's phone and name in full: `can_see_resident_contact`
  (the reporter and the handlers); everyone else reads them masked
  (`resident_phone_for`, `resident_name_for`), in pages, the API and exports;
- who records the resident's feedback (the reporter, or a return visit by anyone but
  its handlers), adds photos, supervises a unit and decides its extension
  requests, who supervises one issue (urge, reassign, lift a level), who an
  issue may be assigned to;
- what the viewer may do now: `issue_allowed_actions` (the transitions of
  `issues.transitions` whose status and rule fit), `task_allowed_actions`,
  `extension_allowed_actions`.

Every predicate reads the Viewer's standing (read once per request) and the
object's own fields: no query, except `handles_any_part` on an issue read
without its `viewer_task_handler` annotation (one EXISTS) and `photo_count` on
an issue read without its photos (one COUNT), both documented there.
"Not you" is a PermissionDenied (403), "not now" (the issue's state) a
ValidationError naming `status` (400): `require_issue_action` and its siblings.
A User is accepted wherever a Viewer is (turned into the Viewer of the request
in hand by `grids.viewer.viewer_of`), for callers not yet passing the Viewer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from grids.geography import Precision, shown_point
from grids.jurisdiction import unit_in_jurisdiction
from grids.models import GridUnit, Post
from grids.viewer import Viewer, viewer_of
from guilin_portal.privacy import mask_name, mask_phone, redact
from issues import handler_kinds
from issues.models import DeadlineExtension, Issue, IssueTask

S = Issue.Status
GRID_ROLES = (Post.Role.GRID_WORKER, Post.Role.GRID_LEADER)

# The actions of a sub-task and of an extension request (an issue's are its transitions).
TASK_ACTIONS = ("complete",)
EXTENSION_ACTIONS = ("decide",)


# ---------------------------------------------------------------------------
# Logging issues
# ---------------------------------------------------------------------------
def can_log_at(viewer: Viewer | Any, unit: GridUnit) -> bool:
    """Issues are logged in a micro-grid (片区, 小区 or 责任区) of the viewer's jurisdiction."""
    return unit.is_micro_grid and viewer_of(viewer).sees_path(unit.path)


# ---------------------------------------------------------------------------
# Seeing issues
# ---------------------------------------------------------------------------
def issue_visible_q(viewer: Viewer | Any) -> Q:
    """The issues a viewer may read: jurisdiction over the unit, or handling it or a sub-task, or reporting it."""
    viewer = viewer_of(viewer)
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    if viewer.jurisdiction is None:
        return Q()
    # Not a join to the units: joined to every unit under the OR below, PostgreSQL read the whole issue
    # table for a first page; as an EXISTS the newest-first index stops at 50 rows (a page checks it row by
    # row, issues.pagination; a count hashes the jurisdiction's units).
    q = Q(unit_in_jurisdiction(viewer))
    if viewer.is_person:
        q |= (
            Q(reporter_id=viewer.user_id) | issue_handled_q(viewer) | Q(pk__in=tasks_handled(viewer).values("issue_id"))
        )
    return q


def issue_handled_q(viewer: Viewer | Any) -> Q:
    """Issues the viewer handles: through their handler's kind (named leader, office staff, department
    member, team leader...) or as the assignee."""
    viewer = viewer_of(viewer)
    if not viewer.is_person:
        return Q(pk__in=[])
    return handler_kinds.handled_q(viewer) | Q(assignee_id=viewer.user_id)


def task_handled_q(viewer: Viewer | Any, *, prefix: str = "") -> Q:
    """Sub-tasks the viewer handles (a Q on IssueTask, or on a relation to it via `prefix`)."""
    return handler_kinds.handled_q(viewer_of(viewer), prefix=prefix)


def tasks_handled(viewer: Viewer | Any):
    """The sub-tasks the viewer handles (a queryset, to filter or nest)."""
    return IssueTask.objects.filter(task_handled_q(viewer))


def handles_a_task_of(viewer: Viewer | Any) -> Exists:
    """True for issues with a sub-task the viewer handles (an expression to annotate or filter with)."""
    return Exists(tasks_handled(viewer).filter(issue_id=OuterRef("pk")))


# ---------------------------------------------------------------------------
# Handling
# ---------------------------------------------------------------------------
def handles_issue(viewer: Viewer | Any, issue: Issue) -> bool:
    """The viewer handles the issue itself (not merely one of its sub-tasks): its assignee or its handler's."""
    viewer = viewer_of(viewer)
    if not viewer.is_person:
        return False
    return issue.assignee_id == viewer.user_id or handler_kinds.handles(viewer, issue)


def handles_task(viewer: Viewer | Any, task: IssueTask) -> bool:
    return handler_kinds.handles(viewer_of(viewer), task)


def handles_any_part(viewer: Viewer | Any, issue: Issue) -> bool:
    """Handles the issue or one of its sub-tasks.

    Reads the `viewer_task_handler` annotation the issue selectors add; an issue
    read some other way costs one EXISTS query (unavoidable: its sub-tasks are
    other rows).
    """
    viewer = viewer_of(viewer)
    if handles_issue(viewer, issue):
        return True
    if not viewer.is_person:
        return False
    annotated = getattr(issue, "viewer_task_handler", None)
    if annotated is not None and getattr(issue, "annotated_for", None) == viewer.user_id:
        return bool(annotated)
    return tasks_handled(viewer).filter(issue_id=issue.pk).exists()


def can_handle_issue(viewer: Viewer | Any, issue: Issue) -> bool:
    """May act as the issue's handler: accept, progress, resolve, suspend, escalate... (or a superuser)."""
    viewer = viewer_of(viewer)
    return viewer.sees_everything or handles_issue(viewer, issue)


def can_complete_task(viewer: Viewer | Any, task: IssueTask, issue: Issue) -> bool:
    """The sub-task's handler, or the handler of its issue."""
    viewer = viewer_of(viewer)
    return viewer.sees_everything or handles_task(viewer, task) or handles_issue(viewer, issue)


def can_assign_to(assignee: Viewer | Any, issue: Issue) -> bool:
    """The person an issue is handed to belongs to its handler (an office's staff, a department's members,
    the grid's workers and leaders for a grid leader's issue...)."""
    return handler_kinds.can_take(viewer_of(assignee), issue)


# ---------------------------------------------------------------------------
# The resident's contact
# ---------------------------------------------------------------------------
def can_see_resident_contact(viewer: Viewer | Any, issue: Issue) -> bool:
    """The one rule: the reporter and the handlers (of the issue or a sub-task) see the resident's contact."""
    viewer = viewer_of(viewer)
    if not viewer.is_person:
        return False
    return issue.reporter_id == viewer.user_id or handles_any_part(viewer, issue)


class ResidentDetails:
    """An issue's personal details as one viewer may read them, the contact rule asked once for all of
    them (a list row shows seven: the name, phone, point and three free texts)."""

    __slots__ = ("_shown", "issue", "viewer")

    def __init__(self, viewer: Viewer | Any, issue: Issue):
        self.viewer = viewer
        self.issue = issue
        self._shown = None

    @property
    def shown(self) -> bool:
        # Asked when a detail is there to show: the rule may read the issue's sub-tasks.
        if self._shown is None:
            self._shown = can_see_resident_contact(self.viewer, self.issue)
        return self._shown

    def phone(self) -> str:
        """In full, or masked (138****5678)."""
        phone = self.issue.resident_phone
        return phone if not phone or self.shown else mask_phone(phone)

    def name(self) -> str:
        """In full for handlers and the reporter, else the surname only (张**)."""
        name = self.issue.resident_name
        return name if not name or self.shown else mask_name(name)

    def precision(self) -> Precision:
        """A point can identify a household: exact for those who see the contact, about 100 m for everyone
        else (grids/geography/precision.py)."""
        return Precision.EXACT if self.shown else Precision.ROUNDED

    def point(self) -> tuple[float | None, float | None]:
        """(latitude, longitude) in WGS-84; (None, None) when the issue has none."""
        issue = self.issue
        if issue.latitude is None or issue.longitude is None:
            return None, None
        return shown_point(issue.latitude, issue.longitude, self.precision())

    def text(self, text: str) -> str:
        """Free text about the issue (description, place, resolution, a note): as written for the reporter
        and handlers, else with the resident's name and every phone (any digit form), identity-card number
        and e-mail masked by the one redaction rule (guilin_portal.privacy)."""
        if not text or self.shown:
            return text
        return redact(text, names=(self.issue.resident_name,), phones=(self.issue.resident_phone,))


def resident_phone_for(viewer: Viewer | Any, issue: Issue) -> str:
    """The resident's phone as this viewer may see it: in full, or masked (138****5678)."""
    return ResidentDetails(viewer, issue).phone()


def resident_name_for(viewer: Viewer | Any, issue: Issue) -> str:
    """The resident's name in full for handlers and the reporter, else the surname only (张**)."""
    return ResidentDetails(viewer, issue).name()


def point_precision_for(viewer: Viewer | Any, issue: Issue) -> Precision:
    """How exactly this viewer sees where the issue was logged."""
    return ResidentDetails(viewer, issue).precision()


def issue_point_for(viewer: Viewer | Any, issue: Issue) -> tuple[float | None, float | None]:
    """The issue's (latitude, longitude) in WGS-84 as this viewer may see it; (None, None) when it has none."""
    return ResidentDetails(viewer, issue).point()


def private_text_for(viewer: Viewer | Any, issue: Issue, text: str) -> str:
    """Free text about the issue as this viewer may read it (ResidentDetails.text)."""
    return ResidentDetails(viewer, issue).text(text)


# ---------------------------------------------------------------------------
# Feedback, photos, supervision
# ---------------------------------------------------------------------------
def can_record_feedback(viewer: Viewer | Any, issue: Issue) -> bool:
    """The resident's word comes back through the reporter, or through a return visit 回访 by a grid
    worker or leader of the micro-grid or staff over it; never through a handler of the issue (or of
    one of its sub-tasks): whoever resolved it does not grade their own work. The service also refuses
    the person who resolved it (a superuser acting as handler)."""
    viewer = viewer_of(viewer)
    if handles_issue(viewer, issue) or _handles_a_task_as_annotated(viewer, issue):
        return False
    if viewer.sees_everything:
        return True
    if not viewer.is_person:
        return False
    return (
        issue.reporter_id == viewer.user_id
        or viewer.holds_over(GRID_ROLES, issue.unit.path)
        or viewer.is_staff_over(issue.unit.path)
    )


def _handles_a_task_as_annotated(viewer: Viewer, issue: Issue) -> bool:
    """A sub-task handler, as far as the selectors' annotation tells (no query; without it the service's
    check of who resolved the issue still stands)."""
    if not viewer.is_person or getattr(issue, "annotated_for", None) != viewer.user_id:
        return False
    return bool(getattr(issue, "viewer_task_handler", False))


def feedback_channel(viewer: Viewer | Any, issue: Issue) -> str:
    """How the verdict came back: "reporter" (the person who logged it) or "return_visit" (回访 by others)."""
    viewer = viewer_of(viewer)
    return "reporter" if viewer.is_person and issue.reporter_id == viewer.user_id else "return_visit"


def can_add_photo(viewer: Viewer | Any, issue: Issue) -> bool:
    """The reporter or a handler."""
    viewer = viewer_of(viewer)
    return (viewer.is_person and issue.reporter_id == viewer.user_id) or can_handle_issue(viewer, issue)


def can_supervise(viewer: Viewer | Any, unit: GridUnit) -> bool:
    """Staff at the unit or above it (or a superuser): they decide its extensions and act on its supervision."""
    viewer = viewer_of(viewer)
    return viewer.sees_everything or (viewer.is_person and viewer.is_staff_over(unit.path))


def can_supervise_issue(viewer: Viewer | Any, issue: Issue) -> bool:
    """督办 on one issue (urge 催办, reassign 改派, lift one level 提级): staff at or above its unit who do
    not handle it themselves, or a superuser. The supervision list and the detail page offer exactly these."""
    viewer = viewer_of(viewer)
    if viewer.sees_everything:
        return True
    return viewer.is_person and viewer.is_staff_over(issue.unit.path) and not handles_issue(viewer, issue)


def supervised_q(viewer: Viewer | Any) -> Q:
    """Issues escalated to a unit where the viewer holds a staff post (every escalated one for a superuser)."""
    viewer = viewer_of(viewer)
    if viewer.sees_everything:
        return Q(supervision_unit__isnull=False)
    return Q(supervision_unit_id__in=sorted(viewer.staff_unit_ids))


def extensions_decidable_q(viewer: Viewer | Any) -> Q:
    """Extension requests addressed to a unit at or below a staff post of the viewer's."""
    viewer = viewer_of(viewer)
    paths = viewer.staff_paths
    if paths is None:
        return Q()
    if not viewer.is_person or not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(approver_unit__path__startswith=path)
    return q


def can_decide_extension(viewer: Viewer | Any, extension: DeadlineExtension) -> bool:
    """The level above the handler: staff at the request's approver unit or above it."""
    return can_supervise(viewer, extension.approver_unit)


def sees_routing_internals(viewer: Viewer | Any) -> bool:
    """Routing's own words ("无匹配规则", why it fell back to the community office) are for staff
    (community and above) and superusers, who set up the rules; workers, teams and residents'
    reporters read only who handles the issue."""
    viewer = viewer_of(viewer)
    return viewer.sees_everything or (viewer.is_person and bool(viewer.staff_paths))


# ---------------------------------------------------------------------------
# What the viewer may do now
# ---------------------------------------------------------------------------
def _transitions():
    """The life-cycle registry. It names the services, forms and serializers, so it is read when asked."""
    from issues import transitions

    return transitions


def issue_allowed_actions(viewer: Viewer | Any, issue: Issue) -> frozenset[str]:
    """The transitions (by name) this viewer may take on the issue now: the same set the detail page
    offers, the API accepts and the services allow."""
    viewer = viewer_of(viewer)
    return frozenset(t.name for t in _transitions().registered() if t.allows(viewer, issue))


def require_issue_action(viewer: Viewer | Any, issue: Issue, name: str) -> None:
    """A service's check before a transition: PermissionDenied when the viewer may not take it at all,
    ValidationError naming `status` when the issue's state does not allow it now."""
    transition = _transitions().get(name)
    viewer = viewer_of(viewer)
    if not transition.may(viewer, issue):
        raise PermissionDenied(str(transition.refusal))
    transition.check_state(issue)


def task_allowed_actions(viewer: Viewer | Any, task: IssueTask, issue: Issue) -> frozenset[str]:
    """`complete` while the sub-task is open and its issue decomposed, for its handler or the issue's."""
    if task.status == IssueTask.Status.OPEN and issue.status == S.DECOMPOSED and can_complete_task(viewer, task, issue):
        return frozenset(TASK_ACTIONS)
    return frozenset()


def extension_allowed_actions(viewer: Viewer | Any, extension: DeadlineExtension) -> frozenset[str]:
    """`decide` while the request is pending, for the level above the handler."""
    if extension.status == DeadlineExtension.Status.PENDING and can_decide_extension(viewer, extension):
        return frozenset(EXTENSION_ACTIONS)
    return frozenset()


def require_task_completion(viewer: Viewer | Any, task: IssueTask, issue: Issue) -> None:
    if not can_complete_task(viewer, task, issue):
        raise PermissionDenied(_("只有子任务的承办方可以完成它。"))
    if task.status == IssueTask.Status.DONE:
        raise ValidationError({"status": _("这个子任务已经完成。")})
    if issue.status != S.DECOMPOSED:
        raise ValidationError(
            {"status": _("问题当前状态为“%(status)s”，子任务不能完成。") % {"status": issue.get_status_display()}}
        )


def require_extension_decision(viewer: Viewer | Any, extension: DeadlineExtension) -> None:
    if not can_decide_extension(viewer, extension):
        raise PermissionDenied(_("只有上一级的工作人员可以审批延期。"))
    if extension.status != DeadlineExtension.Status.PENDING:
        raise ValidationError({"status": _("这份延期申请已经审批过了。")})


def photo_count(issue: Issue) -> int:
    """The issue's photos: from the prefetched list when there is one, else one COUNT query."""
    cached = getattr(issue, "_prefetched_objects_cache", {}).get("photos")
    return len(cached) if cached is not None else issue.photos.count()


def issue_status_allows(issue: Issue) -> frozenset[str]:
    """The transitions the issue's status allows, whoever asks (`issue_allowed_actions` adds who, and
    any state besides the status). No query."""
    return frozenset(t.name for t in _transitions().registered() if issue.status in t.statuses)
