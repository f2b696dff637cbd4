"""Import pages: thin views over imports.services, imports.selectors and imports.access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guilin_portal.forms import add_service_error
from guilin_portal.uploads import protected_file_response

from . import access, selectors, services
from .forms import UploadForm
from .kinds import KINDS, kind_get
from .spreadsheets import CSV_TYPE, XLSX_TYPE


def _require_importer(request: HttpRequest) -> None:
    if not access.can_import(request.viewer):
        raise PermissionDenied(_("表格导入仅限社区、街道、城区工作人员。"))


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """Templates and exports to download, the upload form, and the viewer's own jobs."""
    _require_importer(request)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                boundaries=form.cleaned_data["boundaries"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("imports:job_detail", pk=job.pk)
    page = Paginator(selectors.job_list(viewer=request.viewer), 20).get_page(request.GET.get("page"))
    status = 400 if form.errors else 200
    return render(
        request, "imports/job_list.html", {"form": form, "page": page, "kinds": KINDS.values()}, status=status
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run row by row (refused rows first), the progress bar, and the apply button."""
    job = selectors.job_get(viewer=request.viewer, pk=pk)
    return render(
        request,
        "imports/job_detail.html",
        {"job": job, "kind": kind_get(job.kind), "progress": services.job_progress(job), "actions": services.ACTIONS},
    )


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The progress bar's poll: status, rows done of total, counts."""
    job = selectors.job_get(viewer=request.viewer, pk=pk)
    return JsonResponse(services.job_progress(job))


@login_required
@require_POST
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(viewer=request.viewer, pk=pk)
    try:
        services.job_apply(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("imports:job_detail", pk=job.pk)


@login_required
@require_POST
def job_resend(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(viewer=request.viewer, pk=pk)
    services.job_resend(actor=request.user, job=job)
    return redirect("imports:job_detail", pk=job.pk)


@login_required
def job_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(viewer=request.viewer, pk=pk)
    if not job.report:
        raise Http404
    return protected_file_response(job.report, download_name=f"import-report-{job.pk}.csv")


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE if fmt == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The empty template: Chinese headers, the English key row, one example row."""
    _require_importer(request)
    return _download(services.template_file(kind=kind_get(kind).name, fmt=fmt), fmt, f"template-{kind}")


@login_required
def boundary_export(request: HttpRequest) -> HttpResponse:
    """The boundaries of the viewer's jurisdiction as the grid tree's boundary file (it imports back unchanged)."""
    _require_importer(request)
    response = HttpResponse(services.export_boundary_file(viewer=request.viewer), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="export-boundaries-{timezone.localdate():%Y%m%d}.geojson"'
    return response


@login_required
def export_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """What the viewer's jurisdiction holds, in the template's shape (it imports back unchanged)."""
    _require_importer(request)
    content = services.export_file(viewer=request.viewer, kind=kind_get(kind).name, fmt=fmt)
    return _download(content, fmt, f"export-{kind}-{timezone.localdate():%Y%m%d}")
