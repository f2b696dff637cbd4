"""Uploaded files: checked by their content, never by their name, and served only through views.

Issue photos and contract evidence hold residents' data. Files are stored
under MEDIA_ROOT (outside static, never routed directly) with a random name
and the extension of what the content was found to be; a view that has
already checked the viewer's access hands them out with
`protected_file_response()`, under the uploader's name with that extension.

Images: the pixel count is read from the header (Pillow's `Image.open` reads
only the header; decoding is lazy) and refused above MAX_IMAGE_PIXELS (40
megapixels, a 7,700 x 5,200 photo: more than any phone camera) before any
pixel is decoded, since a small file of tens of millions of pixels costs a
worker gigabytes once decoded. `Image.MAX_IMAGE_PIXELS` is set to the same
limit for any other code that opens an image. Re-encoding keeps the pixels
and the colour profile only: EXIF (with the GPS position), comments (JPEG
COM, PNG text), XMP and every other metadata are dropped.
"""

from __future__ import annotations

import io
import uuid
import warnings
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
# 40 megapixels: above every phone camera (a 48 MP sensor saves 12 MP photos by default). Checked from the
# header before decoding; Pillow's own guard (a warning above the limit, an error only at twice it) is set
# to the same number for any other code path that opens an image.
MAX_IMAGE_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# What survives re-encoding: the colour profile (not personal) - nothing else of the original's info.
KEPT_INFO = ("icc_profile",)


def _check_size(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件“%(name)s”太大（%(size).1f MB），每个文件不能超过 10 MB。")
            % {"name": upload.name, "size": upload.size / 1024 / 1024},
            code="file_too_large",
        )


def _too_many_pixels(upload: UploadedFile) -> ValidationError:
    return ValidationError(
        _("图片“%(name)s”的像素太多，每张照片不能超过 %(limit)d 万像素。")
        % {"name": upload.name, "limit": MAX_IMAGE_PIXELS // 10_000},
        code="image_too_large",
    )


def _check_pixels(upload: UploadedFile, image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(upload)


def _open(upload: UploadedFile) -> Image.Image:
    """The image with its header read and its size checked; nothing decoded yet."""
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and refuses at twice it, both from the header: either is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _too_many_pixels(upload) from exc
    _check_pixels(upload, image)
    return image


def clean_image(upload: UploadedFile) -> ContentFile:
    """A JPEG, PNG or WebP photo, at most 10 MB and 40 megapixels, re-encoded without any metadata."""
    _check_size(upload)
    try:
        with _open(upload) as probe:  # reads the header only
            probe.verify()
        image = _open(upload)
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
    # Keep the orientation by applying it first; then nothing of the original's metadata is written: Pillow
    # copies a JPEG's comment and XMP from `info` into the new file unless `info` is emptied.
    oriented = ImageOps.exif_transpose(image)
    if oriented is image:
        oriented = image.copy()
    oriented.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    output = io.BytesIO()
    save_kwargs = {"quality": 88} if image.format in {"JPEG", "WEBP"} else {}
    if image.format == "JPEG" and oriented.mode not in {"RGB", "L"}:
        oriented = oriented.convert("RGB")
    if "icc_profile" in oriented.info:
        save_kwargs["icc_profile"] = oriented.info["icc_profile"]
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
        if exc.code == "image_too_large":
            raise
        raise ValidationError(
            _("文件“%(name)s”不是可接受的文档或图片（PDF、Word、Excel、PowerPoint、JPEG、PNG、WebP）。")
            % {"name": upload.name},
            code="invalid_document",
        ) from exc


CONTENT_TYPES = dict([*IMAGE_FORMATS.values(), *DOCUMENT_SIGNATURES.values(), *OFFICE_ZIP_MARKERS.values()])


def protected_file_response(field_file, *, download_name: str | None = None) -> FileResponse:
    """Send a stored upload; call only after the view has checked the viewer may see it."""
    extension = PurePath(field_file.name).suffix.lstrip(".").lower()
    # The stored extension was derived from the checked content; the uploader's name keeps only its stem.
    name = f"{PurePath(download_name).stem}.{extension}" if download_name else PurePath(field_file.name).name
    response = FileResponse(
        field_file.open("rb"),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        as_attachment=extension not in {"jpg", "png", "webp"},
        filename=name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def issue_photo_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"issue_photos/{now:%Y/%m}/{filename}"
