"""Workbooks of raw sheet XML, and calamine's reading of them, for the importers.xlsx_cells
tests (test_xlsx_cells*.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from python_calamine import CalamineWorkbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ERROR_CODES = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")


# ---------------------------------------------------------------------------------------
# Building workbooks from raw XML


def xlsx(
    sheets: Sequence[tuple[str, str]],
    *,
    targets: Sequence[str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook of raw sheet XML. ``sheets``: (name as written in workbook.xml, i.e.
    XML-escaped, sheet XML); ``targets``: the relationship targets (default relative)."""
    targets = targets or [f"worksheets/sheet{i + 1}.xml" for i in range(len(sheets))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, (name, _) in enumerate(sheets)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="{t}"/>'
            for i, t in enumerate(targets)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i, (_, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return buf.getvalue()


def sheet_xml(rows: str, *, prefix: str = "", after: str = "") -> str:
    """A worksheet whose sheetData holds ``rows``; with ``prefix`` every element of the main
    namespace is written with it (<x:c>), as some .NET tools do."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {ns}="{MAIN_NS}" xmlns:r="{REL_NS}"><{p}dimension ref="A1"/>'
        f"<{p}sheetData>{rows}</{p}sheetData>{after}</{p}worksheet>"
    )


def one(rows: str, name: str = "S", **kw: Any) -> bytes:
    return xlsx([(name, sheet_xml(rows, **kw))])


def calamine_rows(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet as calamine reads it, from Excel row 1 and column A."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, list[list[Any]]] = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = [list(r) for r in sheet.iter_rows()]
        first_col = sheet.start[1] if sheet.start is not None else 0
        out[name] = [[""] * first_col + r for r in rows]
    return out


def cell(rows: list[list[Any]], row: int, col: int) -> Any:
    """calamine's value at (1-based row, 0-based column), '' outside its range."""
    if row - 1 < len(rows) and col < len(rows[row - 1]):
        return rows[row - 1][col]
    return ""
