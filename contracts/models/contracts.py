"""Co-building units, contracts with their demand/resource lists, commitments, progress and timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grids.models import GridUnit


class CoBuildingUnit(models.Model):
    """An organisation that signs contracts with communities, with its own party organisation."""

    class Kind(models.TextChoices):
        RESIDENT_UNIT = "resident_unit", _("驻区单位")
        SECTOR = "sector", _("行业系统")
        NEW_ECONOMY = "new_economy", _("新兴领域组织")

    name = models.CharField(_("单位名称"), max_length=120, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    party_organisation = models.CharField(_("党组织名称"), max_length=120)
    district = models.ForeignKey(
        GridUnit,
        verbose_name=_("所在城区"),
        on_delete=models.PROTECT,
        related_name="cobuilding_units",
        limit_choices_to={"level": GridUnit.Level.DISTRICT},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["district", "kind"], name="cbunit_district_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class CoBuildingUnitContact(models.Model):
    """A person acting for a co-building unit: sees and reports on that unit's contracts only."""

    unit = models.ForeignKey(
        CoBuildingUnit, verbose_name=_("共建单位"), on_delete=models.CASCADE, related_name="contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="cobuilding_contacts",
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共建单位联系人")
        verbose_name_plural = _("共建单位联系人")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="cbcontact_unique_user_unit")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"


class ContractQuerySet(models.QuerySet):
    def counted(self) -> ContractQuerySet:
        """Contracts that count in tallies: signed or later (a draft promises nothing yet)."""
        return self.exclude(status=Contract.Status.DRAFT)


class Contract(models.Model):
    """A community's yearly co-building contract 契约书 with one unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        SIGNED = "signed", _("已签订")
        ACTIVE = "active", _("履约中")
        CLOSED = "closed", _("已结束")

    number = models.CharField(_("契约编号"), max_length=40, unique=True)
    title = models.CharField(_("契约名称"), max_length=150)
    community = models.ForeignKey(
        GridUnit,
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"level": GridUnit.Level.COMMUNITY},
    )
    unit = models.ForeignKey(
        CoBuildingUnit, verbose_name=_("共建单位"), on_delete=models.PROTECT, related_name="contracts"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Audit history (who changed what, when): every .save() through the services; bulk seeding writes none.
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("共建契约")
        verbose_name_plural = _("共建契约")
        ordering = ["-year", "number"]
        constraints = [
            # One contract a year between a community and a unit (the report's yearly 契约书).
            models.UniqueConstraint(fields=["community", "unit", "year"], name="contract_one_per_pair_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="contract_year_range"),
            models.CheckConstraint(
                condition=Q(status="draft", signed_on__isnull=True) | (~Q(status="draft") & Q(signed_on__isnull=False)),
                name="contract_signed_on_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="contract_year_status"),
            models.Index(fields=["community", "year"], name="contract_community_year"),
            models.Index(fields=["unit", "year"], name="contract_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DemandItem(models.Model):
    """One line of the community's demand list 需求清单."""

    contract = models.ForeignKey(Contract, verbose_name=_("契约"), on_delete=models.CASCADE, related_name="demands")
    title = models.CharField(_("需求"), max_length=150)
    detail = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求清单项")
        verbose_name_plural = _("需求清单")
        ordering = ["contract", "pk"]

    def __str__(self) -> str:
        return self.title


class ResourceItem(models.Model):
    """One line of the unit's resource list 资源清单."""

    contract = models.ForeignKey(Contract, verbose_name=_("契约"), on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("资源"), max_length=150)
    detail = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资源清单项")
        verbose_name_plural = _("资源清单")
        ordering = ["contract", "pk"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """A committed service item 承诺服务事项: one resource answering one demand, with quarterly targets."""

    class TargetKind(models.TextChoices):
        COUNT = "count", _("次数")
        MILESTONE = "milestone", _("节点")

    contract = models.ForeignKey(Contract, verbose_name=_("契约"), on_delete=models.CASCADE, related_name="commitments")
    demand = models.ForeignKey(
        DemandItem, verbose_name=_("对应需求"), on_delete=models.PROTECT, related_name="commitments"
    )
    resource = models.ForeignKey(
        ResourceItem, verbose_name=_("投入资源"), on_delete=models.PROTECT, related_name="commitments"
    )
    title = models.CharField(_("承诺事项"), max_length=150)
    target_kind = models.CharField(_("目标类型"), max_length=10, choices=TargetKind.choices)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1, help_text=_("1–10，用于加权完成率"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺服务事项")
        verbose_name_plural = _("承诺服务事项")
        ordering = ["contract", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10), name="commitment_weight_range"),
        ]

    def __str__(self) -> str:
        return self.title


class CommitmentTarget(models.Model):
    """What a commitment promises in one quarter of the contract's year: a count, or a milestone."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺事项"), on_delete=models.CASCADE, related_name="targets"
    )
    quarter = models.PositiveSmallIntegerField(_("季度"))
    target_count = models.PositiveIntegerField(_("目标次数"), default=1)
    milestone = models.CharField(_("节点目标"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("季度目标")
        verbose_name_plural = _("季度目标")
        ordering = ["commitment", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "quarter"], name="target_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="target_quarter_range"),
            models.CheckConstraint(condition=Q(target_count__gte=1), name="target_count_positive"),
        ]
        indexes = [models.Index(fields=["quarter", "commitment"], name="target_quarter_commitment")]

    def __str__(self) -> str:
        return f"Q{self.quarter}: {self.milestone or self.target_count}"


class Progress(models.Model):
    """A commitment's progress in one quarter, reported by the unit's contact with evidence.

    Statuses follow the Open Contracting milestone vocabulary (scheduled, met,
    partiallyMet, notMet), so the data can be exported as OCDS milestones.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("计划中")
        MET = "met", _("已完成")
        PARTIALLY_MET = "partiallyMet", _("部分完成")
        NOT_MET = "notMet", _("未完成")

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺事项"), on_delete=models.CASCADE, related_name="progress"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("完成情况"), max_length=12, choices=Status.choices)
    achieved_count = models.PositiveIntegerField(_("完成次数"), null=True, blank=True)
    evidence_text = models.TextField(_("佐证说明"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="contracts/evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("填报时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("季度进度")
        verbose_name_plural = _("季度进度")
        ordering = ["commitment", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "year", "quarter"], name="progress_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="progress_quarter_range"),
        ]
        indexes = [models.Index(fields=["year", "quarter", "status"], name="progress_period_status")]

    def __str__(self) -> str:
        return f"{self.commitment} {self.year}Q{self.quarter} {self.get_status_display()}"


class ContractEvent(models.Model):
    """The contract's timeline: who did what, when (every write that matters leaves one)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建契约")
        DEMAND_ADDED = "demand_added", _("添加需求")
        RESOURCE_ADDED = "resource_added", _("添加资源")
        COMMITMENT_ADDED = "commitment_added", _("添加承诺事项")
        SIGNED = "signed", _("签订")
        ACTIVATED = "activated", _("开始履约")
        CLOSED = "closed", _("结束")
        PROGRESS_REPORTED = "progress_reported", _("填报进度")
        EVALUATION_SUBMITTED = "evaluation_submitted", _("提交考评")
        EVALUATION_SENT_BACK = "evaluation_sent_back", _("考评退回")
        CONTACT_HANDED_OVER = "contact_handed_over", _("联系人移交")

    contract = models.ForeignKey(Contract, verbose_name=_("契约"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("契约事件")
        verbose_name_plural = _("契约事件")
        ordering = ["contract", "at", "pk"]
        indexes = [models.Index(fields=["contract", "at"], name="contractevent_contract_at")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
