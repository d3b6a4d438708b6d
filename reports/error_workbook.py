"""A rejected workbook handed back to its author, with what is wrong written into it.

``annotate_workbook`` takes the file as uploaded and the importer's errors (dicts with
``sheet``, ``row`` (1-based Excel row or None), ``column`` (Excel letter or None) and a
bilingual ``message``) and returns xlsx bytes:

- an .xlsx file is the user's own workbook, loaded with openpyxl (formulas stay formulas,
  nothing is evaluated): every cell an error names is filled red with a comment holding
  the message, and each sheet with row errors gets a column "错误说明 / Problems" at the
  right of its used range listing that row's messages;
- a .csv file becomes a sheet of its rows (as text, the way they were written), marked
  the same way;
- anything else (.xls, .ods, a corrupt or oversized file) gives a new workbook with the
  summary sheet only.

Every result starts with the sheet "错误汇总 Errors": all errors as a table, file-level
ones included. Text written is stored as text, never as a formula, whatever it starts with.
Never raises on a bad file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from importers.template import CSV_ENCODINGS, CSV_EXTENSIONS
from reports.cells import clean_text, text_cell

SUMMARY_SHEET = "错误汇总 Errors"
PROBLEMS_HEADING = "错误说明 / Problems"
SUMMARY_HEADINGS = ("工作表 Sheet", "行 Row", "列 Column", "错误说明 Problem")
BAD_FILL_COLOUR = "FFC7CE"  # Excel's own "bad" red
HEAD_FILL_COLOUR = "DDEBF7"  # the template's header blue
COMMENT_AUTHOR = "carbon"
# Loading a workbook in openpyxl's editable mode costs roughly half a kilobyte per cell;
# beyond this many cells (the size the sheets declare), or this much unpacked XML (what the
# zip's directory declares: a zip bomb is refused before anything inflates), only the
# summary is produced.
MAX_CELLS = 3_000_000
MAX_UNPACKED_BYTES = 64 << 20
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_XLSX_EXTENSIONS = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class _Error:
    sheet: str
    row: int | None
    column: str | None
    message: str


def _errors(errors: Iterable[Mapping[str, Any]]) -> list[_Error]:
    out = []
    for e in errors:
        row = e.get("row")
        column = e.get("column")
        out.append(
            _Error(
                str(e.get("sheet") or ""),
                row if isinstance(row, int) and 0 < row <= 1_048_576 else None,
                str(column).upper() if column else None,
                str(e.get("message") or ""),
            )
        )
    return out


def annotate_workbook(
    content: bytes, filename: str, errors: list[dict[str, Any]], notes: Iterable[str] = ()
) -> bytes:
    """The user's file with every error marked where it is, as xlsx bytes (see the module).
    ``notes`` are lines for the end of the summary (errors not listed, a purged file)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    errs = _errors(errors)
    # openpyxl warns about parts of a workbook it cannot keep (extensions, odd styles);
    # the user can do nothing about those, and they must not stop the annotation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = _load_user_workbook(content, filename)
        if wb is None:
            wb = Workbook()
            wb.remove(wb.worksheets[0])
        _mark(wb, errs)
        _summary(wb, errs)
        _notes(wb[SUMMARY_SHEET], len(errs) + 2, notes)
        buf = io.BytesIO()
        wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Reading the user's file


def _load_user_workbook(content: bytes, filename: str) -> Any:
    """The file as an openpyxl workbook, or None where that is impossible or unwise."""
    name = filename.lower()
    if not content:  # nothing to mark in (a purged file): the summary only
        return None
    if name.endswith(CSV_EXTENSIONS) and not content.startswith(b"PK\x03\x04"):
        return _csv_workbook(content, filename)
    if not (name.endswith(_XLSX_EXTENSIONS) or content.startswith(b"PK\x03\x04")):
        return None  # .xls, .ods, anything else: openpyxl reads only OOXML
    if _unpacked_bytes(content) > MAX_UNPACKED_BYTES or _declared_cells(content) > MAX_CELLS:
        return None
    from openpyxl import load_workbook

    try:
        # Not read-only (the workbook is changed and saved), not data_only (formulas stay).
        return load_workbook(io.BytesIO(content), rich_text=True)
    except Exception:  # noqa: BLE001 - a file openpyxl cannot open gets the summary only
        return None


def _unpacked_bytes(content: bytes) -> int:
    try:
        return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return 0  # not a zip: openpyxl will refuse it


def _declared_cells(content: bytes) -> int:
    """Cells the sheets say they span (their <dimension>), read without loading them."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True)
    except Exception:  # noqa: BLE001 - the real load below decides
        return 0
    try:
        return sum((ws.max_row or 0) * (ws.max_column or 0) for ws in wb.worksheets)
    except Exception:  # noqa: BLE001 - a sheet without a usable dimension
        return 0
    finally:
        wb.close()


def _csv_workbook(content: bytes, filename: str) -> Any:
    """A sheet holding the CSV's rows as text, named as the importer names it."""
    from openpyxl import Workbook

    text = None
    for enc in CSV_ENCODINGS:  # the importer's order, so the rows are the ones it read
        try:
            text = content.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if sum(len(r) for r in rows) > MAX_CELLS:
        return None
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = _sheet_title(os.path.splitext(os.path.basename(filename))[0] or "csv")
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value != "":
                text_cell(ws.cell(row=i, column=j), value)
    return wb


