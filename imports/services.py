"""Import jobs: upload, dry run (check), apply in one transaction, report. Tasks and views call these."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import User
from grids.viewer import Viewer, viewer_of

from . import access
from .boundaries import MAX_BOUNDARY_BYTES, SUFFIXES, attach, export_boundaries, read_boundaries
from .kinds import KINDS, kind_get
from .kinds.base import REFUSE, Plan
from .models import ImportJob
from .spreadsheets import Column, read_table, write_csv, write_xlsx

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # 56,000 zones are about 2 MB as XLSX
PREVIEW_ROWS = 500
PROGRESS_EVERY = 2000
ACTIONS = {
    "create": gettext_lazy("新增"),
    "update": gettext_lazy("修改"),
    "unchanged": gettext_lazy("不变"),
    "refuse": gettext_lazy("拒绝"),
}


def progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def _progress(job: ImportJob, *, write_row: bool) -> Callable[[int], None]:
    """Reports rows handled: to the cache (seen while the apply transaction is open) and, outside a
    transaction, on the job row too (so the bar moves even without a shared cache)."""

    def report(done: int) -> None:
        cache.set(progress_key(job.pk), done, timeout=3600)
        if write_row:
            ImportJob.objects.filter(pk=job.pk).update(done=done)

    return report


def job_create(*, actor: User, kind: str, upload: UploadedFile, boundaries: UploadedFile | None = None) -> ImportJob:
    """Keep the uploaded file (and the grid tree's optional GeoJSON boundary file) and queue its dry run
    (after commit: a broker outage loses nothing)."""
    viewer = viewer_of(actor)
    if not access.can_import(viewer):
        raise PermissionDenied(_("表格导入仅限社区、街道、城区工作人员。"))
    if kind not in KINDS:
        raise ValidationError({"kind": _("请选择导入类型。")})
    name = upload.name or ""
    if not name.lower().endswith((".xlsx", ".csv")):
        raise ValidationError({"file": _("只能导入 .xlsx 或 .csv 文件。")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("文件超过 30 MB，请分批导入。")})
    if boundaries is not None:
        if kind != "grid_tree":
            raise ValidationError({"boundaries": _("只有网格单元导入可以附带边界文件。")})
        if not (boundaries.name or "").lower().endswith(SUFFIXES):
            raise ValidationError({"boundaries": _("边界文件应为 .geojson 或 .json 文件。")})
        if boundaries.size > MAX_BOUNDARY_BYTES:
            raise ValidationError({"boundaries": _("边界文件超过 60 MB，请分批导入。")})
    now = timezone.now()
    with transaction.atomic():
        job = ImportJob(token=uuid.uuid4(), kind=kind, created_by=actor, file_name=name[:200], created_at=now)
        job.file.save(name, upload, save=False)
        if boundaries is not None:
            job.boundary_file.save(boundaries.name, boundaries, save=False)
        job.save()
        transaction.on_commit(lambda: _send("check", job.pk))
    return job


def _send(what: str, job_id: int) -> None:
    from . import tasks

    task = tasks.import_check_task if what == "check" else tasks.import_apply_task
    try:
        task.delay(job_id)
    except Exception:  # the broker is down: the job stays queued; its page offers to send it again
        log.exception("import job not sent", extra={"job": job_id, "what": what})


def _parsed_name(job: ImportJob) -> str:
    return f"{job.file.name}.rows.json"


def _rows(job: ImportJob, *, keep: bool = False):
    """The file's rows: parsed from the upload (the dry run, which keeps them as JSON beside it) or read back
    from that copy (the apply: JSON loads in a fraction of the time an XLSX parses; the same rows either way)."""
    storage = job.file.storage
    parsed = _parsed_name(job)
    if not keep and storage.exists(parsed):
        with storage.open(parsed, "rb") as stream:
            return [(number, values) for number, values in json.loads(stream.read())]
    job.file.open("rb")
    try:
        data = job.file.read()
    finally:
        job.file.close()
    rows = read_table(data, job.file_name, kind_get(job.kind).columns)
    if job.boundary_file:
        job.boundary_file.open("rb")
        try:
            attach(rows, read_boundaries(job.boundary_file.read()))
        finally:
            job.boundary_file.close()
    if keep:
        if storage.exists(parsed):
            storage.delete(parsed)
        storage.save(parsed, ContentFile(json.dumps(rows, ensure_ascii=False).encode()))
    return rows


def _viewer(job: ImportJob) -> Viewer:
    # The job writes with its importer's standing as it is now (a post retired since counts no more).
    return Viewer.for_user(User.objects.get(pk=job.created_by_id))


REPORT_COLUMNS = (
    Column("row", gettext_lazy("行号")),
    Column("key", gettext_lazy("编码/手机号")),
    Column("action", gettext_lazy("结果")),
    Column("reason", gettext_lazy("原因/变更")),
)


def _record(job: ImportJob, plan: Plan, *, fields: list[str]) -> None:
    results = plan.results
    job.counts = plan.counts()
    refused = [r for r in results if r.action == REFUSE]
    others = [r for r in results if r.action != REFUSE]
    job.preview = [
        {"row": r.row, "key": r.key, "action": r.action, "reason": r.reason} for r in (refused + others)[:PREVIEW_ROWS]
    ]
    # CSV (with a BOM: Excel opens it as UTF-8): 67,000 rows write in a fraction of an XLSX's time.
    labels = {key: str(label) for key, label in ACTIONS.items()}
    report = write_csv(
        REPORT_COLUMNS, ((r.row, r.key, labels[r.action], r.reason) for r in sorted(results, key=lambda r: r.row))
    )
    if job.report:
        job.report.delete(save=False)
    job.report.save(f"{job.token}-report.csv", ContentFile(report), save=False)
    job.save(update_fields=["counts", "preview", "report", *fields])


def job_check(*, job_id: int) -> ImportJob | None:
    """The dry run: read the file, plan every row, write nothing but the job's report. Idempotent."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).first()
    if job is None:
        return None
    try:
        rows = _rows(job, keep=True)
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="；".join(exc.messages))
        return job
    ImportJob.objects.filter(pk=job.pk).update(total=len(rows), done=0)
    kind = kind_get(job.kind)
    try:
        plan = kind.plan(rows=rows, viewer=_viewer(job), progress=_progress(job, write_row=True))
    except Exception:
        log.exception("import check failed", extra={"job": job.pk})
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=_("检查时出错，请联系管理员。")
        )
        raise
    job.total = job.done = len(rows)
    job.status = ImportJob.Status.CHECKED
    job.checked_at = timezone.now()
    _record(job, plan, fields=["total", "done", "status", "checked_at"])
    return job


