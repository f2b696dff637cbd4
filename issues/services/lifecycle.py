"""The issue life cycle 收集 → 分配 → 分解 → 开展 → 反馈, one function per action.

Every action re-reads the issue under a row lock and compares its version
with the one the caller read: if someone else acted in between, the caller
gets a ConflictError (409) and nothing is overwritten. Each transition is
checked against its entry in `issues.transitions` (`access.require_issue_action`):
an actor who may not take it is refused with PermissionDenied (403), a status
that does not allow it with a ValidationError naming `status` and saying why.
Every action leaves one event on the timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.geography import point_for_unit
from grids.models import GridUnit, User
from grids.viewer import Viewer, viewer_of
from guilin_portal.errors import ConflictError
from guilin_portal.privacy import normalise_phone
from guilin_portal.uploads import clean_image
from issues import access
from issues.handler_kinds import Handler, recipients_for, unit_at_level
from issues.models import Issue, IssueCategory, IssueEvent, IssuePhoto, IssueTask, Notification
from issues.services.batch import logged_history_and_event
from issues.services.notifications import notify
from issues.services.routing import route_after_commit

S = Issue.Status


def allowed_actions(issue: Issue) -> frozenset[str]:
    """The transitions the issue's status allows, whoever asks; what a viewer may do now is
    `issues.access.issue_allowed_actions(viewer, issue)`."""
    return access.issue_status_allows(issue)


def _authorise(actor: User | Viewer, issue: Issue, action: str) -> None:
    """The transition's rule and status (`issues.transitions`): PermissionDenied, or ValidationError naming status."""
    access.require_issue_action(viewer_of(actor), issue, action)


def lock_issue(issue: Issue | int, *, expected_version: int | None = None) -> Issue:
    """The issue re-read under a row lock; a ConflictError if it changed since the caller read it.

    `expected_version` is the version the caller showed the person acting
    (a form's hidden field, an API body); by default the version of the
    instance passed in.
    """
    pk = issue if isinstance(issue, int) else issue.pk
    if expected_version is None and not isinstance(issue, int):
        expected_version = issue.version
    locked = Issue.objects.select_for_update(of=("self",)).select_related("unit", "category").filter(pk=pk).first()
    if locked is None:
        raise ConflictError(_("问题已不存在。"))
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _("问题 #%(pk)s 已被他人修改（当前状态：%(status)s），您的操作没有执行。请刷新后再试。")
            % {"pk": pk, "status": locked.get_status_display()}
        )
    return locked


def _event(
    issue: Issue, kind: str, *, actor: User | None, now: datetime, from_status: str = "", note: str = "", **data
):
    return IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=issue.status if from_status else "",
        note=note,
        data=data,
    )


def _save(issue: Issue, now: datetime, *fields: str) -> None:
    """Write the changed fields with a new version (the values come from the services, not from input)."""
    issue.version += 1
    issue.updated_at = now
    issue.save(update_fields=[*fields, "version", "updated_at"])


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# ---------------------------------------------------------------------------
# 收集: logging
# ---------------------------------------------------------------------------
def _clean_photos(photos: Sequence[UploadedFile], already: int = 0) -> list:
    """Every photo checked (content, size, EXIF stripped) before anything is written."""
    if len(photos) + already > Issue.MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("每个问题最多 %(max)s 张照片。") % {"max": Issue.MAX_PHOTOS}}, code="too_many_photos"
        )
    cleaned = []
    for photo in photos:
        try:
            cleaned.append(clean_image(photo))
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}, code="invalid_photo") from error
    return cleaned


# Issue.latitude/longitude keep 6 decimal places (about 0.1 m): a phone's fix is rounded, half to even.
_DEGREES = Decimal("0.000001")


