"""Reading and writing the import spreadsheets (XLSX through openpyxl, CSV through the csv module).

Layout of every template, export and report: row 1 holds the Chinese headers a
person reads, row 2 the English keys the importer reads, data from row 3. The
importer maps columns by the key row (any order; extra columns ignored); a file
without the key row is read by its Chinese headers. Row numbers in every
message are the spreadsheet's own (the first data row is 3).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from guilin_portal.exports import csv_writer, safe_row, unquote_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MAX_ROWS = 200_000  # a whole city's zones with room to spare; beyond it the file is refused, not read


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True


def cell_text(value) -> str:
    """A cell as the text a person typed: 13800000000.0 is a mobile, not a float."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unquote_cell(str(value).strip())  # the quote our exports put before a formula lead


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _rows_from_xlsx_fast(data: bytes) -> list[tuple]:
    """The first sheet's values by streaming its XML (ElementTree's C parser): several times faster than
    openpyxl's cell objects for 56,000-row sheets. Strings, numbers and booleans only (what a roster holds);
    anything unexpected raises, and the caller falls back to openpyxl."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            with archive.open("xl/sharedStrings.xml") as stream:
                for _event, element in ElementTree.iterparse(stream):
                    if element.tag == f"{_NS}si":
                        shared.append("".join(t.text or "" for t in element.iter(f"{_NS}t")))
                        element.clear()
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        first = workbook.find(f"{_NS}sheets/{_NS}sheet")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == first.get(_REL))
        target = target.lstrip("/")
        sheet_name = target if target.startswith("xl/") else f"xl/{target}"
        rows: list[tuple] = []
        with archive.open(sheet_name) as stream:
            for _event, element in ElementTree.iterparse(stream):
                if element.tag != f"{_NS}row":
                    continue
                number = int(element.get("r") or len(rows) + 1)
                while len(rows) < number - 1:
                    rows.append(())
                values: dict[int, object] = {}
                for cell in element.iter(f"{_NS}c"):
                    kind = cell.get("t", "n")
                    column = _column_index(cell.get("r", "")) if cell.get("r") else len(values)
                    if kind == "inlineStr":
                        values[column] = "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
                        continue
                    raw = cell.findtext(f"{_NS}v")
                    if raw is None:
                        continue
                    if kind == "s":
                        values[column] = shared[int(raw)]
                    elif kind in ("str", "e"):
                        values[column] = raw
                    elif kind == "b":
                        values[column] = raw == "1"
                    elif kind == "n":
                        values[column] = float(raw) if any(c in raw for c in ".eE") else int(raw)
                    else:
                        raise ValueError(f"cell type {kind}")
                width = max(values) + 1 if values else 0
                rows.append(tuple(values.get(i) for i in range(width)))
                element.clear()
        return rows


def _rows_from_xlsx(data: bytes) -> Iterator[tuple]:
    try:
        yield from _rows_from_xlsx_fast(data)
        return
    except Exception:  # a workbook this reader does not know (dates, odd writers): openpyxl reads it
        pass
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("无法读取这个 Excel 文件，请使用下载的模板（.xlsx）。")}) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _rows_from_csv(data: bytes) -> Iterator[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        yield from csv.reader(io.StringIO(text))
        return
    raise ValidationError({"file": _("CSV 文件编码无法识别，请另存为 UTF-8。")})


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {key: text}) for every non-empty data row; ValidationError for a bad file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _rows_from_xlsx(data)
    elif name.endswith(".csv"):
        rows = _rows_from_csv(data)
    else:
        raise ValidationError({"file": _("只能导入 .xlsx 或 .csv 文件。")})
    keys = {c.key for c in columns}
    by_header = {str(c.header): c.key for c in columns}
    header = [cell_text(v) for v in next(rows, ())]
    second = next(rows, None)
    second_text = [cell_text(v) for v in second] if second is not None else []
    if keys & set(second_text):
        mapping, start, pending = second_text, 3, []
    elif keys & set(header):
        mapping, start, pending = header, 2, [second] if second is not None else []
    else:
        mapping = [by_header.get(h, "") for h in header]
        start, pending = 2, [second] if second is not None else []
    missing = [str(c.header) for c in columns if c.required and c.key not in mapping]
    if missing:
        raise ValidationError({"file": _("缺少列：%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)}})
    positions = [(i, k) for i, k in enumerate(mapping) if k in keys]
    table = []
    number = start - 1
    for raw in (*pending, *rows) if pending else rows:
        number += 1
        if raw is None:
            continue
        values = {k: cell_text(raw[i]) if i < len(raw) else "" for i, k in positions}
        if not any(values.values()):
            continue
        if len(table) >= MAX_ROWS:
            raise ValidationError({"file": _("文件超过 %(n)d 行，请分批导入。") % {"n": MAX_ROWS}})
        table.append((number, values))
    return table


def write_xlsx(columns: Sequence[Column], rows: Iterable[Sequence], *, title: str = "data") -> bytes:
    """A workbook of the template layout (write-only: 56,000 rows in a few seconds)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column.header)) * 2 + 4)
    from openpyxl.cell import WriteOnlyCell

    def styled(values, **style):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            for attr, v in style.items():
                setattr(cell, attr, v)
            cells.append(cell)
        return cells

    sheet.append(styled([str(c.header) for c in columns], font=Font(bold=True)))
    sheet.append(
        styled([c.key for c in columns], font=Font(color="808080"), fill=PatternFill("solid", fgColor="F2F2F2"))
    )
    for row in rows:
        sheet.append(safe_row(row))  # user text as text, never a formula (guilin_portal.exports)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # user text as text, never a formula
    writer.writerow([str(c.header) for c in columns])
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    # A BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
