"""A report workbook (openpyxl): sheets with a title, a styled header and typed columns.

Every cell goes through ``reports.cells.put``: text is never a formula, numbers carry the
number format of their kind.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from reports.cells import put

Row = TypeVar("Row", contravariant=True)
R = TypeVar("R")


@dataclass(frozen=True)
class XColumn(Generic[Row]):
    """One column: heading, width (characters), number kind (``reports.cells``) and the
    value it shows of a row."""

    heading: str
    width: float
    kind: str = "text"
    value: Callable[[Row], object] | None = None


class Book:
    def __init__(self) -> None:
        from openpyxl import Workbook  # type: ignore[import-untyped]
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]

        self.wb = Workbook()
        self.title_font = Font(bold=True, size=13, color="1F4E79")
        self.head_font = Font(bold=True, color="FFFFFF")
        self.head_fill = PatternFill("solid", fgColor="1F4E79")
        self.head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.bold = Font(bold=True)
        self.note_font = Font(italic=True, color="666666")
        self.border = Border(bottom=Side(style="thin", color="BBBBBB"))
        self.first = True

    def sheet(self, name: str) -> Any:
        if self.first:
            ws = self.wb.active
            ws.title = name
            self.first = False
            return ws
        return self.wb.create_sheet(name)

    def title(self, ws: Any, text: str, row: int = 1) -> None:
        put(ws, row, 1, text).font = self.title_font
        ws.row_dimensions[row].height = 22

    def note(self, ws: Any, row: int, text: str) -> None:
        put(ws, row, 1, text).font = self.note_font

    def header(self, ws: Any, row: int, columns: Sequence[XColumn[Any]]) -> None:
        from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

        for j, c in enumerate(columns, start=1):
            cell = put(ws, row, j, c.heading)
            cell.font = self.head_font
            cell.fill = self.head_fill
            cell.alignment = self.head_align
            dim = ws.column_dimensions[get_column_letter(j)]
            dim.width = max(dim.width or 0, c.width)
        ws.row_dimensions[row].height = 32

    def table(
        self,
        ws: Any,
        columns: Sequence[XColumn[R]],
        rows: Sequence[R],
        *,
        start: int = 2,
        freeze_col: int = 1,
        autofilter: bool = True,
    ) -> int:
        """Header at ``start``, rows below; returns the next free row."""
        from openpyxl.utils import get_column_letter

        self.header(ws, start, columns)
        for i, r in enumerate(rows, start=start + 1):
            for j, c in enumerate(columns, start=1):
                v = c.value(r) if c.value else None
                put(ws, i, j, v, c.kind)
        last = start + len(rows)
        ws.freeze_panes = f"{get_column_letter(freeze_col)}{start + 1}"
        if autofilter and rows:
            ws.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{last}"
        return last + 1

    def plain_table(self, ws: Any, start: int, columns: Sequence[XColumn[R]], rows: Sequence[R]) -> int:
        """A secondary table further down a sheet (no freeze, no filter); returns the next
        row after it."""
        self.header(ws, start, columns)
        for i, r in enumerate(rows, start=start + 1):
            for j, c in enumerate(columns, start=1):
                put(ws, i, j, c.value(r) if c.value else None, c.kind)
        if not rows:
            put(ws, start + 1, 1, "无 / None")
            return start + 2
        return start + 1 + len(rows)

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.wb.properties.creator = "carbon-account"
        self.wb.save(buf)
        return buf.getvalue()