def _located(reporter: User, unit: GridUnit, latitude, longitude, accuracy) -> dict:
    """The issue's point (WGS-84) and accuracy, checked: both coordinates or neither; inside the unit when it has a
    boundary, else a ValidationError naming `unit` (another grid of the reporter's holds it) or `latitude` (none)."""
    given = [value not in (None, "") for value in (latitude, longitude)]
    if not any(given):
        return {}
    if not all(given):
        missing = "longitude" if given[0] else "latitude"
        raise ValidationError({missing: _("经度和纬度要同时提供。")})
    lat, lng = point_for_unit(reporter, unit, latitude, longitude)
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        raise ValidationError({"location_accuracy": _("定位精度应在 0 到 100000 米之间。")})
    return {
        "latitude": Decimal(repr(lat)).quantize(_DEGREES, rounding=ROUND_HALF_EVEN),
        "longitude": Decimal(repr(lng)).quantize(_DEGREES, rounding=ROUND_HALF_EVEN),
        "location_accuracy": accuracy,
    }


def issue_log(
    *,
    reporter: User,
    unit: GridUnit,
    category: IssueCategory,
    description: str,
    location_text: str = "",
    resident_name: str = "",
    resident_phone: str = "",
    priority: int = Issue.Priority.NORMAL,
    client_key: uuid.UUID | None = None,
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
    latitude: float | Decimal | str | None = None,
    longitude: float | Decimal | str | None = None,
    location_accuracy: int | None = None,
) -> tuple[Issue, bool]:
    """Record a resident's problem in a micro-grid of the reporter's jurisdiction; routing runs after commit.

    The same `client_key` again (a double tap, a resend on a bad network)
    returns the issue already logged, with created=False. The key's unique
    index decides: the insert is tried and a duplicate key is looked up only
    when it fails, so the common case costs no extra query. Everything below
    runs before any write, and the writes share one transaction.
    """
    now = now or timezone.now()
    if not unit.is_micro_grid:
        raise ValidationError({"unit": _("问题要登记到微网格（片区、小区或责任区）。")})
    if not access.can_log_at(reporter, unit):
        raise ValidationError({"unit": _("这个网格不在您的管辖范围内。")})
    if not category.is_active:
        raise ValidationError({"category": _("该问题类别已停用。")})
    point = _located(reporter, unit, latitude, longitude, location_accuracy)
    cleaned_photos = _clean_photos(photos)
    due_at, remind_at = Issue.deadlines(now, category.time_limit_hours)
    issue = Issue(
        client_key=client_key,
        unit=unit,
        category=category,
        kind=category.kind,
        description=(description or "").strip(),
        location_text=(location_text or "").strip(),
        **point,
        resident_name=(resident_name or "").strip(),
        resident_phone=normalise_phone(resident_phone),
        priority=priority,
        reporter=reporter,
        status=S.COLLECTED,
        created_at=now,
        updated_at=now,
        due_at=due_at,
        remind_at=remind_at,
        next_escalation_at=due_at,
    )
    # Field rules (phone, lengths, choices); the references were passed in as objects and the
    # database holds the constraints, so no extra queries on the hot path.
    issue.full_clean(
        exclude=["unit", "category", "reporter", "client_key"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            # Its version and first event are written by one statement below (issues.services.batch).
            issue.skip_history_when_saving = True
            issue.save()
            del issue.skip_history_when_saving
            for content in cleaned_photos:
                IssuePhoto.objects.create(issue=issue, image=content, uploaded_by=reporter, uploaded_at=now)
            event = IssueEvent(
                issue=issue,
                kind=IssueEvent.Kind.COLLECTED,
                actor=reporter,
                at=now,
                data={"photos": len(cleaned_photos)},
            )
            logged_history_and_event(issue, event, now=now)
            route_after_commit(issue.pk)
    except IntegrityError:
        # The same key was used before (or arrived twice at once): hand back that issue.
        existing = Issue.objects.filter(client_key=client_key).first() if client_key else None
        if existing is None:
            raise
        return _same_key(existing, reporter), False
    return issue, True


def _same_key(existing: Issue, reporter: User) -> Issue:
    if existing.reporter_id != reporter.pk:
        raise ValidationError({"client_key": _("这个提交键已被使用。")})
    return existing


@transaction.atomic
def issue_photo_add(*, actor: User, issue: Issue, image: UploadedFile) -> IssuePhoto:
    """Add a photo (up to six per issue): the reporter or a handler, while the issue is not finished."""
    issue = lock_issue(issue.pk)
    _authorise(actor, issue, "add_photo")
    (content,) = _clean_photos([image], already=issue.photos.count())
    now = timezone.now()
    photo = IssuePhoto.objects.create(issue=issue, image=content, uploaded_by=actor, uploaded_at=now)
    _event(issue, IssueEvent.Kind.PHOTO_ADDED, actor=actor, now=now, photo=photo.pk)
    return photo


# ---------------------------------------------------------------------------
# 开展: the handler's actions
# ---------------------------------------------------------------------------
@transaction.atomic
def issue_accept(*, actor: User, issue: Issue, expected_version: int | None = None) -> Issue:
    """The handler takes the issue on; whoever accepts an office's issue becomes its assignee."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "accept")
    now = timezone.now()
    before = issue.status
    issue.status = S.IN_PROGRESS
    issue.accepted_at = now
    if issue.assignee_id is None:
        issue.assignee = actor
    _save(issue, now, "status", "accepted_at", "assignee")
    _event(issue, IssueEvent.Kind.ACCEPTED, actor=actor, now=now, from_status=before)
    return issue


@transaction.atomic
def issue_assign(*, actor: User, issue: Issue, assignee: User, expected_version: int | None = None) -> Issue:
    """An office or department hands its issue to one of its people."""
    issue = lock_issue(issue, expected_version=expected_version)
    return _assign_locked(
        actor=actor,
        viewer=viewer_of(actor),
        issue=issue,
        assignee=assignee,
        taker=viewer_of(assignee),
        now=timezone.now(),
    )


def _assign_locked(*, actor: User, viewer: Viewer, issue: Issue, assignee: User, taker: Viewer, now: datetime) -> Issue:
    _authorise(viewer, issue, "assign")
    if not access.can_assign_to(taker, issue):
        raise ValidationError({"assignee": _("%(name)s 不属于承办单位，不能指派。") % {"name": assignee.display_name}})
    if issue.assignee_id == assignee.pk:
        return issue
    issue.assignee = assignee
    _save(issue, now, "assignee")
    _event(issue, IssueEvent.Kind.ASSIGNED, actor=actor, now=now, note=assignee.display_name, assignee=assignee.pk)
    notify(recipient_ids=[assignee.pk], kind=Notification.Kind.ASSIGNED, issue_id=issue.pk, now=now, skip=actor.pk)
    return issue


@transaction.atomic
def issues_bulk_assign(*, actor: User, issue_ids: Sequence[int], assignee: User) -> list[Issue]:
    """Assign several issues at once: all of them or none (rows locked in id order).

    PermissionDenied when the actor may not assign one of them (every refusal is listed), else
    ValidationError when the assignee cannot take one of them.
    """
    ids = sorted(set(issue_ids))
    if not ids:
        raise ValidationError({"issues": _("请至少选择一个问题。")})
    locked = list(
        Issue.objects.select_for_update(of=("self",)).select_related("unit").filter(pk__in=ids).order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError({"issues": _("部分问题不存在。")})
    now = timezone.now()
    viewer, taker = viewer_of(actor), viewer_of(assignee)
    problems, refused = [], False
    for issue in locked:
        try:
            _assign_locked(actor=actor, viewer=viewer, issue=issue, assignee=assignee, taker=taker, now=now)
        except ValidationError as error:
            problems.append(f"#{issue.pk}: {'; '.join(error.messages)}")
        except PermissionDenied as error:
            problems.append(f"#{issue.pk}: {error}")
            refused = True
    if refused:
        raise PermissionDenied(" ".join(problems))
    if problems:
        raise ValidationError({"issues": problems})
    return locked


@dataclass(frozen=True)
class TaskSpec:
    title: str
    handler: Handler


@transaction.atomic
def issue_decompose(
    *, actor: User, issue: Issue, tasks: Sequence[TaskSpec], expected_version: int | None = None
) -> list[IssueTask]:
    """分解: split the issue into sub-tasks for several handlers; it resolves when all are done."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "decompose")
    if not tasks:
        raise ValidationError({"tasks": _("请至少添加一个子任务。")})
    now = timezone.now()
    rows = []
    for spec in tasks:
        title = _required_text(spec.title, "tasks", _("每个子任务都要写明内容。"))
        task = IssueTask(issue=issue, title=title[:200], created_by=actor, created_at=now)
        spec.handler.assign_to(task)
        rows.append(task)
    created = IssueTask.objects.bulk_create(rows)
    before = issue.status
    issue.status = S.DECOMPOSED
    if issue.accepted_at is None:
        issue.accepted_at = now
    _save(issue, now, "status", "accepted_at")
    _event(
        issue,
        IssueEvent.Kind.DECOMPOSED,
        actor=actor,
        now=now,
        from_status=before,
        note="；".join(f"{spec.title}（{spec.handler.label}）" for spec in tasks),
        tasks=[task.pk for task in created],
    )
    recipients = recipients_for(created)
    notify(
        recipient_ids={user_id for task in created for user_id in recipients[task.pk]},
        kind=Notification.Kind.TASK,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return created


@transaction.atomic
def issue_task_complete(*, actor: User, task: IssueTask, result: str) -> IssueTask:
    """A sub-task handler reports it done; the last one done resolves the issue."""
    issue = lock_issue(task.issue_id)  # the issue first, then its task: one lock order everywhere
    task = IssueTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    access.require_task_completion(viewer_of(actor), task, issue)
    result = _required_text(result, "result", _("请填写子任务的办理情况。"))
    now = timezone.now()
    task.status = IssueTask.Status.DONE
    task.done_by = actor
    task.done_at = now
    task.result = result
    task.save(update_fields=["status", "done_by", "done_at", "result"])
    _event(issue, IssueEvent.Kind.TASK_DONE, actor=actor, now=now, note=f"{task.title}：{result}", task=task.pk)
    results = list(issue.tasks.values_list("status", "title", "result"))
    if all(status == IssueTask.Status.DONE for status, _t, _r in results):
        _resolve_locked(issue, actor=actor, now=now, resolution="\n".join(f"{t}：{r}" for _s, t, r in results))
    else:
        issue.updated_at = now
        issue.version += 1
        issue.save(update_fields=["updated_at", "version"])
    return task


@transaction.atomic
def issue_progress(*, actor: User, issue: Issue, note: str) -> IssueEvent:
    """A progress note on the timeline; it changes no state, so it never conflicts with anyone."""
    issue = lock_issue(issue.pk)
    _authorise(actor, issue, "progress")
    note = _required_text(note, "note", _("请填写进展情况。"))
    now = timezone.now()
    Issue.objects.filter(pk=issue.pk).update(updated_at=now)
    return _event(issue, IssueEvent.Kind.PROGRESS, actor=actor, now=now, note=note)


@transaction.atomic
def issue_resolve(*, actor: User, issue: Issue, resolution: str, expected_version: int | None = None) -> Issue:
    """办结: the handler reports what was done; the resident's feedback comes next."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "resolve")
    resolution = _required_text(resolution, "resolution", _("请填写办理结果。"))
    if issue.status == S.DECOMPOSED:
        open_tasks = issue.tasks.filter(status=IssueTask.Status.OPEN).count()
        if open_tasks:
            raise ValidationError(
                {"status": _("还有 %(n)s 个子任务没有完成，不能办结。") % {"n": open_tasks}}, code="open_tasks"
            )
    _resolve_locked(issue, actor=actor, now=timezone.now(), resolution=resolution)
    return issue


def _resolve_locked(issue: Issue, *, actor: User, now: datetime, resolution: str) -> None:
    before = issue.status
    issue.status = S.RESOLVED
    issue.resolution = resolution
    issue.resolved_at = now
    _save(issue, now, "status", "resolution", "resolved_at")
    _event(issue, IssueEvent.Kind.RESOLVED, actor=actor, now=now, from_status=before, note=resolution)
    notify(
        recipient_ids=[issue.reporter_id], kind=Notification.Kind.RESOLVED, issue_id=issue.pk, now=now, skip=actor.pk
    )


def _require_not_resolver(actor: User, issue: Issue) -> None:
    """Whoever resolved the issue does not record its feedback (checked beside `access.can_record_feedback`)."""
    resolver = (
        IssueEvent.objects.filter(issue_id=issue.pk, kind=IssueEvent.Kind.RESOLVED)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    if resolver is not None and resolver == actor.pk:
        raise PermissionDenied(_("办结这个问题的人不能为它记录群众评价，请由登记人或其他工作人员回访。"))


@transaction.atomic
def issue_feedback(
    *, actor: User, issue: Issue, satisfaction: str, note: str = "", expected_version: int | None = None
) -> Issue:
    """反馈: the resident's verdict. Satisfied or basically satisfied closes it; dissatisfied reopens it."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "feedback")
    _require_not_resolver(actor, issue)
    if satisfaction not in Issue.Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择群众的评价。")})
    now = timezone.now()
    before = issue.status
    channel = access.feedback_channel(actor, issue)  # the reporter's word, or a return visit 回访
    issue.satisfaction = satisfaction
    if satisfaction == Issue.Satisfaction.DISSATISFIED:
        # Back to the same handler, with a fresh time limit and a clean supervision record.
        _required_text(note, "note", _("群众不满意时，请写明原因。"))
        issue.status = S.IN_PROGRESS
        issue.reopen_count += 1
        issue.resolved_at = None
        issue.due_at, issue.remind_at = Issue.deadlines(now, issue.category.time_limit_hours)
        issue.reminded_at = None
        issue.next_escalation_at = issue.due_at
        issue.escalation_level = 0
        issue.escalated_at = None
        issue.supervision_unit = None
        _save(
            issue,
            now,
            "satisfaction",
            "status",
            "reopen_count",
            "resolved_at",
            "due_at",
            "remind_at",
            "reminded_at",
            "next_escalation_at",
            "escalation_level",
            "escalated_at",
            "supervision_unit",
        )
        _event(
            issue, IssueEvent.Kind.FEEDBACK, actor=actor, now=now, note=note, satisfaction=satisfaction, channel=channel
        )
        _event(issue, IssueEvent.Kind.REOPENED, actor=actor, now=now, from_status=before, note=note)
        notify(
            recipient_ids=recipients_for([issue])[issue.pk],
            kind=Notification.Kind.REOPENED,
            issue_id=issue.pk,
            now=now,
            skip=actor.pk,
        )
        return issue
    issue.status = S.CLOSED
    issue.closed_at = now
    _save(issue, now, "satisfaction", "status", "closed_at")
    _event(
        issue,
        IssueEvent.Kind.FEEDBACK,
        actor=actor,
        now=now,
        from_status=before,
        note=note,
        satisfaction=satisfaction,
        channel=channel,
    )
    return issue


@transaction.atomic
def issue_suspend(*, actor: User, issue: Issue, reason: str, expected_version: int | None = None) -> Issue:
    """Pause the issue (the resident is away, a court case runs...): its clock stops until resumed."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "suspend")
    reason = _required_text(reason, "reason", _("请写明挂起原因。"))
    now = timezone.now()
    before = issue.status
    issue.status = S.SUSPENDED
    issue.suspended_at = now
    _save(issue, now, "status", "suspended_at")
    _event(issue, IssueEvent.Kind.SUSPENDED, actor=actor, now=now, from_status=before, note=reason)
    return issue


@transaction.atomic
def issue_resume(*, actor: User, issue: Issue, note: str = "", expected_version: int | None = None) -> Issue:
    """Resume a suspended issue; its deadlines move on by the time it was suspended."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "resume")
    now = timezone.now()
    paused = now - (issue.suspended_at or now)
    before = issue.status
    if issue.tasks.filter(status=IssueTask.Status.OPEN).exists():
        issue.status = S.DECOMPOSED
    elif issue.accepted_at is not None:
        issue.status = S.IN_PROGRESS
    else:
        issue.status = S.ALLOCATED
    issue.due_at += paused
    issue.remind_at += paused
    if issue.next_escalation_at is not None:
        issue.next_escalation_at += paused
    issue.suspended_at = None
    _save(issue, now, "status", "due_at", "remind_at", "next_escalation_at", "suspended_at")
    _event(
        issue,
        IssueEvent.Kind.RESUMED,
        actor=actor,
        now=now,
        from_status=before,
        note=note,
        paused_hours=round(paused / timedelta(hours=1), 2),
    )
    return issue


@transaction.atomic
def issue_reject(
    *,
    actor: User,
    issue: Issue,
    reason: str,
    note: str = "",
    duplicate_of: Issue | None = None,
    expected_version: int | None = None,
) -> Issue:
    """Send an issue back: a duplicate (linked to the original) or out of scope (reason required)."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "reject")
    if reason == Issue.RejectReason.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("重复问题要注明原问题编号。")})
        if duplicate_of.pk == issue.pk:
            raise ValidationError({"duplicate_of": _("问题不能与自己重复。")})
        if duplicate_of.status == S.REJECTED:
            raise ValidationError({"duplicate_of": _("原问题本身已被退回，请注明有效的原问题。")})
    elif reason == Issue.RejectReason.OUT_OF_SCOPE:
        note = _required_text(note, "note", _("不属于受理范围时，请写明原因。"))
        duplicate_of = None
    else:
        raise ValidationError({"reason": _("请选择退回原因。")})
    now = timezone.now()
    before = issue.status
    issue.status = S.REJECTED
    issue.reject_reason = reason
    issue.duplicate_of = duplicate_of
    _save(issue, now, "status", "reject_reason", "duplicate_of")
    _event(
        issue,
        IssueEvent.Kind.REJECTED,
        actor=actor,
        now=now,
        from_status=before,
        note=note,
        reason=reason,
        duplicate_of=duplicate_of.pk if duplicate_of else None,
    )
    notify(
        recipient_ids=[issue.reporter_id], kind=Notification.Kind.REJECTED, issue_id=issue.pk, now=now, skip=actor.pk
    )
    return issue


@transaction.atomic
def issue_escalate(*, actor: User, issue: Issue, note: str, expected_version: int | None = None) -> Issue:
    """上报: the handler passes the issue up to the office one level above it, which becomes the handler."""
    from issues.services.supervision import supervisor_unit_for

    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "escalate")
    note = _required_text(note, "note", _("请写明上报原因。"))
    target = supervisor_unit_for(issue)
    if target is None or target.level < GridUnit.Level.DISTRICT:
        raise ValidationError({"status": _("已是城区一级承办，不能再上报。")})
    now = timezone.now()
    before = issue.status
    Handler.office(target).assign_to(issue)
    issue.status = S.ALLOCATED
    issue.assignee = None
    issue.accepted_at = None
    _save(issue, now, "handler_kind", *Issue.HANDLER_FIELDS, "status", "assignee", "accepted_at")
    _event(
        issue,
        IssueEvent.Kind.ESCALATED,
        actor=actor,
        now=now,
        from_status=before,
        note=f"{_('上报至')}{target.name}{_('办公室')}：{note}",
        handler_unit=target.pk,
    )
    notify(
        recipient_ids=recipients_for([issue])[issue.pk],
        kind=Notification.Kind.ROUTED,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return issue


def community_of(issue: Issue) -> GridUnit | None:
    return unit_at_level(issue.unit, GridUnit.Level.COMMUNITY)
