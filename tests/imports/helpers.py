"""Running an import as a person does: upload (dry run after commit), then apply."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.kinds import kind_get
from imports.models import ImportJob
from imports.spreadsheets import write_csv, write_xlsx


def sheet(kind: str, rows, fmt: str = "xlsx") -> SimpleUploadedFile:
    columns = kind_get(kind).columns
    data = write_xlsx(columns, rows) if fmt == "xlsx" else write_csv(columns, rows)
    return SimpleUploadedFile(f"{kind}.{fmt}", data)


def check(capture, *, actor, kind: str, upload) -> ImportJob:
    with capture(execute=True):
        job = services.job_create(actor=actor, kind=kind, upload=upload)
    job.refresh_from_db()
    return job


def apply(capture, *, actor, job: ImportJob) -> ImportJob:
    with capture(execute=True):
        services.job_apply(actor=actor, job=job)
    job.refresh_from_db()
    return job


def import_file(capture, *, actor, kind: str, upload) -> ImportJob:
    job = check(capture, actor=actor, kind=kind, upload=upload)
    assert job.status == ImportJob.Status.CHECKED, (job.error, job.preview[:5])
    assert job.refused == 0, job.preview[:10]
    if job.counts.get("create") or job.counts.get("update"):
        job = apply(capture, actor=actor, job=job)
        assert job.status == ImportJob.Status.APPLIED, job.error
    return job
