"""Writing the template workbook: ``write_template`` (data sheet with validations and
comments, and a notes sheet) and ``write_template_fast`` (the same layout, streamed, for
large generated workbooks). Both use openpyxl; text is never written as a formula."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from carbon.domain.exports import FORMULA_START
from carbon.domain.identifiers import Period
from importers.layout import NAME_MAX_CHARS, TEMPLATE_COLUMNS, TemplateColumn

SHEET_NAME = {"zh": "能源数据", "en": "Energy data"}
NOTES_NAME = {"zh": "说明", "en": "Notes"}
QUANTITY_FORMAT = "#,##0.00##"
MONTH_DATE_FORMAT = "yyyy-mm"
VALIDATION_LAST_ROW = 1048576

GENERAL_NOTES: tuple[tuple[str, str], ...] = (
    ("每行填写一家企业一个月的数据。", "One row per enterprise per month."),
    (
        "统一社会信用代码为18位，含校验码（GB 32100-2015）。",
        "USCC: 18 characters with its check character (GB 32100-2015).",
    ),
    (
        "月份可写作 YYYY-MM、YYYY年M月、YYYY/MM，或日期单元格。",
        "Month: YYYY-MM, YYYY年M月, YYYY/MM, or a date cell.",
    ),
    (
        "能源、排放列留空表示0；经济指标（增加值、总产值、税收）留空表示未填报，不是0。",
        "Blank energy and emission cells mean zero; blank economic cells (value added, gross "
        "output, tax) mean not reported, not zero.",
    ),
    (
        "单位写在表头括号内，可改用其他单位，如 电力(MWh)、天然气(立方米)、工业增加值(千元)。",
        "The unit is in the header's brackets and may be changed, e.g. Electricity (MWh), "
        "Natural gas (m3), Value added (thousand CNY).",
    ),
    (
        "列顺序可调整；不用的能源列可删除；数字不能为负；绿电不能大于外购电力。",
        "Columns may be reordered; unused carrier columns may be deleted; numbers must not be "
        "negative; green electricity must not exceed purchased electricity.",
    ),
    (
        "合计、小计行会被跳过；同一企业同一月份只能出现一次。",
        "Total and subtotal rows are skipped; each enterprise-month may appear only once.",
    ),
)


def _column_width(col: TemplateColumn) -> float:
    widths = {"uscc": 22, "name": 30, "industry_code": 10, "region_code": 12, "month": 10}
    if col.key in widths:
        return widths[col.key]
    return max(12.0, min(28.0, 2.0 + 1.3 * max(len(col.header_zh) * 1.6, len(col.header_en))))


def _stored_width(width: float) -> float:
    """The width a column is stored with to show ``width`` characters: whole pixels of a
    7-pixel digit plus 5 pixels of padding, in 1/256 of a character (as Excel stores it)."""
    pixels = int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def _cell_value(key: str, v: object) -> object:
    if v is None:
        return None
    if key == "month" and isinstance(v, Period):
        return str(v)
    return v


def write_template(rows: Iterable[Mapping[str, object]] | None = None, lang: str = "zh") -> bytes:
    """The template workbook as xlsx bytes: data sheet with validations, and a notes sheet.

    ``rows`` are optional data rows keyed by column key (``uscc``, ``name``, ``industry_code``,
    ``region_code``, ``month`` as ``YYYY-MM`` text or a date, and field keys), values in the
    template units. Text that starts like a formula is stored as text, never as a formula.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    lang = "en" if lang == "en" else "zh"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME[lang]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")

    for j, col in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j, value=col.header(lang))
        cell.font = bold
        cell.fill = fill
        cell.alignment = wrap
        unit = f"{col.unit_zh} / {col.unit_en}" if col.unit_zh else ""
        note = f"{col.meaning_zh}\n{col.meaning_en}" + (f"\n单位 unit: {unit}" if unit else "")
        comment = Comment(note, "carbon")
        comment.width, comment.height = 260, 110
        cell.comment = comment
        dim = ws.column_dimensions[letter]
        dim.width = _column_width(col)
        dim.number_format = QUANTITY_FORMAT if col.is_quantity else "@"

        sqref = f"{letter}2:{letter}{VALIDATION_LAST_ROW}"
        title = (col.header_zh if lang == "zh" else col.header_en)[:32]
        prompt = (f"{col.meaning_zh}; {col.meaning_en}" + (f"; 单位 unit: {unit}" if unit else ""))[:255]
        if col.is_quantity:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            dv.error = f"应为非负数字（{col.unit_zh}） / must be a non-negative number ({col.unit_en})"
        elif col.key == "uscc":
            dv = DataValidation(type="textLength", operator="equal", formula1="18")
            dv.error = "统一社会信用代码应为18位 / the USCC has 18 characters"
        elif col.key == "region_code":
            dv = DataValidation(type="textLength", operator="equal", formula1="6")
            dv.error = "行政区划代码应为6位数字 / the region code has 6 digits"
        elif col.key == "industry_code":
            dv = DataValidation(type="textLength", operator="between", formula1="2", formula2="5")
            dv.error = "行业代码为2-4位数字 / the industry code has 2-4 digits"
        elif col.key == "month":
            # Text YYYY-MM (7 characters) or a real date; only a hint, not a hard stop.
            dv = DataValidation(type="custom", formula1=f"OR(LEN({letter}2)=7,ISNUMBER({letter}2))")
            dv.errorStyle = "warning"
            dv.error = "月份应为 YYYY-MM 或日期 / month should be YYYY-MM or a date"
        else:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(NAME_MAX_CHARS))
            dv.error = "名称过长 / name too long"
        dv.errorTitle = title
        dv.promptTitle = title
        dv.prompt = prompt
        dv.showInputMessage = True
        dv.showErrorMessage = True
        dv.allow_blank = True
        dv.add(sqref)
        ws.add_data_validation(dv)

    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 36

    keys = [c.key for c in TEMPLATE_COLUMNS]
    for i, data in enumerate(rows or (), start=2):
        for j, key in enumerate(keys, start=1):
            v = _cell_value(key, data.get(key))
            if v is None:
                continue
            cell = ws.cell(row=i, column=j)
            if isinstance(v, str):
                cell.value = v
                cell.data_type = "s"  # never a formula, whatever it starts with
                cell.number_format = "@"
                if v.startswith(FORMULA_START):
                    cell.quotePrefix = True
            elif isinstance(v, dt.date):
                cell.value = v
                cell.number_format = MONTH_DATE_FORMAT
            else:
                cell.value = v
                cell.number_format = QUANTITY_FORMAT

    _write_notes_openpyxl(wb.create_sheet(NOTES_NAME[lang]), bold, fill)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _notes_rows() -> list[list[str]]:
    rows: list[list[str]] = [["填表说明 / Notes"], []]
    rows += [[zh, en] for zh, en in GENERAL_NOTES]
    rows += [[], ["列（中文） Column (Chinese)", "列（英文） Column (English)", "单位 Unit",
                  "含义", "Meaning"]]  # fmt: skip
    for c in TEMPLATE_COLUMNS:
        unit = f"{c.unit_zh} ({c.unit_en})" if c.unit_zh else ""
        rows.append([c.header_zh, c.header_en, unit, c.meaning_zh, c.meaning_en])
    return rows


