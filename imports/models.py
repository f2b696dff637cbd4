"""An import job: the uploaded file, its dry run and its application, with progress and a result report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_path(instance, filename: str) -> str:
    name = filename.lower()
    suffix = ".xlsx" if name.endswith(".xlsx") else ".geojson" if name.endswith((".geojson", ".json")) else ".csv"
    return f"imports/{instance.created_at:%Y/%m}/{instance.token}{suffix}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("已检查，待确认")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("失败")

    token = models.UUIDField(_("编号"), unique=True)
    kind = models.CharField(_("导入类型"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    # The importer's unit (their staff post) whose subtree the job may write: what a street's staff see.
    scope_unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("所属单元"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=upload_path, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    # The grid tree's optional GeoJSON boundaries (a FeatureCollection whose features name unit codes).
    boundary_file = models.FileField(_("边界文件"), upload_to=upload_path, max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    total = models.PositiveIntegerField(_("行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    # The rows a person reads on the page: every refused row first, then the others, at most PREVIEW_ROWS.
    preview = models.JSONField(_("逐行结果（摘要）"), default=list, blank=True)
    report = models.FileField(_("结果报告"), upload_to="imports/reports/", max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("上传时间"))
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_creator_created")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.file_name}"

    @property
    def refused(self) -> int:
        return int(self.counts.get("refuse", 0))

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.CHECKED and self.refused == 0 and self.total > 0
