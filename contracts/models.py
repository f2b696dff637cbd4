"""Contract-based co-building 契约化共建: units, contracts, commitments, progress, evaluation, tallies, boards, awards.

An urban community's party organisation signs a yearly contract 契约书 with a
co-building unit (a resident unit, a sector body or a new-economy
organisation). The community lists what it needs (需求清单), the unit what it
offers (资源清单); each commitment 承诺服务事项 pairs one demand with one
resource and carries quarterly targets. The unit's contact reports progress
each quarter; a quarterly tally rolls completion up the grid tree; the
community publishes it on the public disclosure board 党务公开栏; at year end
the contract goes through the four-stage evaluation and the district
organisation department selects advanced units and people.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

SCORE_MAX = 100


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}


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


class Evaluation(models.Model):
    """The year-end four-stage evaluation of one contract, strictly in order.

    Unit self-evaluation → community party organisation review → street
    committee overall evaluation → district organisation department re-check.
    `stage` is the stage waiting for its score; the final score is the re-check's.
    """

    class Stage(models.TextChoices):
        SELF = "self", _("单位自评")
        COMMUNITY = "community", _("社区党组织审核")
        STREET = "street", _("街道党工委综合评价")
        DISTRICT = "district", _("城区党委组织部复核")
        DONE = "done", _("考评完成")

    ORDER = [Stage.SELF, Stage.COMMUNITY, Stage.STREET, Stage.DISTRICT, Stage.DONE]
    SCORE_FIELDS = {
        Stage.SELF: "self_score",
        Stage.COMMUNITY: "community_score",
        Stage.STREET: "street_score",
        Stage.DISTRICT: "district_score",
    }

    contract = models.OneToOneField(
        Contract, verbose_name=_("契约"), on_delete=models.CASCADE, related_name="evaluation"
    )
    stage = models.CharField(_("当前环节"), max_length=10, choices=Stage.choices, default=Stage.SELF)
    self_score = models.PositiveSmallIntegerField(_("自评分"), null=True, blank=True)
    community_score = models.PositiveSmallIntegerField(_("社区审核分"), null=True, blank=True)
    street_score = models.PositiveSmallIntegerField(_("街道评价分"), null=True, blank=True)
    district_score = models.PositiveSmallIntegerField(_("城区复核分"), null=True, blank=True)
    final_score = models.PositiveSmallIntegerField(_("最终得分"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("契约考评")
        verbose_name_plural = _("契约考评")
        ordering = ["contract"]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": SCORE_MAX}),
                    name=f"evaluation_{field}_range",
                )
                for field in ("self_score", "community_score", "street_score", "district_score", "final_score")
            ),
            # The final score exists exactly when the re-check is done, and is the re-check's.
            models.CheckConstraint(
                condition=Q(stage="done", final_score__isnull=False, completed_at__isnull=False)
                | (~Q(stage="done") & Q(final_score__isnull=True, completed_at__isnull=True)),
                name="evaluation_final_score_when_done",
            ),
        ]
        indexes = [models.Index(fields=["stage"], name="evaluation_stage")]

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_stage_display()}"

    @classmethod
    def previous_stage(cls, stage: str) -> str | None:
        index = cls.ORDER.index(stage)
        return cls.ORDER[index - 1] if index > 0 else None

    @classmethod
    def next_stage(cls, stage: str) -> str:
        return cls.ORDER[cls.ORDER.index(stage) + 1]


class EvaluationStep(models.Model):
    """One act in an evaluation's history: a stage's score, or its sending the evaluation back."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("评分")
        SENT_BACK = "sent_back", _("退回")

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("考评"), on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("环节"), max_length=10, choices=Evaluation.Stage.choices)
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    comments = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("考评记录")
        verbose_name_plural = _("考评记录")
        ordering = ["evaluation", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action="submitted") & Q(score__isnull=False) & Q(score__lte=SCORE_MAX))
                | (Q(action="sent_back") & Q(score__isnull=True) & ~Q(comments="")),
                name="evaluationstep_score_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_action_display()}"


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


class AwardList(models.Model):
    """A district's yearly list of advanced co-building units and people, chosen by its organisation department."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("评选中")
        PUBLISHED = "published", _("已公布")

    district = models.ForeignKey(
        GridUnit, verbose_name=_("城区"), on_delete=models.PROTECT, related_name="contract_award_lists"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度评先名单")
        verbose_name_plural = _("年度评先名单")
        ordering = ["-year", "district__path"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="awardlist_one_per_district_year"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="awardlist_published_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year}"


class AwardEntry(models.Model):
    """An advanced unit 先进共建单位 or an advanced person 先进个人 on a district's yearly list."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("先进共建单位")
        PERSON = "person", _("先进个人")

    award_list = models.ForeignKey(
        AwardList, verbose_name=_("评先名单"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(CoBuildingUnit, verbose_name=_("共建单位"), on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, verbose_name=_("依据契约"), on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("先进个人姓名"), max_length=60, blank=True)
    citation = models.TextField(_("主要事迹"), blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评选人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected_at = models.DateTimeField(_("评选时间"))

    class Meta:
        verbose_name = _("评先名单条目")
        verbose_name_plural = _("评先名单条目")
        ordering = ["award_list", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["award_list", "unit"], condition=Q(kind="unit"), name="awardentry_unit_once_per_list"
            ),
            models.UniqueConstraint(
                fields=["award_list", "person_name", "unit"],
                condition=Q(kind="person"),
                name="awardentry_person_once_per_list",
            ),
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(person_name="")) | (Q(kind="person") & ~Q(person_name="")),
                name="awardentry_person_name_iff_person",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name or str(self.unit)