# ---------------------------------------------------------------------------------------
# Writing


def _sheet_title(name: str) -> str:
    return _SHEET_TITLE_BAD.sub("_", clean_text(name)).strip("'")[:31] or "Sheet"


def _find_sheet(wb: Any, name: str) -> Any:
    """The worksheet an error names (a CSV's sheet carries its name made a valid title)."""
    for title in (name, _sheet_title(name)):
        if title in wb.sheetnames:
            return wb[title]
    return None


def _mark(wb: Any, errs: list[_Error]) -> None:
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import column_index_from_string, get_column_letter  # type: ignore[import-untyped]

    by_sheet: dict[Any, list[_Error]] = defaultdict(list)
    for e in errs:
        ws = _find_sheet(wb, e.sheet)
        if ws is not None and e.row is not None:
            by_sheet[ws].append(e)
    bad = PatternFill("solid", fgColor=BAD_FILL_COLOUR)
    wrap = Alignment(wrap_text=True, vertical="top")
    for ws, sheet_errs in by_sheet.items():
        problems_col = _problems_column(ws)
        by_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
        by_row: dict[int, list[str]] = defaultdict(list)
        for e in sheet_errs:
            assert e.row is not None
            by_row[e.row].append(e.message)
            if e.column is None:
                continue
            try:
                col = column_index_from_string(e.column)
            except ValueError:
                continue
            by_cell[(e.row, col)].append(e.message)
        for (row, col), messages in by_cell.items():
            cell = _writable(ws, row, col)
            cell.fill = bad
            note = "\n".join(messages)
            if cell.comment is not None:  # the user's own note stays, ours goes below it
                note = f"{cell.comment.text}\n\n{note}"
            comment = Comment(clean_text(note), COMMENT_AUTHOR)
            comment.width, comment.height = 320, min(60 + 40 * len(messages), 400)
            cell.comment = comment
        heading_row = _heading_row(ws, min(by_row))
        if heading_row not in by_row:
            head = text_cell(ws.cell(row=heading_row, column=problems_col), PROBLEMS_HEADING)
            head.fill, head.font = PatternFill("solid", fgColor=HEAD_FILL_COLOUR), Font(bold=True)
        for row, messages in by_row.items():
            text = "; ".join(messages)
            if row == heading_row:  # an error in the header row itself
                text = f"{PROBLEMS_HEADING}: {text}"
            cell = text_cell(ws.cell(row=row, column=problems_col), text)
            cell.alignment = wrap
            cell.fill = bad
        ws.column_dimensions[get_column_letter(problems_col)].width = 60


def _writable(ws: Any, row: int, col: int) -> Any:
    """The cell at (row, col), or the top-left cell of the merged range that covers it."""
    from openpyxl.cell.cell import MergedCell  # type: ignore[import-untyped]

    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _problems_column(ws: Any) -> int:
    """The column for the messages: the one an earlier annotation made, else a new one."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 10)):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(PROBLEMS_HEADING):
                col = int(cell.column)
                for (old,) in ws.iter_rows(min_col=col, max_col=col):
                    old.value = None
                return col
    return int(ws.max_column) + 1


def _heading_row(ws: Any, first_error_row: int) -> int:
    """The header row: the fullest of the rows (up to 10) above the first error.

    With none above it, the first error's own row (its cell then starts with the heading).
    """
    best, best_count = first_error_row, 0
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=min(first_error_row - 1, 10)), start=1):
        n = sum(1 for c in row if c.value not in (None, ""))
        if n > best_count:
            best, best_count = r, n
    return best


def _summary(wb: Any, errs: list[_Error]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink  # type: ignore[import-untyped]

    if SUMMARY_SHEET in wb.sheetnames:  # an annotated workbook uploaded again
        wb.remove(wb[SUMMARY_SHEET])
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    head_fill = PatternFill("solid", fgColor=HEAD_FILL_COLOUR)
    bold = Font(bold=True)
    for j, heading in enumerate(SUMMARY_HEADINGS, start=1):
        cell = text_cell(ws.cell(row=1, column=j), heading)
        cell.font, cell.fill = bold, head_fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, e in enumerate(errs, start=2):
        sheet_cell = ws.cell(row=i, column=1)
        if e.sheet:
            text_cell(sheet_cell, e.sheet)
        if e.row is not None:
            ws.cell(row=i, column=2, value=e.row)
        if e.column is not None:
            text_cell(ws.cell(row=i, column=3), e.column)
        text_cell(ws.cell(row=i, column=4), e.message).alignment = wrap
        target = _find_sheet(wb, e.sheet)
        if target is not None and e.row is not None:
            where = f"{e.column or 'A'}{e.row}" if e.column and e.column.isalpha() else f"A{e.row}"
            title = target.title.replace("'", "''")
            sheet_cell.hyperlink = Hyperlink(ref=sheet_cell.coordinate, location=f"'{title}'!{where}")
    if not errs:
        text_cell(ws.cell(row=2, column=4), "没有错误 / no errors")
    for letter, width in zip("ABCD", (22, 8, 8, 100), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def _notes(ws: Any, row: int, notes: Iterable[str]) -> None:
    """Lines under the list of errors, in bold: what the list does not show."""
    from openpyxl.styles import Alignment, Font

    for i, note in enumerate(notes):
        cell = text_cell(ws.cell(row=row + i, column=4), note)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
