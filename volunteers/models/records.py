"""Service records: who served, when, where, how long, and who verified it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .activities import ActivityKind


class ServiceRecordQuerySet(models.QuerySet):
    def verified(self) -> "ServiceRecordQuerySet":
        """The only records any total counts: unverified hours count nowhere."""
        return self.filter(status=ServiceRecord.Status.VERIFIED)

    def pending(self) -> "ServiceRecordQuerySet":
        return self.filter(status=ServiceRecord.Status.PENDING)

    def live(self) -> "ServiceRecordQuerySet":
        """Records that still hold their time slot (pending or verified)."""
        return self.filter(status__in=ServiceRecord.LIVE_STATUSES)


class ServiceRecord(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        VERIFIED = "verified", _("已审核")
        REJECTED = "rejected", _("未通过")
        REVERSED = "reversed", _("已冲正")

    class Source(models.TextChoices):
        ACTIVITY = "activity", _("志愿活动")
        ISSUE = "issue", _("群众诉求")
        REPORT = "report", _("报到服务登记")

    LIVE_STATUSES = (Status.PENDING, Status.VERIFIED)

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # record_volunteer_start leads with it
    )
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # record_team_status leads with it
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.REPORT)
    activity = models.ForeignKey(
        "volunteers.Activity",
        verbose_name=_("活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    # The resident demand (grids.Issue) the service helped with: source "issue".
    issue = models.ForeignKey(
        "issues.Issue",
        verbose_name=_("群众诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    signup = models.OneToOneField(
        "volunteers.ActivitySignup",
        verbose_name=_("报名"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    category = models.ForeignKey(
        "volunteers.ServiceCategory", verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="records"
    )
    kind = models.CharField(_("服务类型"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.REGULAR)
    # The unit the service counts for: where it was done (for an organ member, their registered community).
    unit = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("服务单元"),
        on_delete=models.PROTECT,
        related_name="service_records",
        db_index=False,  # record_unit_status_start leads with it
    )
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2)
    # Set from the point rules when the record is verified (0 for a volunteer who is not a party member).
    points = models.DecimalField(_("积分"), max_digits=10, decimal_places=2, default=0)
    description = models.CharField(_("服务内容"), max_length=500, blank=True)
    solved_difficulty = models.BooleanField(_("解决困难事项"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    # The ledger entry that credited it, and the one that reversed it.
    entry = models.ForeignKey(
        "volunteers.LedgerEntry",
        verbose_name=_("入账分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_records",
    )
    reversal_entry = models.ForeignKey(
        "volunteers.LedgerEntry",
        verbose_name=_("冲正分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_records",
    )

    objects = ServiceRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="record_hours_range"),
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="record_ends_after_start"),
            models.CheckConstraint(condition=Q(points__gte=0), name="record_points_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_at__isnull=False, entry__isnull=False),
                name="record_verified_is_posted",
            ),
            models.CheckConstraint(
                condition=~Q(status="reversed") | Q(reversal_entry__isnull=False), name="record_reversed_is_posted"
            ),
            models.CheckConstraint(
                condition=Q(source="issue", issue__isnull=False) | (~Q(source="issue") & Q(issue__isnull=True)),
                name="record_issue_source",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "started_at"], name="record_status_start"),
            models.Index(fields=["unit", "status", "started_at"], name="record_unit_status_start"),
            models.Index(fields=["volunteer", "started_at"], name="record_volunteer_start"),
            models.Index(fields=["team", "status"], name="record_team_status"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.started_at:%Y-%m-%d} · {self.hours}h"
