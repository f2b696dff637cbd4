"""Writes on renovation projects: their progress and their before/after photos."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.viewer import Viewer
from guilin_portal.uploads import clean_image

from . import access
from .models import Photo, Project

MAX_PHOTOS_PER_PROJECT = 24


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("unit").get(pk=project.pk)


@transaction.atomic
def project_update_progress(
    *,
    viewer: Viewer,
    actor: User,
    project: Project,
    status: str,
    progress: int,
    started_on: dt.date | None,
    finished_on: dt.date | None,
) -> Project:
    """Record where a renovation stands: started needs its start date, finished needs 100 % and its finish date."""
    project = _lock(project)
    if access.UPDATE not in access.allowed_actions(viewer, project):
        raise PermissionDenied(_("您可以查看该项目，但不负责登记它的进度。"))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if status not in Project.Status.values:
        errors["status"] = _("请选择项目状态。")
    if not 0 <= progress <= 100:
        errors["progress"] = _("进度应在 0 到 100 之间。")
    if status != Project.Status.PLANNED and started_on is None:
        errors["started_on"] = _("已开工的项目请填写开工日期。")
    if started_on is not None and started_on > today:
        errors["started_on"] = _("开工日期不能晚于今天。")
    if status == Project.Status.FINISHED:
        if finished_on is None:
            errors["finished_on"] = _("已完成的项目请填写完工日期。")
        if progress != 100:
            errors["progress"] = _("已完成的项目进度应为 100%。")
    elif finished_on is not None:
        errors["finished_on"] = _("项目尚未完成，不能填写完工日期。")
    if finished_on is not None:
        if finished_on > today:
            errors["finished_on"] = _("完工日期不能晚于今天。")
        elif started_on is not None and finished_on < started_on:
            errors["finished_on"] = _("完工日期不能早于开工日期。")
    if errors:
        raise ValidationError(errors)
    project.status = status
    project.progress = progress
    project.started_on = started_on
    project.finished_on = finished_on
    project.updated_at = timezone.now()
    project.updated_by = actor
    project.save(update_fields=["status", "progress", "started_on", "finished_on", "updated_at", "updated_by"])
    return project


@transaction.atomic
def project_photo_add(
    *, viewer: Viewer, actor: User, project: Project, stage: str, image: UploadedFile, caption: str = ""
) -> Photo:
    """A before or after photo, checked and stripped of its metadata like every upload."""
    project = _lock(project)
    if access.ADD_PHOTO not in access.allowed_actions(viewer, project):
        raise PermissionDenied(_("您可以查看该项目，但不负责登记它的照片。"))
    if stage not in Photo.Stage.values:
        raise ValidationError({"stage": _("请选择改造前或改造后。")})
    if project.photos.count() >= MAX_PHOTOS_PER_PROJECT:
        raise ValidationError({"image": _("每个项目最多 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_PROJECT}})
    try:
        content = clean_image(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    photo = Photo(project=project, stage=stage, caption=caption.strip()[:120], uploaded_by=actor)
    photo.image.save(content.name, content, save=False)
    photo.save()
    return photo
