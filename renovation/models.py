"""Renovation projects (改造提升): urban villages (城中村) and compounds without property management
(无物业管理小区), with their before/after photos and the micro-parks and venues they produced.

The report: "全市共完成111个城中村及260个无物业管理小区改造提升，建设党建主题精品微公园等60余个".
A project belongs to one grid unit (the village or the compound) and is scoped like every row below it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit
from service_centers.models import ServicePoint


def renovation_photo_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"renovation_photos/{now:%Y/%m}/{filename}"


class ProjectQuerySet(models.QuerySet):
    def finished(self) -> ProjectQuerySet:
        return self.filter(status=Project.Status.FINISHED)

    def in_subtree(self, path: str) -> ProjectQuerySet:
        return self.filter(unit__path__startswith=path)


class Project(models.Model):
    class Kind(models.TextChoices):
        URBAN_VILLAGE = "urban_village", _("城中村")
        NO_PROPERTY_COMPOUND = "no_property_compound", _("无物业管理小区")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        IN_PROGRESS = "in_progress", _("施工中")
        FINISHED = "finished", _("已完成")

    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    unit = models.ForeignKey(
        GridUnit, on_delete=models.PROTECT, related_name="renovation_projects", verbose_name=_("城中村或小区")
    )
    name = models.CharField(_("项目名称"), max_length=120)
    scope = models.TextField(_("改造内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    finished_on = models.DateField(_("完工日期"), null=True, blank=True)
    produced_points = models.ManyToManyField(
        ServicePoint,
        blank=True,
        related_name="renovation_projects",
        verbose_name=_("建成的微公园和阵地"),
        help_text=_("改造中建成的党建主题微公园、党群服务场所等。"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("更新人"),
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("改造提升项目")
        verbose_name_plural = _("改造提升项目")
        ordering = ["unit__path", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="renovation_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status="finished") | (Q(progress=100) & Q(finished_on__isnull=False)),
                name="renovation_finished_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(started_on__isnull=False), name="renovation_started_has_date"
            ),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(started_on__lte=models.F("finished_on")),
                name="renovation_finishes_after_start",
            ),
            models.UniqueConstraint(fields=["unit", "kind"], name="renovation_one_project_per_unit"),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="renovation_kind_status")]

    def __str__(self) -> str:
        return self.name


class Photo(models.Model):
    class Stage(models.TextChoices):
        BEFORE = "before", _("改造前")
        AFTER = "after", _("改造后")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos", verbose_name=_("项目"))
    stage = models.CharField(_("阶段"), max_length=8, choices=Stage.choices)
    image = models.ImageField(_("照片"), upload_to=renovation_photo_path)
    caption = models.CharField(_("说明"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("改造照片")
        verbose_name_plural = _("改造照片")
        ordering = ["project", "stage", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_stage_display()}"
