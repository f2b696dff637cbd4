"""The issue life cycle's transitions, one entry each: the page actions and the API actions are built from here.

An entry says everything the portal needs to offer a transition:

- `name`: the API action (`POST /api/v1/issues/{id}/<api_path>/`) and the name in
  `issues.access.issue_allowed_actions()`; `slug` is the page's URL
  (`/issues/<id>/do/<slug>/`) and `api_path` the API's, where they differ;
- `statuses` it applies from, and `may(viewer, issue)`: who may take it (a
  predicate of `issues.access`). The service checks both
  (`access.require_issue_action`): PermissionDenied (403) when the viewer may
  not, ValidationError naming `status` (400) when the issue's state refuses;
- `form` (the detail page's panel) and `serializer` (the API's body): both yield
  the same data, which `run` hands to the entry's service;
- `label` (in messages), `title` (the page's panel and button), `done` (the
  page's message on success), `refusal` (the 403 message).

Adding a transition: write its service, then `register(Transition(...))`.
The detail page (`issues.views.issues`) and the API (`issues.api.views`) pick
it up from `registered()`; `issue_allowed_actions()` includes it as soon as
its status and rule fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers as drf

from grids.models import User
from grids.viewer import Viewer
from guilin_portal.registry import Registry
from issues import access, selectors, services
from issues import forms as f
from issues.api import serializers as s
from issues.models import Issue

S = Issue.Status
OPEN_WORK = (S.ALLOCATED, S.IN_PROGRESS, S.DECOMPOSED)


@dataclass(frozen=True)
class Call:
    """One request to take a transition: who, on which issue, with the form's or the serializer's data."""

    actor: User
    viewer: Viewer
    issue: Issue
    data: dict


def _no_inputs(issue: Issue) -> dict:
    return {}


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # "受理": how messages name it ("不能受理")
    statuses: tuple[str, ...]
    may: Callable[[Viewer, Issue], bool]
    refusal: Any  # why a viewer who may not is refused (403)
    run: Callable[[Call], Any]  # calls the service; returns what it returns
    form: type[forms.Form]
    serializer: type[drf.Serializer]
    done: Any  # the page's message on success
    title: Any = None  # the page's panel title and button (default: label)
    slug: str = ""  # the page's URL (default: name)
    api_path: str = ""  # the API's URL (default: name)
    api_doc: str = ""
    # What the API answers: None is the issue as it now is (200); else this serializer of the result.
    api_response: type[drf.Serializer] | None = None
    api_status: int = 200
    api_request: Any = None  # the schema's request body when not plain `serializer` (multipart...)
    # Arguments the form takes and the serializer reads from its context (handler choices, candidates).
    inputs: Callable[[Issue], dict] = _no_inputs
    # State the issue needs besides its status (room for one more photo...): the page and
    # allowed_actions read it; the service refuses with its own message.
    ready: Callable[[Issue], bool] | None = None
    # Why the status refuses, where there is more to say than "not now": {status: hint}.
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def page_slug(self) -> str:
        return self.slug or self.name

    @property
    def url_path(self) -> str:
        return self.api_path or self.name

    @property
    def heading(self) -> Any:
        return self.title or self.label

    def state_allows(self, issue: Issue) -> bool:
        return issue.status in self.statuses and (self.ready is None or self.ready(issue))

    def allows(self, viewer: Viewer, issue: Issue) -> bool:
        return self.state_allows(issue) and self.may(viewer, issue)

    def check_state(self, issue: Issue) -> None:
        """Refuse a transition the issue's status does not allow, saying why (ValidationError naming `status`)."""
        if issue.status in self.statuses:
            return
        if issue.status == S.COLLECTED:
            hint = _("问题还在等待分派。")
        elif issue.status in (S.CLOSED, S.REJECTED):
            hint = _("问题已经结束。")
        else:
            hint = self.hints.get(issue.status, "")
        raise ValidationError(
            {
                "status": _("问题当前状态为“%(status)s”，不能%(action)s。%(hint)s")
                % {"status": issue.get_status_display(), "action": self.label, "hint": hint}
            },
            code="invalid_transition",
        )


# Transitions register here, in the order the detail page shows them.
_REGISTRY: Registry[Transition] = Registry("transition")
register = _REGISTRY.register
unregister = _REGISTRY.unregister
temporarily_registered = _REGISTRY.temporarily_registered
get = _REGISTRY.get


def registered() -> tuple[Transition, ...]:
    """Every transition, in the order the detail page shows them."""
    return _REGISTRY.entries()


def by_slug(slug: str) -> Transition | None:
    return next((t for t in _REGISTRY.entries() if t.page_slug == slug), None)


# ---------------------------------------------------------------------------
# The life cycle
# ---------------------------------------------------------------------------
def _version(call: Call) -> int | None:
    return call.data.get("version")


def _duplicate(call: Call) -> Issue | None:
    """The original a duplicate points to, as the viewer may read it."""
    pk = call.data.get("duplicate_of")
    if not pk:
        return None
    try:
        return selectors.issue_get(viewer=call.viewer, pk=pk)
    except Http404 as exc:
        raise ValidationError({"duplicate_of": _("找不到问题 #%(pk)s。") % {"pk": pk}}) from exc


