"""秀峰区 objects of the people and import pages, for the permission matrix (made on first use)."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from grids.models import Post, User
from imports.models import ImportJob


def person(w) -> User:
    """A 秀峰区 grid worker."""
    return (
        User.objects.filter(posts__role=Post.Role.GRID_WORKER, posts__unit__path__startswith=w.xiufeng.path)
        .order_by("pk")
        .first()
    )


def post(w) -> Post:
    return Post.objects.filter(user=person(w), unit__path__startswith=w.xiufeng.path).order_by("pk").first()


def job(w) -> ImportJob:
    """An import job of 秀峰区's district staff (the matrix's owner), checked, with its report."""
    owner = User.objects.get(username="xiufeng_district")
    found = ImportJob.objects.filter(created_by=owner).first()
    if found is not None:
        return found
    made = ImportJob(
        token=uuid.uuid4(),
        kind="grid_tree",
        created_by=owner,
        file_name="tree.csv",
        status=ImportJob.Status.CHECKED,
        created_at=timezone.now(),
        counts={"create": 0, "update": 0, "unchanged": 0, "refuse": 0},
    )
    made.file.save("tree.csv", ContentFile(b"code,name,level,parent_code\n"), save=False)
    made.report.save("report.csv", ContentFile(b"report"), save=False)
    made.save()
    return made


PERSON = lambda w: {"pk": person(w).pk}  # noqa: E731
POST = lambda w: {"pk": post(w).pk}  # noqa: E731
JOB = lambda w: {"pk": job(w).pk}  # noqa: E731
