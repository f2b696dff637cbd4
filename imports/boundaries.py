"""The grid tree's optional boundary file: a GeoJSON FeatureCollection whose features name unit codes.

Each feature carries the unit's code in `properties.code` (or `unit_code`) and its boundary as a
Polygon or MultiPolygon in WGS-84 ([longitude, latitude], RFC 7946). The file is read here; each
boundary is then checked row by row by the tree's plan through grids.geography (validity, nesting in
its parent), which is the one home of those rules.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BOUNDARY_BYTES = 60 * 1024 * 1024  # a city's zones with detailed outlines
SUFFIXES = (".geojson", ".json")


def read_boundaries(data: bytes) -> dict[str, dict]:
    """{unit code: geometry} from the file; ValidationError({"boundaries": ...}) for a file that is not one."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError({"boundaries": _("边界文件不是有效的 GeoJSON（UTF-8 编码的 JSON）。")}) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError({"boundaries": _("边界文件应为 GeoJSON 的 FeatureCollection。")})
    features = document.get("features")
    if not isinstance(features, list):
        raise ValidationError({"boundaries": _("边界文件没有 features。")})
    found: dict[str, dict] = {}
    problems: list[str] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = str(properties.get("code") or properties.get("unit_code") or "").strip()
        if not code:
            problems.append(_("第 %(n)d 个要素缺少 properties.code（单元编码）") % {"n": number})
        elif code in found:
            problems.append(_("单元编码“%(code)s”在边界文件中出现多次") % {"code": code})
        else:
            found[code] = feature.get("geometry")
        if len(problems) >= 10:
            break
    if problems:
        raise ValidationError({"boundaries": problems})
    return found


def export_boundaries(units) -> bytes:
    """The boundary file of these units (rows of code, name, boundary): what the import reads back."""
    parts = []
    for code, name, boundary in units:
        feature = {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": boundary}
        parts.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return ('{"type":"FeatureCollection","features":[' + ",\n".join(parts) + "]}\n").encode()


def attach(rows: list[tuple[int, dict]], boundaries: dict[str, dict]) -> None:
    """Each row gets its unit's boundary (`values["boundary"]`); a boundary naming no row of the sheet is
    refused with the file (it could only name a unit the sheet does not check)."""
    by_code = {values.get("code", ""): values for _number, values in rows}
    unknown = sorted(code for code in boundaries if code not in by_code)
    if unknown:
        shown = "、".join(unknown[:10]) + ("……" if len(unknown) > 10 else "")
        raise ValidationError(
            {"boundaries": _("边界文件中的单元编码不在表格中：%(codes)s。请把这些单元也列入表格。") % {"codes": shown}}
        )
    for code, geometry in boundaries.items():
        by_code[code]["boundary"] = geometry
