"""Error cells in legacy .xls (BIFF8) workbooks: ``#DIV/0!``, ``#N/A`` …

calamine reads an error cell, and a formula whose saved result is an error, as blank,
which would count as zero. xlrd reads the BIFF records' cell types without evaluating
anything, so the error cells can be found and reported instead. (A formula's saved
result in .xls is always present: Excel and WPS write it; only generators that write
no result, such as xlwt, leave an empty text, which is indistinguishable from ="".)

The positions and the result have the shape of ``importers.xlsx_cells.problem_cells``.
"""

from __future__ import annotations

import io

Problems = dict[str, dict[tuple[int, int], str]]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def problem_cells_xls(data: bytes) -> Problems:
    """sheet name -> {(excel row 1-based, column 0-based): error text} for an .xls file;
    ``{}`` for anything xlrd cannot read (calamine then reports the file). Never raises."""
    if not data.startswith(OLE_MAGIC):
        return {}
    try:
        import xlrd  # type: ignore[import-untyped]  # no stubs: xlrd is untyped

        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception:  # noqa: BLE001 - an unreadable file is calamine's to report
        return {}
    found: Problems = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells: dict[tuple[int, int], str] = {}
            for r in range(sheet.nrows):
                types = sheet.row_types(r)
                if xlrd.XL_CELL_ERROR not in types:
                    continue
                for c, t in enumerate(types):
                    if t == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(r, c)
                        cells[(r + 1, c)] = xlrd.error_text_from_code.get(code, "#ERROR!")
            if cells:
                found[sheet.name] = cells
            book.unload_sheet(index)
    except Exception:  # noqa: BLE001 - a damaged sheet: report what was found
        return found
    finally:
        book.release_resources()
    return found
