"""Helpers for the importer tests: real USCCs and small workbooks built cell by cell."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from carbon.domain.identifiers import make_uscc
from importers.layout import TEMPLATE_HEADERS

ZH = TEMPLATE_HEADERS["zh"]
EN = TEMPLATE_HEADERS["en"]
IDENTITY_ZH = list(ZH[:5])  # 统一社会信用代码, 企业名称, 行业代码, 行政区划代码, 月份


def uscc(n: int) -> str:
    """The n-th made-up enterprise's USCC, with a correct check character."""
    return make_uscc(f"9133080{n:010d}")


def bad_check(code: str) -> str:
    """``code`` with a wrong check character."""
    last = "1" if code[-1] != "1" else "2"
    return code[:-1] + last


def workbook(
    sheets: dict[str, Sequence[Sequence[object]]], *, start_row: int = 1, start_col: int = 1
) -> bytes:
    """An xlsx whose sheets hold the given rows (cells written as given; None = empty)."""
    wb = Workbook()
    first = True
    for name, rows in sheets.items():
        if first:
            ws = wb.active
            assert ws is not None
            ws.title = name
            first = False
        else:
            ws = wb.create_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    ws.cell(row=start_row + i, column=start_col + j, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def one_sheet(header: Sequence[object], *rows: Sequence[object], name: str = "data") -> bytes:
    return workbook({name: [list(header), *[list(r) for r in rows]]})


def ident(n: int, month: object = "2023-01", name: str | None = None) -> list[object]:
    """Identity cells in template order for enterprise n."""
    return [uscc(n), name or f"企业{n}", "2614", "330802", month]
