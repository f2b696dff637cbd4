"""Staff pages for renovation projects: progress per district, the list, one project with its photos.

What may be read comes from the selectors (jurisdiction; anything else is 404); what may be done
to a project comes from `access.allowed_actions`, which the services check again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guilin_portal.forms import add_service_error
from guilin_portal.uploads import protected_file_response

from . import access, selectors, services
from .forms import PhotoForm, ProgressForm, ProjectFilterForm

LIST_PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The renovation pages open on the viewer's highest unit."""
    unit = selectors.home_unit(viewer=request.viewer)
    if unit is None:
        raise Http404
    return redirect("renovation:project_list", unit_pk=unit.pk)


@login_required
def project_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Projects under a unit: finished and under way per child unit (per district for the city), then the list."""
    unit = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    form = ProjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    progress = selectors.district_progress(viewer=request.viewer, unit=unit)
    projects = selectors.project_list(
        viewer=request.viewer, unit=unit, kind=filters.get("kind") or "", status=filters.get("status") or ""
    )
    page = Paginator(projects, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "renovation/project_list.html",
        {"unit": unit, "form": form, "progress": progress, "page": page, "query": query.urlencode()},
    )


def _detail(request: HttpRequest, project, *, progress_form=None, photo_form=None, status: int = 200) -> HttpResponse:
    actions = access.allowed_actions(request.viewer, project)
    if progress_form is None and access.UPDATE in actions:
        progress_form = ProgressForm(
            initial={
                "status": project.status,
                "progress": project.progress,
                "started_on": project.started_on,
                "finished_on": project.finished_on,
            }
        )
    if photo_form is None and access.ADD_PHOTO in actions:
        photo_form = PhotoForm()
    photos = selectors.project_photos(project=project)
    return render(
        request,
        "renovation/project_detail.html",
        {
            "project": project,
            "before": [p for p in photos if p.stage == "before"],
            "after": [p for p in photos if p.stage == "after"],
            "points": selectors.project_points(project=project),
            "progress_form": progress_form,
            "photo_form": photo_form,
        },
        status=status,
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.project_get(viewer=request.viewer, pk=pk))


@login_required
@require_POST
def project_progress(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.viewer, pk=pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.project_update_progress(
                viewer=request.viewer, actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("项目进度已更新。"))
            return redirect("renovation:project_detail", pk=project.pk)
    return _detail(request, project, progress_form=form, status=400)


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(viewer=request.viewer, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_photo_add(viewer=request.viewer, actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("照片已上传。"))
            return redirect("renovation:project_detail", pk=project.pk)
    return _detail(request, project, photo_form=form, status=400)


@login_required
def photo_file(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.photo_get(viewer=request.viewer, pk=pk)
    return protected_file_response(photo.image)
