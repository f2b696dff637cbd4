"""Uploads: the pixel limit is checked from the header before decoding, names come from the content,
and no metadata (EXIF, comments, XMP, PNG text) survives."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from guilin_portal import uploads
from guilin_portal.uploads import MAX_IMAGE_PIXELS, clean_document_or_image, clean_image, protected_file_response


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png(width: int = 10_900, height: int = 10_900) -> bytes:
    """A 1-bit greyscale PNG of width x height black pixels: a few kilobytes on disk, 119 megapixels decoded."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding pixels fails the test: the limit must be enforced from the header alone."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the image was decoded before its size was checked")

    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse, raising=False)


def test_the_huge_png_is_small_on_disk():
    data = huge_png()
    assert len(data) < 200_000
    # Pillow itself refuses it from the header alone (twice its limit), before any decoding.
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))
    assert MAX_IMAGE_PIXELS < 10_900 * 10_900


@pytest.mark.parametrize("clean", [clean_image, clean_document_or_image])
def test_a_10900_square_png_is_refused_before_decoding(clean, no_decoding):
    upload = SimpleUploadedFile("photo.png", huge_png(), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        clean(upload)
    assert refused.value.code == "image_too_large"


@pytest.mark.parametrize("size", [(8_000, 5_001), (6_400, 6_400)])
def test_just_above_the_limit_is_refused_too(size, no_decoding):
    assert size[0] * size[1] > MAX_IMAGE_PIXELS
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("p.png", huge_png(*size)))
    assert refused.value.code == "image_too_large"


def test_pillow_guards_every_other_path_with_the_same_limit():
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS == uploads.MAX_IMAGE_PIXELS


def test_a_photo_below_the_limit_is_accepted():
    image = Image.new("RGB", (64, 48), "red")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    cleaned = clean_image(SimpleUploadedFile("x.png", buffer.getvalue()))
    assert cleaned.name.endswith(".png")


def jpeg_with_metadata() -> bytes:
    image = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010E] = "resident 13812345678"  # ImageDescription
    exif[0x8825] = {2: (25.0, 17.0, 0.0)}  # GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description about="http://ns.adobe.com/xap/1.0/">secret</rdf:Description></x:xmpmeta>'
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"COMMENT-secret", xmp=xmp)
    return buffer.getvalue()


def test_jpeg_metadata_is_stripped():
    original = jpeg_with_metadata()
    assert b"COMMENT-secret" in original
    assert b"Exif" in original
    cleaned = clean_image(SimpleUploadedFile("x.jpg", original)).read()
    assert b"COMMENT-secret" not in cleaned
    assert b"\xff\xfe" not in cleaned.split(b"\xff\xda")[0], "no JPEG COM segment before the scan"
    assert b"Exif" not in cleaned
    assert b"xmpmeta" not in cleaned
    assert b"secret" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as reread:
        assert "comment" not in reread.info
        assert not reread.getexif()


def test_png_text_and_exif_are_stripped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "resident 13812345678")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret"
    Image.new("RGB", (20, 20), "green").save(buffer, format="PNG", pnginfo=info, exif=exif.tobytes())
    assert b"secret" in buffer.getvalue()
    cleaned = clean_image(SimpleUploadedFile("x.png", buffer.getvalue())).read()
    assert b"secret" not in cleaned
    assert b"13812345678" not in cleaned
    assert b"tEXt" not in cleaned
    assert b"iTXt" not in cleaned
    assert b"eXIf" not in cleaned


def test_evidence_is_stored_and_served_under_the_extension_of_its_content(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    stored = clean_document_or_image(SimpleUploadedFile("report.html", buffer.getvalue(), content_type="text/html"))
    assert stored.name.endswith(".png")
    pdf = clean_document_or_image(SimpleUploadedFile("notes.exe", b"%PDF-1.4\n%%EOF\n"))
    assert pdf.name.endswith(".pdf")

    from django.core.files.storage import default_storage

    name = default_storage.save("evidence/" + stored.name, ContentFile(stored.read()))
    field_file = default_storage.open(name)
    field_file.name = name
    response = protected_file_response(field_file, download_name="report.html")
    assert response["Content-Type"] == "image/png"
    assert 'filename="report.png"' in response["Content-Disposition"]
    field_file.close()


def test_only_the_upload_module_opens_uploaded_images():
    """Every upload path goes through guilin_portal.uploads: no other module opens images with Pillow."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in (
        "grids",
        "issues",
        "volunteers",
        "service_centers",
        "contracts",
        "dashboards",
        "open311",
        "audit",
        "people",
        "imports",
        "workbench",
        "command_centre",
        "guilin_portal",
    ):
        for path in (root / app).rglob("*.py"):
            if path.name == "uploads.py" and app == "guilin_portal":
                continue
            if re.search(r"\bImage\.open\(", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(root)))
    assert not offenders, (
        f"images opened outside guilin_portal.uploads (no pixel limit, no metadata strip): {offenders}"
    )
