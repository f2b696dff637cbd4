"""The four-stage year-end evaluation and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .contracts import Contract

SCORE_MAX = 100


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

    # Audit history of the scores and stage (EvaluationStep keeps the acts; this keeps the row's versions).
    history = HistoricalRecords(excluded_fields=["updated_at"])

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
