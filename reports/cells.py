"""Writing text into openpyxl cells so that no spreadsheet ever evaluates it."""

from __future__ import annotations

from typing import Any

from carbon.domain.exports import FORMULA_START

EXCEL_CELL_LIMIT = 32_767


def clean_text(text: str) -> str:
    """Text an xlsx cell can hold: no control characters, at most 32,767 characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    return str(ILLEGAL_CHARACTERS_RE.sub("", text))[:EXCEL_CELL_LIMIT]


def text_cell(cell: Any, value: str) -> Any:
    """A text cell that a spreadsheet never evaluates, whatever it starts with."""
    value = clean_text(value)
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


NUMBER_FORMATS = {
    "text": "@",
    "tco2": "#,##0.00",
    "int": "#,##0",
    "share": "0.0%",
    "pct": "+0.0%;-0.0%;0.0%",
    "intensity": "0.0000",
    "score": "0.0",
}


def put(ws: Any, row: int, col: int, value: Any, kind: str = "text") -> Any:
    """Write one value: text never evaluated, a yes/no as bilingual text, a number with the
    number format of its ``kind``; None leaves the cell empty."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        text_cell(cell, value)
    elif isinstance(value, bool):
        text_cell(cell, "是 Yes" if value else "否 No")
    else:
        cell.value = value
        cell.number_format = NUMBER_FORMATS.get(kind, "General")
    return cell