def job_apply(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the application of a checked job whose dry run refused nothing."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只有导入人可以确认导入。"))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_apply:
            raise ValidationError({"job": _("只有检查通过且没有被拒绝行的文件可以导入。")})
        job.status = ImportJob.Status.APPLYING
        job.done = 0
        job.save(update_fields=["status", "done"])
        transaction.on_commit(lambda: _send("apply", job.pk))
    return job


def job_apply_run(*, job_id: int) -> ImportJob | None:
    """Apply in ONE transaction: the file is planned again (the data may have changed since the dry run);
    if any row is refused now, nothing is written and the job says why. Idempotent: an applied job returns."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=job_id, status=ImportJob.Status.APPLYING).first()
            if job is None:
                return None
            kind = kind_get(job.kind)
            progress = _progress(job, write_row=False)
            plan = kind.plan(rows=_rows(job), viewer=_viewer(job), progress=lambda done: None)
            if plan.refused:
                raise _Changed(plan)
            kind.apply(plan=plan, actor=job.created_by, progress=progress)
            job.status = ImportJob.Status.APPLIED
            job.applied_at = timezone.now()
            job.done = job.total
            _record(job, plan, fields=["status", "applied_at", "done"])
    except _Changed as changed:
        job = ImportJob.objects.get(pk=job_id)
        job.status = ImportJob.Status.CHECKED
        job.error = _("检查之后数据有变化，有行被拒绝，未导入任何数据。请查看结果后重新上传。")
        _record(job, changed.plan, fields=["status", "error"])
    return job


class _Changed(Exception):
    def __init__(self, plan: Plan) -> None:
        self.plan = plan


def job_resend(*, actor: User, job: ImportJob) -> None:
    """Send a queued job again (its worker or broker was down when it was first sent)."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只有导入人可以重新提交。"))
    if job.status == ImportJob.Status.CHECKING:
        _send("check", job.pk)
    elif job.status == ImportJob.Status.APPLYING:
        _send("apply", job.pk)


def job_progress(job: ImportJob) -> dict:
    """What the progress bar shows: status, rows done of total, counts."""
    done = job.done
    if job.status in (ImportJob.Status.CHECKING, ImportJob.Status.APPLYING):
        done = max(done, int(cache.get(progress_key(job.pk)) or 0))
    total = job.total
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total": total,
        "done": min(done, total) if total else done,
        "percent": round(100 * min(done, total) / total) if total else 0,
        "counts": job.counts,
        "finished": job.status in (ImportJob.Status.CHECKED, ImportJob.Status.APPLIED, ImportJob.Status.FAILED),
        "error": job.error,
    }


def export_file(*, viewer: Viewer, kind: str, fmt: str) -> bytes:
    """The same shape as the import template, filled with what the viewer's jurisdiction holds."""
    if not access.can_import(viewer):
        raise PermissionDenied
    import_kind = kind_get(kind)
    rows = import_kind.export(viewer)
    return write_xlsx(import_kind.columns, rows, title=kind) if fmt == "xlsx" else write_csv(import_kind.columns, rows)


def export_boundary_file(*, viewer: Viewer) -> bytes:
    """The grid tree's boundary file for the viewer's jurisdiction (GeoJSON, the import's own format)."""
    if not access.can_import(viewer):
        raise PermissionDenied
    from .kinds.tree import export_outlines

    return export_boundaries(export_outlines(viewer))


def template_file(*, kind: str, fmt: str) -> bytes:
    import_kind = kind_get(kind)
    rows = list(import_kind.example)
    return write_xlsx(import_kind.columns, rows, title=kind) if fmt == "xlsx" else write_csv(import_kind.columns, rows)