def _room_for_a_photo(issue: Issue) -> bool:
    return access.photo_count(issue) < Issue.MAX_PHOTOS


_HANDLER_ONLY = gettext_lazy("只有承办方可以办理这个问题。")

register(
    Transition(
        name="accept",
        label=gettext_lazy("受理"),
        statuses=(S.ALLOCATED,),
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_accept(actor=c.actor, issue=c.issue, expected_version=_version(c)),
        form=f.VersionedForm,
        serializer=s.VersionSerializer,
        done=gettext_lazy("已受理。"),
        hints={S.IN_PROGRESS: gettext_lazy("问题已经受理。")},
    )
)
register(
    Transition(
        name="feedback",
        label=gettext_lazy("记录反馈"),
        title=gettext_lazy("记录群众反馈"),
        statuses=(S.RESOLVED,),
        may=access.can_record_feedback,
        refusal=gettext_lazy("只有登记人或本网格的网格员、网格长可以记录群众反馈。"),
        run=lambda c: services.issue_feedback(
            actor=c.actor,
            issue=c.issue,
            satisfaction=c.data["satisfaction"],
            note=c.data["note"],
            expected_version=_version(c),
        ),
        form=f.FeedbackForm,
        serializer=s.FeedbackSerializer,
        done=gettext_lazy("已记录群众反馈。"),
        hints={S.IN_PROGRESS: gettext_lazy("问题还没有办结。"), S.CLOSED: gettext_lazy("已经记录过反馈。")},
    )
)
register(
    Transition(
        name="resume",
        label=gettext_lazy("恢复办理"),
        statuses=(S.SUSPENDED,),
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_resume(
            actor=c.actor, issue=c.issue, note=c.data["note"], expected_version=_version(c)
        ),
        form=f.NoteForm,
        serializer=s.NoteSerializer,
        done=gettext_lazy("已恢复办理。"),
        hints={S.IN_PROGRESS: gettext_lazy("问题没有挂起。")},
    )
)
register(
    Transition(
        name="resolve",
        label=gettext_lazy("办结"),
        statuses=(S.IN_PROGRESS, S.DECOMPOSED),
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_resolve(
            actor=c.actor, issue=c.issue, resolution=c.data["resolution"], expected_version=_version(c)
        ),
        form=f.ResolveForm,
        serializer=s.ResolveSerializer,
        done=gettext_lazy("已办结，等待群众反馈。"),
        hints={S.ALLOCATED: gettext_lazy("请先受理。")},
    )
)
register(
    Transition(
        name="progress",
        label=gettext_lazy("记录进展"),
        statuses=OPEN_WORK,
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        # A note changes no state, so it never conflicts: no version.
        run=lambda c: services.issue_progress(actor=c.actor, issue=c.issue, note=c.data["note"]),
        form=f.NoteForm,
        serializer=s.NoteSerializer,
        done=gettext_lazy("已记录进展。"),
    )
)
register(
    Transition(
        name="assign",
        label=gettext_lazy("指派"),
        title=gettext_lazy("指派经办人"),
        statuses=OPEN_WORK,
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_assign(
            actor=c.actor, issue=c.issue, assignee=c.data["assignee"], expected_version=_version(c)
        ),
        form=f.AssignForm,
        serializer=s.AssignSerializer,
        inputs=lambda issue: {"candidates": selectors.assignee_candidates(issue=issue)},
        done=gettext_lazy("已指派。"),
    )
)
register(
    Transition(
        name="decompose",
        label=gettext_lazy("分解"),
        title=gettext_lazy("分解为子任务"),
        statuses=OPEN_WORK,
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_decompose(
            actor=c.actor, issue=c.issue, tasks=c.data["tasks"], expected_version=_version(c)
        ),
        form=f.DecomposeForm,
        serializer=s.DecomposeSerializer,
        inputs=lambda issue: {"handler_choices": services.task_handler_choices(issue)},
        done=gettext_lazy("已分解为子任务。"),
    )
)
register(
    Transition(
        name="request_extension",
        label=gettext_lazy("申请延期"),
        statuses=OPEN_WORK,
        may=access.can_handle_issue,
        refusal=gettext_lazy("只有承办方可以申请延期。"),
        run=lambda c: services.extension_request(
            actor=c.actor, issue=c.issue, hours=c.data["hours"], reason=c.data["reason"], expected_version=_version(c)
        ),
        form=f.ExtensionRequestForm,
        serializer=s.ExtensionRequestSerializer,
        done=gettext_lazy("延期申请已提交，等待上一级审批。"),
        slug="extension",
        api_path="request-extension",
        api_response=s.DeadlineExtensionSerializer,
        api_status=201,
    )
)
register(
    Transition(
        name="suspend",
        label=gettext_lazy("挂起"),
        statuses=OPEN_WORK,
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_suspend(
            actor=c.actor, issue=c.issue, reason=c.data["reason"], expected_version=_version(c)
        ),
        form=f.SuspendForm,
        serializer=s.SuspendSerializer,
        done=gettext_lazy("已挂起。"),
    )
)
register(
    Transition(
        name="escalate",
        label=gettext_lazy("上报"),
        title=gettext_lazy("上报上一级"),
        statuses=(S.ALLOCATED, S.IN_PROGRESS),
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_escalate(
            actor=c.actor, issue=c.issue, note=c.data["note"], expected_version=_version(c)
        ),
        form=f.NoteForm,
        serializer=s.NoteSerializer,
        done=gettext_lazy("已上报上一级。"),
        api_doc="上报: hand the issue to the office one level above the current handler.",
    )
)
register(
    Transition(
        name="reject",
        label=gettext_lazy("退回"),
        statuses=(S.ALLOCATED, S.IN_PROGRESS),
        may=access.can_handle_issue,
        refusal=_HANDLER_ONLY,
        run=lambda c: services.issue_reject(
            actor=c.actor,
            issue=c.issue,
            reason=c.data["reason"],
            note=c.data["note"],
            duplicate_of=_duplicate(c),
            expected_version=_version(c),
        ),
        form=f.RejectForm,
        serializer=s.RejectSerializer,
        done=gettext_lazy("已退回。"),
    )
)
register(
    Transition(
        name="add_photo",
        label=gettext_lazy("上传照片"),
        statuses=(S.COLLECTED, S.ALLOCATED, S.IN_PROGRESS, S.DECOMPOSED, S.SUSPENDED, S.RESOLVED),
        may=access.can_add_photo,
        refusal=gettext_lazy("只有登记人或承办方可以上传照片。"),
        run=lambda c: services.issue_photo_add(actor=c.actor, issue=c.issue, image=c.data["image"]),
        form=f.PhotoForm,
        serializer=s.PhotoUploadSerializer,
        done=gettext_lazy("照片已上传。"),
        ready=_room_for_a_photo,
        slug="photo",
        api_path="photos",
        api_response=s.IssuePhotoSerializer,
        api_status=201,
        api_request={"multipart/form-data": s.PhotoUploadSerializer},
    )
)


