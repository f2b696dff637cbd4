"""Star rating 评星定级 against the “six standardizations” (六化)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from .points import ServicePoint


class StarRating(models.Model):
    """One year's rating of a service point or of a compound's party organisation.

    A re-rating of the same target and year adds a row and retires the old one
    (`is_current=False`), so every rating ever given stays on record.
    """

    MAX_SCORE = 10  # each criterion is scored 0..10
    CRITERIA = (
        ("score_organisation", _("组织建设标准化")),
        ("score_venue", _("阵地建设规范化")),
        ("score_service", _("管理服务精细化")),
        ("score_team", _("服务队伍专业化")),
        ("score_democracy", _("民主建设常态化")),
        ("score_support", _("工作保障制度化")),
    )
    # Stars from the total of the six scores (out of 60): policy thresholds, in one place.
    STAR_THRESHOLDS = ((54, 5), (48, 4), (42, 3), (36, 2), (30, 1))

    year = models.PositiveSmallIntegerField(_("年度"))
    point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("服务阵地"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    compound = models.ForeignKey(
        GridUnit,
        verbose_name=_("小区党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_ratings",
        help_text=_("小区一级的网格单元（党小组）"),
    )
    # The unit the rating belongs to (the point's unit, or the compound): what jurisdiction scopes by.
    unit = models.ForeignKey(GridUnit, verbose_name=_("单元"), on_delete=models.PROTECT, related_name="+")
    score_organisation = models.PositiveSmallIntegerField(_("组织建设标准化"))
    score_venue = models.PositiveSmallIntegerField(_("阵地建设规范化"))
    score_service = models.PositiveSmallIntegerField(_("管理服务精细化"))
    score_team = models.PositiveSmallIntegerField(_("服务队伍专业化"))
    score_democracy = models.PositiveSmallIntegerField(_("民主建设常态化"))
    score_support = models.PositiveSmallIntegerField(_("工作保障制度化"))
    total = models.PositiveSmallIntegerField(_("总分"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    note = models.CharField(_("评语"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评定时间"))
    is_current = models.BooleanField(_("当前有效"), default=True)

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "-rated_at", "-pk"]
        indexes = [models.Index(fields=["year", "is_current", "stars"], name="rating_year_current_stars")]
        constraints = [
            models.CheckConstraint(
                condition=Q(point__isnull=False, compound__isnull=True) | Q(point__isnull=True, compound__isnull=False),
                name="rating_one_target",
            ),
            models.CheckConstraint(
                condition=Q(score_organisation__lte=10)
                & Q(score_venue__lte=10)
                & Q(score_service__lte=10)
                & Q(score_team__lte=10)
                & Q(score_democracy__lte=10)
                & Q(score_support__lte=10),
                name="rating_scores_in_range",
            ),
            models.CheckConstraint(condition=Q(stars__lte=5), name="rating_stars_in_range"),
            models.UniqueConstraint(
                fields=["point", "year"], condition=Q(is_current=True), name="rating_one_current_per_point_year"
            ),
            models.UniqueConstraint(
                fields=["compound", "year"], condition=Q(is_current=True), name="rating_one_current_per_compound_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.point or self.compound} · {self.stars}★"

    @property
    def target(self):
        return self.point or self.compound

    def scores(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, field)) for field, label in self.CRITERIA]
