"""Quarterly tallies, their run log, and the frozen publications of the public disclosure board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from .contracts import Contract


class TallyRun(models.Model):
    """One computation of a quarter's tallies: when, why and by whom."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定时任务")
        ADMIN = "admin", _("后台操作")
        COMMAND = "command", _("管理命令")
        PUBLISH = "publish", _("发布前刷新")
        DEMO = "demo", _("演示数据")

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    within = models.ForeignKey(
        GridUnit,
        verbose_name=_("范围"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空表示全市"),
    )
    trigger = models.CharField(_("触发方式"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("写入或变化的行数"), default=0)

    class Meta:
        verbose_name = _("季度统计运行")
        verbose_name_plural = _("季度统计运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.started_at:%Y-%m-%d %H:%M}"


class TallyFigures(models.Model):
    """The figures a tally, a board publication and a board line share."""

    contracts = models.PositiveIntegerField(_("契约数"), default=0)
    due = models.PositiveIntegerField(_("应完成事项"), default=0)
    met = models.PositiveIntegerField(_("已完成"), default=0)
    partially_met = models.PositiveIntegerField(_("部分完成"), default=0)
    not_met = models.PositiveIntegerField(_("未完成"), default=0)
    pending = models.PositiveIntegerField(_("未填报"), default=0)
    weight_due = models.PositiveIntegerField(_("应完成权重"), default=0)
    weight_credit = models.DecimalField(_("完成权重"), max_digits=12, decimal_places=1, default=0)
    completion_rate = models.DecimalField(_("加权完成率(%)"), max_digits=5, decimal_places=2, null=True, blank=True)

    FIELDS = (
        "contracts",
        "due",
        "met",
        "partially_met",
        "not_met",
        "pending",
        "weight_due",
        "weight_credit",
        "completion_rate",
    )

    class Meta:
        abstract = True

    def figures(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}


class QuarterlyTally(TallyFigures):
    """Completion of the commitments due in a quarter, for one scope: a contract or a grid unit.

    Written only by `contracts.services.tally.tally_quarter` (one row per scope
    and quarter; a second run rewrites nothing). Credit per due commitment:
    met = its weight, partially met = half its weight, not met or unreported = 0;
    the rate is credit / weight due, in per cent.
    """

    class Scope(models.TextChoices):
        CONTRACT = "contract", _("契约")
        COMMUNITY = "community", _("社区")
        STREET = "street", _("街道")
        DISTRICT = "district", _("城区")
        CITY = "city", _("全市")

    # Tree depth (GridUnit.Level) of each unit scope: its path prefix is 4 × depth characters.
    SCOPE_LEVELS = {
        Scope.CITY: GridUnit.Level.CITY,
        Scope.DISTRICT: GridUnit.Level.DISTRICT,
        Scope.STREET: GridUnit.Level.STREET,
        Scope.COMMUNITY: GridUnit.Level.COMMUNITY,
    }

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    scope = models.CharField(_("统计范围"), max_length=10, choices=Scope.choices)
    unit = models.ForeignKey(
        GridUnit,
        verbose_name=_("单元"),
        on_delete=models.CASCADE,
        related_name="contract_tallies",
        help_text=_("契约行为契约所在社区"),
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("契约"), null=True, blank=True, on_delete=models.CASCADE, related_name="tallies"
    )
    updated_at = models.DateTimeField(_("数据变化时间"))

    class Meta:
        verbose_name = _("季度统计")
        verbose_name_plural = _("季度统计")
        ordering = ["year", "quarter", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "quarter"],
                condition=Q(contract__isnull=False),
                name="tally_one_per_contract_quarter",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"],
                condition=Q(contract__isnull=True),
                name="tally_one_per_unit_quarter",
            ),
            models.CheckConstraint(
                condition=(Q(scope="contract") & Q(contract__isnull=False))
                | (~Q(scope="contract") & Q(contract__isnull=True)),
                name="tally_contract_iff_contract_scope",
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="tally_quarter_range"),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "scope"], name="tally_period_scope"),
            models.Index(fields=["unit", "year", "quarter"], name="tally_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.get_scope_display()} {self.unit_id}"


class BoardPublication(TallyFigures):
    """A community's quarter on the public disclosure board 党务公开栏: a frozen snapshot.

    Version 1 is the original publication. A later change of progress never
    alters it: a correction is a new version with its reason, and the board
    shows it as a correction beside the earlier figures.
    """

    community = models.ForeignKey(
        GridUnit, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="board_publications"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    reason = models.TextField(_("更正原因"), blank=True)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("公开栏发布")
        verbose_name_plural = _("公开栏发布")
        ordering = ["community", "-year", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "quarter", "version"], name="board_one_version_per_quarter"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="board_quarter_range"),
            # A correction always says why.
            models.CheckConstraint(condition=Q(version=1) | ~Q(reason=""), name="board_correction_has_reason"),
        ]
        indexes = [models.Index(fields=["year", "quarter"], name="board_period")]

    def __str__(self) -> str:
        return f"{self.community} {self.year}Q{self.quarter} v{self.version}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class BoardLine(TallyFigures):
    """One contract's frozen figures inside a board publication (organisations only, no persons)."""

    publication = models.ForeignKey(
        BoardPublication, verbose_name=_("公开栏发布"), on_delete=models.CASCADE, related_name="lines"
    )
    contract = models.ForeignKey(Contract, verbose_name=_("契约"), on_delete=models.PROTECT, related_name="+")
    contract_number = models.CharField(_("契约编号"), max_length=40)
    unit_name = models.CharField(_("共建单位"), max_length=120)

    class Meta:
        verbose_name = _("公开栏明细")
        verbose_name_plural = _("公开栏明细")
        ordering = ["publication", "contract_number"]
        constraints = [models.UniqueConstraint(fields=["publication", "contract"], name="boardline_one_per_contract")]

    def __str__(self) -> str:
        return f"{self.contract_number} {self.unit_name}"