# ---------------------------------------------------------------------------
# 督办 by staff above the issue: urge, reassign, lift one level (the supervision list offers them too)
# ---------------------------------------------------------------------------
_SUPERVISORS_ONLY = gettext_lazy("只有问题所在网格的上级工作人员（且不是承办方）可以督办。")
HAND_OVER = (S.ALLOCATED, S.IN_PROGRESS)

register(
    Transition(
        name="urge",
        label=gettext_lazy("催办"),
        statuses=OPEN_WORK,
        may=access.can_supervise_issue,
        refusal=_SUPERVISORS_ONLY,
        # An urge changes no state, so it never conflicts: no version.
        run=lambda c: services.issue_urge(actor=c.actor, issue=c.issue, note=c.data["note"]),
        form=f.UrgeForm,
        serializer=s.UrgeSerializer,
        done=gettext_lazy("已催办，承办方已收到通知。"),
        ready=lambda issue: services.urge_allowed_now(issue),
        api_doc="催办: press the handler (a notification and a timeline event), at most once per "
        "ISSUE_URGE_INTERVAL_HOURS; a second urge inside it is a 400 naming `status`.",
        api_response=s.IssueEventSerializer,
        api_status=201,
    )
)
register(
    Transition(
        name="reassign",
        label=gettext_lazy("改派"),
        title=gettext_lazy("督办改派"),
        statuses=HAND_OVER,
        may=access.can_supervise_issue,
        refusal=_SUPERVISORS_ONLY,
        run=lambda c: services.issue_reassign(
            actor=c.actor, issue=c.issue, handler=c.data["handler"], note=c.data["note"], expected_version=_version(c)
        ),
        form=f.ReassignForm,
        serializer=s.ReassignSerializer,
        inputs=lambda issue: {"handler_choices": services.task_handler_choices(issue)},
        done=gettext_lazy("已改派，新的承办方已收到通知。"),
        hints={S.DECOMPOSED: gettext_lazy("问题已分解为子任务。")},
        api_doc="改派: hand the issue to another handler of `GET issues/{id}/task-handlers/`.",
    )
)
register(
    Transition(
        name="lift",
        label=gettext_lazy("提级"),
        title=gettext_lazy("提级办理"),
        statuses=HAND_OVER,
        may=access.can_supervise_issue,
        refusal=_SUPERVISORS_ONLY,
        run=lambda c: services.issue_lift(
            actor=c.actor, issue=c.issue, note=c.data["note"], expected_version=_version(c)
        ),
        form=f.NoteForm,
        serializer=s.NoteSerializer,
        done=gettext_lazy("已提级，上一级办公室已收到通知。"),
        hints={S.DECOMPOSED: gettext_lazy("问题已分解为子任务。")},
        api_doc="提级: hand the issue to the office one level above its handler (up to the district).",
    )
)
