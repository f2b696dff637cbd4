"""Resident issues (社情民意, 代办, 矛盾纠纷...): what a grid worker logs and who must handle it.

The life cycle is the report's five steps 收集 → 分配 → 分解 → 开展 → 反馈:
collected (logged, waiting for routing) → allocated (routed to a handler) →
decomposed (optionally split into sub-tasks) → in progress → resolved →
feedback recorded (satisfied closes it, dissatisfied reopens it). Transitions
live in `issues.services.lifecycle`; the models only hold the data and the rules
the database itself can keep.

A handler is one of several kinds (`Issue.HandlerKind`); each kind fills one
`handler_*` reference and registers how it is handled in `issues.handler_kinds`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grids.models import GridUnit, User
from guilin_portal.choices import choice_label
from guilin_portal.privacy import validate_resident_phone
from guilin_portal.uploads import issue_photo_path


class IssueKind(models.TextChoices):
    OPINION = "opinion", _("社情民意")
    PROXY_SERVICE = "proxy_service", _("代办服务")
    DISPUTE = "dispute", _("矛盾纠纷")
    HAZARD = "hazard", _("安全隐患")
    OTHER = "other", _("其他")


class IssueCategory(models.Model):
    """What an issue is about, with the time it must be handled in (data, edited in the admin)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=IssueKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    time_limit_hours = models.PositiveIntegerField(_("办理时限（小时）"), default=72)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        db_table = "grids_issuecategory"  # the table kept its name when issues left grids
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_hours__gte=1), name="issuecategory_time_limit_positive"),
        ]

    def __str__(self) -> str:
        # Dropdowns, admin lists and templates show the name in the reader's language.
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Department(models.Model):
    """A functional department (公安, 卫健, 城管, 民政, 司法...) that takes routed issues; its members see them."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    unit = models.ForeignKey(
        GridUnit,
        verbose_name=_("服务区域"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("部门负责的城区/县（或全市）；逾期时由该单元的工作人员督办。"),
    )
    members = models.ManyToManyField(
        User, verbose_name=_("成员"), related_name="departments", blank=True, db_table="grids_department_members"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        db_table = "grids_department"  # the table kept its name when issues left grids
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["unit__path", "code"]

    def __str__(self) -> str:
        return self.name


class HandlerKind(models.TextChoices):
    """Who an issue (or a sub-task) goes to. Each kind fills exactly one handler_* reference."""

    GRID_LEADER = "grid_leader", _("本网格网格长")
    OFFICE = "office", _("社区/街道/城区办公室")
    DEPARTMENT = "department", _("职能部门")
    # A volunteer team of a service category near the grid, least loaded first (registered by volunteers).
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")


class RoutingRule(models.Model):
    """Where issues of a category (or of any category) logged in a subtree go.

    The most specific rule wins: the deepest subtree first, then a rule naming
    the category over one that does not. With no rule the issue goes to its
    community office, flagged "no rule".
    """

    unit = models.ForeignKey(
        GridUnit, verbose_name=_("适用范围"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    category = models.ForeignKey(
        IssueCategory,
        verbose_name=_("问题类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("留空表示所有类别。"),
    )
    handler_kind = models.CharField(_("承办方类型"), max_length=20, choices=HandlerKind.choices)
    office_level = models.PositiveSmallIntegerField(
        _("办公室层级"),
        choices=[
            (GridUnit.Level.COMMUNITY, GridUnit.Level.COMMUNITY.label),
            (GridUnit.Level.STREET, GridUnit.Level.STREET.label),
            (GridUnit.Level.DISTRICT, GridUnit.Level.DISTRICT.label),
        ],
        null=True,
        blank=True,
        help_text=_("承办方为办公室时：问题所在的社区、街道或城区的办公室。"),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("职能部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    volunteer_category = models.ForeignKey(
        "volunteers.ServiceCategory",
        verbose_name=_("志愿服务类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("承办方为志愿服务队时：交给就近单元中该类别、在办问题最少的在册服务队。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        db_table = "grids_routingrule"  # the table kept its name when issues left grids
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["unit__path", "category_id"]
        constraints = [
            # One active rule per subtree and category, so "the most specific rule" is never a tie.
            models.UniqueConstraint(
                fields=["unit", "category"],
                condition=Q(is_active=True, category__isnull=False),
                name="routingrule_one_active_per_unit_category",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(is_active=True, category__isnull=True),
                name="routingrule_one_active_default_per_unit",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="office") | Q(office_level__isnull=False),
                name="routingrule_office_has_level",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="department") | Q(department__isnull=False),
                name="routingrule_department_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="volunteer_team") | Q(volunteer_category__isnull=False),
                name="routingrule_team_category_named",
            ),
        ]
        indexes = [models.Index(fields=["unit", "is_active"], name="routingrule_unit_active")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.category or _('所有类别')} → {self.get_handler_kind_display()}"

    def clean(self) -> None:
        errors = {}
        if self.handler_kind == HandlerKind.OFFICE and self.office_level is None:
            errors["office_level"] = _("承办方为办公室时，请选择办公室层级。")
        if self.handler_kind == HandlerKind.DEPARTMENT and self.department_id is None:
            errors["department"] = _("承办方为职能部门时，请选择部门。")
        if self.handler_kind == HandlerKind.VOLUNTEER_TEAM and self.volunteer_category_id is None:
            errors["volunteer_category"] = _("承办方为志愿服务队时，请选择志愿服务类别。")
        if errors:
            raise ValidationError(errors)


class IssueQuerySet(models.QuerySet):
    def open(self) -> IssueQuerySet:
        """Not yet resolved, closed or rejected."""
        return self.filter(status__in=Issue.OPEN_STATUSES)

    def running(self) -> IssueQuerySet:
        """Open and with its clock running (not suspended, already routed)."""
        return self.filter(status__in=Issue.CLOCK_STATUSES)

    def overdue(self, now=None) -> IssueQuerySet:
        return self.running().filter(due_at__lt=now or timezone.now())

    def near_due(self, now=None) -> IssueQuerySet:
        now = now or timezone.now()
        return self.running().filter(remind_at__lte=now, due_at__gte=now)

    def waiting_for_routing(self) -> IssueQuerySet:
        return self.filter(status=Issue.Status.COLLECTED)


class Issue(models.Model):
    """A resident's problem, from logging in the street to the resident's feedback."""

    Kind = IssueKind
    HandlerKind = HandlerKind

    class Status(models.TextChoices):
        COLLECTED = "collected", _("已收集（待分配）")
        ALLOCATED = "allocated", _("已分配")
        DECOMPOSED = "decomposed", _("已分解")
        IN_PROGRESS = "in_progress", _("办理中")
        SUSPENDED = "suspended", _("已挂起")
        RESOLVED = "resolved", _("已办结（待反馈）")
        CLOSED = "closed", _("已关闭")
        REJECTED = "rejected", _("已退回")

    class Priority(models.IntegerChoices):
        NORMAL = 1, _("一般")
        HIGH = 2, _("紧急")
        URGENT = 3, _("特急")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    class RejectReason(models.TextChoices):
        DUPLICATE = "duplicate", _("重复问题")
        OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")

    OPEN_STATUSES = (
        Status.COLLECTED,
        Status.ALLOCATED,
        Status.DECOMPOSED,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
    )
    # Statuses whose time limit runs: reminders and escalation look only at these.
    CLOCK_STATUSES = (Status.ALLOCATED, Status.DECOMPOSED, Status.IN_PROGRESS)
    # Every reference a handler kind may fill; a new kind adds its field here.
    HANDLER_FIELDS = ("handler_user", "handler_unit", "handler_department", "handler_team")
    MAX_PHOTOS = 6

    client_key = models.UUIDField(
        _("提交键"), null=True, blank=True, unique=True, help_text=_("客户端生成的一次性键，重复提交只登记一次。")
    )
    unit = models.ForeignKey(
        GridUnit, verbose_name=_("所在网格"), db_index=False, on_delete=models.PROTECT, related_name="issues"
    )
    category = models.ForeignKey(
        IssueCategory, verbose_name=_("问题类别"), db_index=False, on_delete=models.PROTECT, related_name="issues"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=IssueKind.choices)
    description = models.TextField(_("问题描述"), max_length=4000)
    location_text = models.CharField(_("具体位置"), max_length=200, blank=True)
    # WGS84 decimal degrees as a client gave them (Open311 `lat`/`long`), to 6 places (about 0.1 m).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # The phone's reported accuracy (radius, metres) of a GPS fix; empty for a point placed by hand.
    location_accuracy = models.PositiveIntegerField(_("定位精度(米)"), null=True, blank=True)
    resident_name = models.CharField(_("居民姓名"), max_length=60, blank=True)
    resident_phone = models.CharField(_("居民电话"), max_length=24, blank=True, validators=[validate_resident_phone])
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices, default=Priority.NORMAL)
    reporter = models.ForeignKey(
        User, verbose_name=_("登记人"), db_index=False, on_delete=models.PROTECT, related_name="issues_reported"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.COLLECTED)
    # Bumped by every write; a writer holding an older version gets a conflict instead of overwriting.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    # Time limit (from the category at logging time; extensions and suspensions move it).
    due_at = models.DateTimeField(_("办理期限"))
    remind_at = models.DateTimeField(_("提醒时间"), help_text=_("时限过去 80% 时提醒承办方。"))
    reminded_at = models.DateTimeField(_("已提醒时间"), null=True, blank=True)

    # Routing.
    routing_sent_at = models.DateTimeField(_("最近发送分派任务"), null=True, blank=True)
    routed_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    routing_rule = models.ForeignKey(
        RoutingRule, verbose_name=_("分派规则"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routing_no_rule = models.BooleanField(_("无匹配规则"), default=False)

    # The handler: one of these references, according to handler_kind.
    handler_kind = models.CharField(_("承办方类型"), max_length=20, choices=HandlerKind.choices, blank=True)
    handler_user = models.ForeignKey(
        User,
        verbose_name=_("承办人"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues_handled",
    )
    handler_unit = models.ForeignKey(
        GridUnit,
        verbose_name=_("承办办公室"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues_handled",
    )
    handler_department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    handler_team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("承办服务队"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    assignee = models.ForeignKey(
        User,
        verbose_name=_("具体经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues_assigned",
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)

    # Outcome.
    resolution = models.TextField(_("办理结果"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.CharField(_("群众评价"), max_length=20, choices=Satisfaction.choices, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    reject_reason = models.CharField(_("退回原因"), max_length=20, choices=RejectReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )

    # Supervision 督办: overdue issues climb one level at a time.
    escalation_level = models.PositiveSmallIntegerField(_("督办级数"), default=0)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    next_escalation_at = models.DateTimeField(
        _("下次督办时间"), null=True, blank=True, help_text=_("到期未办结时督办上升一级的时间。")
    )
    supervision_unit = models.ForeignKey(
        GridUnit,
        verbose_name=_("督办单位"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues_supervised",
    )

    objects = IssueQuerySet.as_manager()
    # Audit history (audit/): a version per .save() through the services, with the request's user.
    # Bulk writes (the demo seed, the sweeps' .update()) write none; the timeline (IssueEvent) has every act.
    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="grids_historicalissue")

    class Meta:
        db_table = "grids_issue"  # the table kept its name when issues left grids
        verbose_name = _("居民问题")
        verbose_name_plural = _("居民问题")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # With the unit: "overdue now" by district or street reads the index alone (no table row per
            # overdue issue: 12.5 -> 7 ms for the city's 3,300 at 1,000,000 issues).
            models.Index(fields=["status", "due_at"], include=["unit"], name="issue_status_due"),
            # The open issues, newest first, with every column the lists filter them on (status, deadline,
            # unit and the handlers the visibility asks about): a list of open or overdue issues reads this
            # small index alone and stops at its page, where it read a table row per open issue of the city
            # (5,200 at 1,000,000 issues, each on its own page). The statuses are Issue.OPEN_STATUSES
            # (tests/issues/test_list_perf.py holds them equal).
            models.Index(
                fields=["-created_at", "-id"],
                name="issue_open_newest",
                include=[
                    "status",
                    "due_at",
                    "unit",
                    "reporter",
                    "assignee",
                    "handler_user",
                    "handler_unit",
                    "handler_department",
                    "handler_team",
                ],
                condition=Q(status__in=["collected", "allocated", "decomposed", "in_progress", "suspended"]),
            ),
            models.Index(fields=["status", "remind_at"], name="issue_status_remind"),
            models.Index(fields=["status", "next_escalation_at"], name="issue_status_escalation"),
            models.Index(fields=["unit", "status"], name="issue_unit_status"),
            models.Index(fields=["handler_unit", "status"], name="issue_handler_unit_status"),
            models.Index(fields=["handler_user", "status"], name="issue_handler_user_status"),
            models.Index(fields=["handler_department", "status"], name="issue_handler_dept_status"),
            models.Index(fields=["handler_team", "status"], name="issue_handler_team_status"),
            models.Index(fields=["supervision_unit", "status"], name="issue_supervision_status"),
            models.Index(fields=["reporter", "-created_at"], name="issue_reporter_created"),
            models.Index(fields=["category", "created_at"], name="issue_category_created"),
            models.Index(fields=["created_at"], name="issue_created"),
            models.Index(fields=["updated_at"], name="issue_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gte=models.F("created_at")), name="issue_due_after_created"),
            # Once routed, an issue always has a handler.
            models.CheckConstraint(
                condition=Q(status="collected") | ~Q(handler_kind=""), name="issue_routed_has_handler"
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="grid_leader") | Q(handler_user__isnull=False),
                name="issue_leader_handler_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="office") | Q(handler_unit__isnull=False),
                name="issue_office_handler_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="department") | Q(handler_department__isnull=False),
                name="issue_department_handler_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="volunteer_team") | Q(handler_team__isnull=False),
                name="issue_team_handler_named",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="issue_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(reject_reason="duplicate") | Q(duplicate_of__isnull=False),
                name="issue_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(satisfaction__in=["satisfied", "basic"]),
                name="issue_closed_has_positive_feedback",
            ),
        ]

    def __str__(self) -> str:
        # Never the resident's name or phone: this string ends up in logs.
        return f"#{self.pk}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    # Shown on every row of every issue list: labels from a table per language, not Django's
    # get_FOO_display (which translates every choice to find one).
    def get_status_display(self) -> str:
        return choice_label(self.Status, self.status)

    def get_priority_display(self) -> str:
        return choice_label(self.Priority, self.priority)

    def get_kind_display(self) -> str:
        return choice_label(IssueKind, self.kind)

    def is_overdue(self, now=None) -> bool:
        return self.status in self.CLOCK_STATUSES and self.due_at < (now or timezone.now())

    def is_near_due(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status in self.CLOCK_STATUSES and self.remind_at <= now <= self.due_at

    @property
    def deadline_state(self) -> str:
        """'overdue' (red), 'near' (yellow) or '' for the badges."""
        return self.deadline_state_at(timezone.now())

    def deadline_state_at(self, now) -> str:
        """`deadline_state` at `now` (a list asks every row at one moment)."""
        if self.is_overdue(now):
            return "overdue"
        if self.is_near_due(now):
            return "near"
        return ""

    @staticmethod
    def deadlines(start, hours: int) -> tuple:
        """(due_at, remind_at) for a time limit starting at `start`: remind at 80%."""
        return start + timedelta(hours=hours), start + timedelta(hours=hours) * 0.8

    @property
    def handler_label(self) -> str:
        """How the handler reads ("解东社区办公室", "网格长 张三"): its kind says (`issues.handler_kinds`)."""
        from issues.handler_kinds import describe

        return describe(self)


class IssueEvent(models.Model):
    """One line of an issue's timeline: who, when, what, a note. Written once, never edited."""

    class Kind(models.TextChoices):
        COLLECTED = "collected", _("登记")
        ROUTING_PENDING = "routing_pending", _("等待分派")
        ALLOCATED = "allocated", _("分配")
        ASSIGNED = "assigned", _("指派经办人")
        ACCEPTED = "accepted", _("受理")
        DECOMPOSED = "decomposed", _("分解")
        TASK_DONE = "task_done", _("子任务完成")
        PROGRESS = "progress", _("进展")
        RESOLVED = "resolved", _("办结")
        FEEDBACK = "feedback", _("反馈")
        REOPENED = "reopened", _("重新办理")
        SUSPENDED = "suspended", _("挂起")
        RESUMED = "resumed", _("恢复办理")
        REJECTED = "rejected", _("退回")
        ESCALATED = "escalated", _("上报")
        REMINDED = "reminded", _("临期提醒")
        SUPERVISED = "supervised", _("逾期督办")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("同意延期")
        EXTENSION_REFUSED = "extension_refused", _("不同意延期")
        PHOTO_ADDED = "photo_added", _("上传照片")
        URGED = "urged", _("催办")
        REASSIGNED = "reassigned", _("督办改派")

    issue = models.ForeignKey(
        Issue, verbose_name=_("问题"), db_index=False, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示系统自动操作。"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Issue.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Issue.Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        db_table = "grids_issueevent"  # the table kept its name when issues left grids
        verbose_name = _("问题事件")
        verbose_name_plural = _("问题事件")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["issue", "at"], name="issueevent_issue_at"),
            models.Index(fields=["kind", "at"], name="issueevent_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IssuePhoto(models.Model):
    """A photo of the problem (or of its solution): checked, EXIF-free, served only through an access check."""

    issue = models.ForeignKey(Issue, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=issue_photo_path, max_length=200)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        db_table = "grids_issuephoto"  # the table kept its name when issues left grids
        verbose_name = _("问题照片")
        verbose_name_plural = _("问题照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.issue_id}/{self.pk}"


class IssueTask(models.Model):
    """A sub-task of a decomposed issue (分解) for one handler; the issue resolves when all are done."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")

    issue = models.ForeignKey(Issue, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务内容"), max_length=200)
    handler_kind = models.CharField(_("承办方类型"), max_length=20, choices=HandlerKind.choices)
    handler_user = models.ForeignKey(
        User, verbose_name=_("承办人"), on_delete=models.PROTECT, null=True, blank=True, related_name="issue_tasks"
    )
    handler_unit = models.ForeignKey(
        GridUnit, verbose_name=_("承办办公室"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handler_department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    handler_team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("承办服务队"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issue_tasks",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(User, verbose_name=_("分解人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    done_by = models.ForeignKey(
        User, verbose_name=_("完成人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("办理情况"), blank=True)

    class Meta:
        db_table = "grids_issuetask"  # the table kept its name when issues left grids
        verbose_name = _("子任务")
        verbose_name_plural = _("子任务")
        ordering = ["issue_id", "pk"]
        indexes = [
            models.Index(fields=["handler_unit", "status"], name="issuetask_unit_status"),
            models.Index(fields=["handler_department", "status"], name="issuetask_dept_status"),
            models.Index(fields=["handler_user", "status"], name="issuetask_user_status"),
            models.Index(fields=["handler_team", "status"], name="issuetask_team_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(handler_kind="grid_leader") | Q(handler_user__isnull=False),
                name="issuetask_leader_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="office") | Q(handler_unit__isnull=False),
                name="issuetask_office_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="department") | Q(handler_department__isnull=False),
                name="issuetask_department_named",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="volunteer_team") | Q(handler_team__isnull=False),
                name="issuetask_team_named",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(done_at__isnull=False), name="issuetask_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def handler_label(self) -> str:
        return Issue.handler_label.fget(self)


class DeadlineExtension(models.Model):
    """A handler's request for more time; the level above approves or refuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("不同意")

    issue = models.ForeignKey(Issue, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="extensions")
    hours = models.PositiveIntegerField(_("延长小时数"))
    reason = models.TextField(_("延期理由"))
    approver_unit = models.ForeignKey(
        GridUnit, verbose_name=_("审批单位"), db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("审批人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        db_table = "grids_deadlineextension"  # the table kept its name when issues left grids
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["approver_unit", "status"], name="extension_approver_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(status="pending"), name="extension_one_pending_per_issue"
            ),
            models.CheckConstraint(condition=Q(hours__gte=1) & Q(hours__lte=24 * 30), name="extension_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} +{self.hours}h"


class Notification(models.Model):
    """An in-app message to one person; the header shows the unread count."""

    class Kind(models.TextChoices):
        ROUTED = "routed", _("新问题待办")
        ASSIGNED = "assigned", _("指派给您")
        TASK = "task", _("新子任务")
        REMINDER = "reminder", _("即将到期")
        OVERDUE = "overdue", _("逾期督办")
        EXTENSION_REQUESTED = "extension_requested", _("延期待审批")
        EXTENSION_DECIDED = "extension_decided", _("延期审批结果")
        RESOLVED = "resolved", _("问题已办结")
        REOPENED = "reopened", _("群众不满意，重新办理")
        REJECTED = "rejected", _("问题被退回")
        URGED = "urged", _("上级催办")
        REASSIGNED = "reassigned", _("督办改派给您")
        # Hand-offs of the other apps (they name the page in `link`; no issue).
        EVALUATION_STAGE = "evaluation_stage", _("考核待您评价")
        CONTRACT_RETURNED = "contract_returned", _("考核被退回")
        RECORD_TO_VERIFY = "record_to_verify", _("服务记录待审核")
        DEMAND_TO_VERIFY = "demand_to_verify", _("诉求服务待审核")

    recipient = models.ForeignKey(
        User, verbose_name=_("接收人"), db_index=False, on_delete=models.CASCADE, related_name="notifications"
    )
    issue = models.ForeignKey(
        Issue, verbose_name=_("问题"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    # What the message is about and where it leads, for hand-offs outside issues (a contract's
    # evaluation, a service record): the sender writes the path, so this app knows none of theirs.
    subject = models.CharField(_("摘要"), max_length=200, blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        db_table = "grids_notification"  # the table kept its name when issues left grids
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.issue_id}"


def staged_photo_path(instance, filename: str) -> str:
    return f"issues/staged/{uuid.uuid4().hex}{filename[filename.rfind('.') :] if '.' in filename else ''}"


class StagedPhoto(models.Model):
    """A photo chosen on the log form when the form came back with an error: kept (checked and
    EXIF-free) so the worker does not choose it again; only its owner reads it, by its token."""

    token = models.UUIDField(_("令牌"), default=uuid.uuid4, unique=True)
    owner = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+")
    image = models.FileField(_("照片"), upload_to=staged_photo_path, max_length=200)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("暂存照片")
        verbose_name_plural = _("暂存照片")
        indexes = [models.Index(fields=["owner", "created_at"], name="stagedphoto_owner_created")]

    def __str__(self) -> str:
        return str(self.token)


def new_client_key() -> uuid.UUID:
    return uuid.uuid4()
