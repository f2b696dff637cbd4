"""Import API under /api/v1/imports/: upload for a dry run, read it row by row, apply, follow the
progress, download the result report. The same services, selectors and access predicates as the pages.

Only staff import (403 otherwise); a job is its importer's (anyone else: 404); bad input is a 400 naming
the field (the services' ValidationError, guilin_portal.api); each row is checked
against the importer's subtree and level by the kind's plan, exactly as on the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from grids.viewer import Viewer
from guilin_portal.params import parse_id
from guilin_portal.uploads import protected_file_response

from .. import access, selectors, services
from ..kinds import KINDS
from . import serializers as s

REPORT = OpenApiResponse(
    OpenApiTypes.STR,
    description="UTF-8 with a byte-order mark: the Chinese header row, the key row, then one line per row of "
    "the file (row number, key, result, reason).",
)


def _caller(view) -> Viewer:
    return getattr(view.request, "viewer", None) or Viewer.anonymous()


def _require_importer(viewer: Viewer) -> None:
    if not access.can_import(viewer):
        raise PermissionDenied(_("表格导入仅限社区、街道、城区工作人员。"))


class KindViewSet(viewsets.ViewSet):
    """What can be imported: each kind's columns, as the template's two header rows name them."""

    @extend_schema(responses=s.ImportKindSerializer(many=True))
    def list(self, request):
        _require_importer(request.viewer)
        kinds = [
            {
                "name": kind.name,
                "label": str(kind.label),
                "columns": [{"key": c.key, "header": str(c.header), "required": c.required} for c in kind.columns],
            }
            for kind in KINDS.values()
        ]
        return Response(s.ImportKindSerializer(kinds, many=True).data)


class JobViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's import jobs (staff of a community, street or district)."""

    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    serializer_class = s.ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.job_list(viewer=_caller(self))

    def _job(self):
        return selectors.job_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    def list(self, request, *args, **kwargs):
        _require_importer(request.viewer)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.ImportJobCreateSerializer, responses={201: s.ImportJobDetailSerializer})
    def create(self, request):
        """Upload a file: its dry run runs as a task (poll progress/); nothing is written until apply/."""
        _require_importer(request.viewer)
        body = s.ImportJobCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.job_create(
            actor=request.user,
            kind=body.validated_data["kind"],
            upload=body.validated_data["file"],
            boundaries=body.validated_data.get("boundaries"),
        )
        job = selectors.job_get(viewer=request.viewer, pk=job.pk)
        return Response(s.ImportJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ImportJobDetailSerializer)
    def retrieve(self, request, pk=None):
        """The job and its dry run row by row (refused rows first, with their row numbers and reasons)."""
        return Response(s.ImportJobDetailSerializer(self._job()).data)

    @extend_schema(responses=s.ImportProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """The progress bar's figures: status, rows done of total, counts."""
        return Response(s.ImportProgressSerializer(services.job_progress(self._job())).data)

    @extend_schema(request=None, responses={202: s.ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply a checked job whose dry run refused nothing, in one transaction (a task: poll progress/)."""
        job = services.job_apply(actor=request.user, job=self._job())
        job = selectors.job_get(viewer=request.viewer, pk=job.pk)
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): REPORT})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The result report: every row with its result and reason (CSV)."""
        job = self._job()
        if not job.report:
            raise Http404
        return protected_file_response(job.report, download_name=f"import-report-{job.pk}.csv")
