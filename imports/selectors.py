"""Reads of the import pages, scoped by imports.access."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from grids.viewer import Viewer

from . import access
from .models import ImportJob


def job_list(*, viewer: Viewer) -> QuerySet:
    return ImportJob.objects.filter(access.jobs_q(viewer)).select_related("created_by").defer("preview")


def job_get(*, viewer: Viewer, pk: int) -> ImportJob:
    """A job the viewer may read, else 404 (never a hint that it exists)."""
    job = ImportJob.objects.filter(access.jobs_q(viewer), pk=pk).first()
    if job is None:
        raise Http404
    return job
