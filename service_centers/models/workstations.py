"""Pioneer alliance workstations 先锋联盟工作站: members, monthly activities, deliberation meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .points import ServicePoint


class HonourLevel(models.TextChoices):
    """Who gave an honour: the report takes members honoured at county level or above (县市区级以上)."""

    COUNTY = "county", _("县（市、区）级")
    CITY = "city", _("市级")
    REGION = "region", _("自治区级")
    NATIONAL = "national", _("国家级")


class WorkstationMember(models.Model):
    """A vanguard model (党员先锋模范) enrolled in a workstation. Personal data: staff pages only."""

    point = models.ForeignKey(ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    organisation = models.CharField(_("工作单位"), max_length=120, blank=True)
    joined_on = models.DateField(_("编入日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作站成员")
        verbose_name_plural = _("工作站成员")
        ordering = ["point", "joined_on", "pk"]

    def __str__(self) -> str:
        return self.name


class MemberHonour(models.Model):
    member = models.ForeignKey(
        WorkstationMember, verbose_name=_("成员"), on_delete=models.CASCADE, related_name="honours"
    )
    title = models.CharField(_("荣誉称号"), max_length=120)
    level = models.CharField(_("授予级别"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("获得年份"))

    class Meta:
        verbose_name = _("成员荣誉")
        verbose_name_plural = _("成员荣誉")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_level_display()}，{self.year}）"


class ActivityCategory(models.TextChoices):
    """The report's monthly activities: 环境保护、爱心帮困、社会公益等."""

    ENVIRONMENT = "environment", _("环境保护")
    CARE = "care", _("爱心帮困")
    PUBLIC_WELFARE = "public_welfare", _("社会公益")
    OTHER = "other", _("其他")


class WorkstationActivity(models.Model):
    """One activity a workstation held; compliance wants at least one in every month."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="workstation_activities"
    )
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=120)
    category = models.CharField(_("类别"), max_length=20, choices=ActivityCategory.choices)
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # When the activity was run as a volunteer activity (volunteers app) the record points to it,
    # so its sign-ups and hours stay there; see services.workstation_activity_from_volunteer.
    volunteer_activity = models.ForeignKey(
        "volunteers.Activity",
        verbose_name=_("志愿服务活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workstation_records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("工作站活动")
        verbose_name_plural = _("工作站活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["point", "held_on"], name="wsactivity_point_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "volunteer_activity"],
                condition=Q(volunteer_activity__isnull=False),
                name="wsactivity_one_record_per_volunteer_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class DeliberationMeeting(models.Model):
    """A workstation's deliberation meeting (集中议事): at least six a year."""

    point = models.ForeignKey(ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("议事日期"))
    topic = models.CharField(_("议题"), max_length=200)
    attendees = models.CharField(_("参加人员"), max_length=300, help_text=_("如：辖区党员12人、居民代表8人"))
    attendee_count = models.PositiveIntegerField(_("参加人数"))
    decisions = models.TextField(_("议定事项"))
    follow_up = models.TextField(_("后续跟进"), blank=True, help_text=_("交办、转办的群众诉求及其编号，办理情况"))
    # The resident issues the meeting passed on (grids app): their progress is followed there.
    follow_up_issues = models.ManyToManyField(
        "issues.Issue", verbose_name=_("跟进的群众诉求"), blank=True, related_name="deliberation_meetings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("集中议事")
        verbose_name_plural = _("集中议事")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["point", "held_on"], name="meeting_point_date")]
        constraints = [models.CheckConstraint(condition=Q(attendee_count__gt=0), name="meeting_has_attendees")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"
