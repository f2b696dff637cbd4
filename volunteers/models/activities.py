"""Activities (or shifts of a resident demand) and the sign-ups to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ActivityKind(models.TextChoices):
    """What kind of service: point rules may differ per kind."""

    REGULAR = "regular", _("常规志愿服务")
    ELDERLY_CARE = "elderly_care", _("养老服务（时间银行）")
    EMERGENCY = "emergency", _("应急突击")
    DEMAND = "demand", _("群众需求服务")
    REPORT = "report", _("报到服务")


class ActivityQuerySet(models.QuerySet):
    def open(self) -> "ActivityQuerySet":
        return self.filter(status=Activity.Status.OPEN)

    def upcoming(self) -> "ActivityQuerySet":
        return self.filter(status=Activity.Status.OPEN, starts_at__gt=timezone.now())


class Activity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CANCELLED = "cancelled", _("已取消")

    Kind = ActivityKind

    title = models.CharField(_("活动名称"), max_length=120)
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("组织服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,  # activity_team_start leads with it
    )
    category = models.ForeignKey(
        "volunteers.ServiceCategory", verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("服务类型"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.REGULAR)
    unit = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("服务单元"),
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        db_index=False,  # activity_unit_start leads with it
    )
    place = models.CharField(_("地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    # Kept under the activity's row lock by the sign-up services; the check below is the last guard.
    places_taken = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    description = models.TextField(_("活动内容"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # A shift of a resident demand routed to the team (the five steps): the issue, and the sub-task the
    # shift carries out in the issue's life cycle (grids.IssueTask); done when that task is done.
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("群众诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
    )
    issue_task = models.OneToOneField(
        "issues.IssueTask",
        verbose_name=_("诉求子任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_activity",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "places_taken"])

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            models.CheckConstraint(condition=Q(places_taken__lte=F("capacity")), name="activity_within_capacity"),
            models.CheckConstraint(
                condition=Q(issue_task__isnull=True) | Q(issue__isnull=False), name="activity_task_has_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"], name="activity_unit_start"),
            models.Index(fields=["team", "starts_at"], name="activity_team_start"),
            models.Index(fields=["starts_at"], name="activity_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.places_taken)

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at


class ActivitySignup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已签到")
        CHECKED_OUT = "checked_out", _("已签退")

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="signups",
        db_index=False,  # signup_volunteer_status leads with it
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SIGNED_UP)
    signed_up_at = models.DateTimeField(_("报名时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"], condition=~Q(status="cancelled"), name="signup_one_active"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="signup_checkout_after_checkin",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="signup_volunteer_status")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED
