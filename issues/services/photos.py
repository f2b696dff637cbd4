"""Photos chosen on the log form, kept across a form error so the worker does not choose them again.

When the form comes back with an error, each photo that passed the checks (content, size, EXIF
stripped by `guilin_portal.uploads.clean_image`) is stored as a StagedPhoto owned by the worker and
named by a random token; the form carries the tokens back (hidden inputs, with thumbnails and a
remove button). On the next submission the tokens' photos join the issue like fresh ones and the
staged rows go. Staged photos older than a day are purged whenever someone stages more.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from grids.models import User
from guilin_portal.uploads import clean_image
from issues.models import Issue, StagedPhoto

KEEP = timedelta(days=1)


def parse_tokens(values: Iterable[str]) -> list[uuid.UUID]:
    """The well-formed tokens among the submitted values (anything else is ignored), at most six."""
    tokens = []
    for value in values:
        try:
            tokens.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return list(dict.fromkeys(tokens))[: Issue.MAX_PHOTOS]


def staged_files(photos: Sequence[StagedPhoto]) -> list[ContentFile]:
    """The staged photos as files for `issue_log` (checked again there, like any upload)."""
    files = []
    for photo in photos:
        with photo.image.open("rb") as handle:
            files.append(ContentFile(handle.read(), name=photo.image.name.rsplit("/", 1)[-1]))
    return files


@transaction.atomic
def photos_stage(*, owner: User, uploads: Sequence[UploadedFile], room: int) -> list[StagedPhoto]:
    """Keep the uploads that pass the photo checks (up to `room` of them); a bad one is left out (the
    form says why). Purges the owner's staged photos older than a day."""
    now = timezone.now()
    _purge(StagedPhoto.objects.filter(owner=owner, created_at__lt=now - KEEP))
    kept = []
    for upload in list(uploads)[: max(room, 0)]:
        try:
            content = clean_image(upload)
        except ValidationError:
            continue
        kept.append(StagedPhoto.objects.create(owner=owner, image=content, created_at=now))
    return kept


def staged_discard(photos: Sequence[StagedPhoto]) -> None:
    """The staged photos went into an issue: their rows and files go."""
    _purge(StagedPhoto.objects.filter(pk__in=[p.pk for p in photos]))


def _purge(queryset) -> None:
    photos = list(queryset)
    for photo in photos:
        photo.image.delete(save=False)
    StagedPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