def _write_notes_openpyxl(ws: Any, bold: Any, fill: Any) -> None:
    for i, row in enumerate(_notes_rows(), start=1):
        for j, text in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=text)
            cell.data_type = "s"
    ws["A1"].font = bold
    table_header = 3 + len(GENERAL_NOTES) + 1
    for cell in ws[table_header]:
        cell.font = bold
        cell.fill = fill
    for letter, width in zip("ABCDE", (34, 36, 24, 44, 60), strict=True):
        ws.column_dimensions[letter].width = width


def write_template_fast(
    rows: Iterable[Mapping[str, object]], path_or_buffer: str | os.PathLike[str] | BinaryIO, lang: str = "zh"
) -> None:
    """The same header and data layout as ``write_template``, streamed (openpyxl's write-only mode).

    For large generated workbooks (benchmarks, sample data): rows are written as they come,
    in constant memory; no data validation or comments. Each cell takes its column's number
    format (``@`` for text columns, ``QUANTITY_FORMAT`` for quantities; a date the month's
    format). Text cells are always written as strings, never formulas.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = "en" if lang == "en" else "zh"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAME[lang])
    formats = [QUANTITY_FORMAT if c.is_quantity else "@" for c in TEMPLATE_COLUMNS]
    for j, col in enumerate(TEMPLATE_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(j)]
        dim.width = _stored_width(_column_width(col))
        dim.number_format = formats[j - 1]
    ws.freeze_panes = "C2"

    def text(value: str, number_format: str | None = None) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # never a formula, whatever it starts with
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def styled(value: object, number_format: str) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell

    bold, fill, wrap = Font(bold=True), PatternFill("solid", fgColor="FFDDEBF7"), Alignment(wrap_text=True)
    head = []
    for col in TEMPLATE_COLUMNS:
        cell = text(col.header(lang))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    ws.append(head)
    columns = [(c.key, c.is_quantity, f) for c, f in zip(TEMPLATE_COLUMNS, formats, strict=True)]
    for data in rows:
        get = data.get
        out: list[Any] = []
        for key, is_quantity, number_format in columns:
            v = get(key)
            if v is None:
                out.append(None)
            elif isinstance(v, str):
                out.append(text(v, number_format))
            elif isinstance(v, Period):
                out.append(text(str(v), number_format))
            elif isinstance(v, dt.date):
                out.append(styled(v, MONTH_DATE_FORMAT))
            elif isinstance(v, int | float) and not isinstance(v, bool) and is_quantity:
                out.append(styled(v, number_format))
            else:
                out.append(text(str(v), number_format))
        ws.append(out)
    notes = wb.create_sheet(NOTES_NAME[lang])
    for row in _notes_rows():
        notes.append([text(t) for t in row])
    wb.save(os.fspath(path_or_buffer) if isinstance(path_or_buffer, str | os.PathLike) else path_or_buffer)
