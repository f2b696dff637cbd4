"""Uploaded files: checked by their content, never by their name, and served only through views.

Issue photos and contract evidence hold residents' data. Files are stored
under MEDIA_ROOT (outside static, never routed directly) with a random name;
a view that has already checked the viewer's access hands them out with
`protected_file_response()`.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
# Image.MAX_IMAGE_PIXELS guards against decompression bombs; a phone photo is far below it.
Image.MAX_IMAGE_PIXELS = 60_000_000


def _check_size(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件“%(name)s”太大（%(size).1f MB），每个文件不能超过 10 MB。")
            % {"name": upload.name, "size": upload.size / 1024 / 1024},
            code="file_too_large",
        )


def clean_image(upload: UploadedFile) -> ContentFile:
    """A JPEG, PNG or WebP photo, at most 10 MB, re-encoded without EXIF (and so without its location)."""
    _check_size(upload)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("文件“%(name)s”不是有效的图片，只接受 JPEG、PNG 或 WebP 照片。") % {"name": upload.name},
            code="invalid_image",
        ) from exc
    if image.format not in IMAGE_FORMATS:
        raise ValidationError(
            _("文件“%(name)s”的格式为 %(format)s，只接受 JPEG、PNG 或 WebP 照片。")
            % {"name": upload.name, "format": image.format},
            code="invalid_image",
        )
    extension, _mime = IMAGE_FORMATS[image.format]
    # Re-encoding drops EXIF, GPS included; keep the orientation by applying it first.
    oriented = ImageOps.exif_transpose(image)
    output = io.BytesIO()
    save_kwargs = {"quality": 88} if image.format in {"JPEG", "WEBP"} else {}
    if image.format == "JPEG" and oriented.mode not in {"RGB", "L"}:
        oriented = oriented.convert("RGB")
    oriented.save(output, format=image.format, **save_kwargs)
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


DOCUMENT_SIGNATURES = {
    b"%PDF-": ("pdf", "application/pdf"),
}
OFFICE_ZIP_MARKERS = {
    "word/document.xml": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/workbook.xml": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/presentation.xml": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


def clean_document_or_image(upload: UploadedFile) -> ContentFile:
    """Evidence: a photo (as clean_image), a PDF, or a Word/Excel/PowerPoint file, at most 10 MB."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, (extension, _mime) in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.{extension}")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        for marker, (extension, _mime) in OFFICE_ZIP_MARKERS.items():
            if marker in names:
                return ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.{extension}")
    try:
        return clean_image(upload)
    except ValidationError as exc:
        raise ValidationError(
            _("文件“%(name)s”不是可接受的文档或图片（PDF、Word、Excel、PowerPoint、JPEG、PNG、WebP）。")
            % {"name": upload.name},
            code="invalid_document",
        ) from exc


CONTENT_TYPES = dict([*IMAGE_FORMATS.values(), *DOCUMENT_SIGNATURES.values(), *OFFICE_ZIP_MARKERS.values()])


def protected_file_response(field_file, *, download_name: str | None = None) -> FileResponse:
    """Send a stored upload; call only after the view has checked the viewer may see it."""
    extension = PurePath(field_file.name).suffix.lstrip(".").lower()
    response = FileResponse(
        field_file.open("rb"),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        as_attachment=extension not in {"jpg", "png", "webp"},
        filename=download_name or PurePath(field_file.name).name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def issue_photo_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"issue_photos/{now:%Y/%m}/{filename}"
