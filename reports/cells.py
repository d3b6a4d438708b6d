"""Writing text into openpyxl cells so that no spreadsheet ever evaluates it."""

from __future__ import annotations

from typing import Any

from carbon.domain.exports import FORMULA_START

EXCEL_CELL_LIMIT = 32_767


def clean_text(text: str) -> str:
    """Text an xlsx cell can hold: no control characters, at most 32,767 characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("", text))[:EXCEL_CELL_LIMIT]


def text_cell(cell: Any, value: str) -> Any:
    """A text cell that a spreadsheet never evaluates, whatever it starts with."""
    value = clean_text(value)
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
