"""Tourism red stations 旅游红色驿站: the menu of services, the service log, jobs and local products."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from .points import ServicePoint


class ServiceKind(models.Model):
    """A service on a red station's menu: consultation, medical help, rescue, mediation and others, as data."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("驿站服务项目")
        verbose_name_plural = _("驿站服务项目")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class RedStationService(models.Model):
    """One service given at a red station, logged with one tap by its staff."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="services_given"
    )
    service_kind = models.ForeignKey(
        ServiceKind, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="+"
    )
    served_at = models.DateTimeField(_("服务时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示历史台账导入"),
    )
    logged_at = models.DateTimeField(_("登记时间"))
    # Set by the phone page: a second tap or a retried request with the same key logs nothing new.
    client_key = models.UUIDField(_("客户端标识"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("驿站服务记录")
        verbose_name_plural = _("驿站服务记录")
        ordering = ["-served_at", "-pk"]
        indexes = [
            models.Index(fields=["point", "served_at"], name="redservice_point_time"),
            models.Index(fields=["served_at"], name="redservice_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["point", "client_key"], name="redservice_unique_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.point} · {self.service_kind} · {self.served_at:%Y-%m-%d %H:%M}"


class JobOffer(models.Model):
    """Posts a red station offers to low-income households (导游、票务、保安等岗位)."""

    class Role(models.TextChoices):
        GUIDE = "guide", _("导游")
        TICKETING = "ticketing", _("票务")
        SECURITY = "security", _("保安")
        ECOMMERCE = "ecommerce", _("电商")
        CLEANING = "cleaning", _("保洁")
        OTHER = "other", _("其他")

    point = models.ForeignKey(ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="job_offers")
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices)
    positions = models.PositiveIntegerField(_("岗位数"))
    offered_on = models.DateField(_("提供日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶岗位")
        verbose_name_plural = _("帮扶岗位")
        ordering = ["-offered_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(positions__gt=0), name="joboffer_positions_positive")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} × {self.positions}"


class LocalProduct(models.Model):
    """A local product shown at a red station (产品展示区、第一书记推荐区)."""

    class Category(models.TextChoices):
        FARM = "farm", _("乡村特色农产品")
        SPECIALTY = "specialty", _("土特产")
        SOUVENIR = "souvenir", _("旅游纪念品")

    point = models.ForeignKey(ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("产品名称"), max_length=80)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    producer = models.CharField(_("生产者"), max_length=80, help_text=_("合作社、企业或农户"))
    origin = models.ForeignKey(
        GridUnit, verbose_name=_("产地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_secretary_pick = models.BooleanField(_("第一书记推荐"), default=False)

    class Meta:
        verbose_name = _("特色产品")
        verbose_name_plural = _("特色产品")
        ordering = ["-first_secretary_pick", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class RedStationMonthlyTally(models.Model):
    """Services per station, service and closed calendar month: the roll-up dashboards read.

    Rebuilt from the log by `services.red_station_tally_refresh` (nightly, and at
    once for a month that receives a back-dated entry); the month under way is
    always counted live from the log.
    """

    point = models.ForeignKey(ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="tallies")
    service_kind = models.ForeignKey(
        ServiceKind, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("当月第一天（北京时间）"))
    services = models.PositiveIntegerField(_("服务次数"))
    refreshed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("驿站月度服务统计")
        verbose_name_plural = _("驿站月度服务统计")
        ordering = ["-month", "point", "service_kind"]
        indexes = [models.Index(fields=["month", "point"], name="redtally_month_point")]
        constraints = [
            models.UniqueConstraint(fields=["point", "month", "service_kind"], name="redtally_unique_point_month_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.point} · {self.month:%Y-%m} · {self.service_kind}: {self.services}"
