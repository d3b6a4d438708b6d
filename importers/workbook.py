"""Reading any supported file: the one entry point, ``read_workbook``, and the dispatcher.

``read_workbook`` turns an uploaded file (xlsx, xls, ods via calamine; csv) into a
``ParsedFile``: one ``MonthlyRecord`` per enterprise-month in canonical units, and every
rejected cell as sheet / row / column / bilingual reason. It never raises on bad input.

It loads the file (``importers.loading``: limits first, then bytes -> sheets), looks at each
sheet's first 40 rows and decides what it is: a sheet of a 205-1 return
(``importers.return205``), a months-as-columns ledger (``importers.ledger``), or a rows table
(``importers.rows``, the template's own layout); see ``importers.detect``. The cyclic GC is
paused while reading (see ``read_workbook``). ``importers.template.read_template`` is the
same function under its earlier name.
"""

from __future__ import annotations

import gc
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.records import ColumnMapping, ParsedFile
from importers.detect import HEADER_SEARCH_ROWS, Table, find_table
from importers.layout import IDENTITY_COLUMNS, NOTES_SHEET_NAMES
from importers.ledger import read_ledger
from importers.limits import ErrorLog
from importers.loading import Limits, RawSheet, Unreadable, load_sheets
from importers.return205 import looks_like_205, read_205
from importers.row_checks import no_data_rows
from importers.rows import SheetReader
from importers.rows_header import block_constants, finish_extras, read_header
from importers.rows_state import FileState, Progress, Sink


def _from_column_a(rows: list[list[Any]], first_col: int) -> list[list[Any]]:
    """Rows as the sheet has them from column A (calamine starts at the first used column)."""
    if not first_col:
        return rows
    pad = [""] * first_col
    return [pad + row for row in rows]


def _error_file(message: str) -> ParsedFile:
    return ParsedFile(records=[], errors=[CellError("", None, None, message)], warnings=[], columns=[])


def read_workbook(
    data: bytes,
    filename: str,
    progress: Progress | None = None,
    sink: Sink | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
) -> ParsedFile:
    """Read any supported file (xlsx, xls, ods or csv) into canonical monthly records.

    Each sheet is looked at once and read as what it is: a rows table (the template,
    registers: a header row within its first 40 rows naming at least the USCC and month,
    or a block above naming them), a months-as-columns ledger, or a sheet of a 205-1
    return (read with the return's other sheets); other sheets are skipped with a
    warning. Rows with errors produce no record; every error is reported. Never raises on
    bad input.

    With ``sink``, records are handed over in chunks of about ``importers.rows.SINK_CHUNK`` as they are
    read, and not kept (``ParsedFile.records`` is then empty): a large file never sits in
    memory whole. No chunk is handed over after the first rejected cell.

    A file over ``limits`` (rows, or unpacked size of an xlsx/ods: a zip bomb) is refused
    before its rows are read.
    """
    # Reading allocates hundreds of thousands of containers (records, value dicts) that
    # all survive, so the cyclic GC would walk the growing heap again and again (20-30 %
    # of a 240,000-row import) to find nothing: none of it can form a cycle. Pause it for
    # the read and restore it afterwards.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_workbook(data, filename, progress, sink, limits)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_workbook(
    data: bytes, filename: str, progress: Progress | None, sink: Sink | None, limits: Limits
) -> ParsedFile:
    try:
        sheets = load_sheets(data, filename, limits)
    except Unreadable as exc:
        return _error_file(str(exc))

    state = FileState(sink=sink, errors=ErrorLog(limits.max_errors))  # the first N kept, all counted
    warnings: list[CellError] = []
    columns: list[ColumnMapping] = []
    readers: list[SheetReader] = []
    ledgers: list[tuple[RawSheet, Table]] = []
    returns: list[RawSheet] = []  # 205-1 statistical returns, one sheet per month
    returns_read = 0  # energy rows read on them
    for sheet in sheets:
        if sheet.name.strip().lower() in NOTES_SHEET_NAMES:
            continue
        head = sheet.take_head(HEADER_SEARCH_ROWS)
        if sheet.typed and sheet.first_row == 1 and looks_like_205(_from_column_a(head, sheet.first_col)):
            returns.append(sheet)
            continue
        table = find_table(head, sheet.name, sheet.first_row)
        if table is None:
            if sheet.n_rows and sheet.name.strip().lower() not in NOTES_SHEET_NAMES:
                warnings.append(
                    CellError(
                        sheet.name, None, None,
                        f"no table header found in rows 1-{HEADER_SEARCH_ROWS} (a row naming "
                        "统一社会信用代码/USCC and 月份/Month, or months as columns 1月…12月 under an "
                        "enterprise block); sheet skipped / 未找到表头，已跳过该工作表",
                    )
                )  # fmt: skip
            continue
        if table.kind == "ledger":
            ledgers.append((sheet, table))
            continue
        header = read_header(sheet, table)
        block_constants(sheet, table, header)
        finish_extras(sheet, table, header)
        state.errors.extend(header.errors)
        warnings.extend(header.warnings)
        columns.extend(header.mappings)
        given = header.identity.keys() | header.constants.keys()
        if "uscc" in given and "month" in given:
            readers.append(SheetReader(sheet, header, state, table))

    for sheet, table in ledgers:
        ledger = read_ledger(
            sheet.name, sheet.take_head(sheet.n_rows), table, sheet.first_row, sheet.first_col
        )
        state.errors.extend(ledger.errors)
        warnings.extend(ledger.warnings)
        columns.extend(ledger.columns)
        state.add(ledger.records)

    if returns:
        # the months of a 205-1 return are cumulative: its sheets are read together
        stats = read_205(
            [(s.name, _from_column_a(s.take_head(s.n_rows), s.first_col)) for s in returns], filename
        )
        state.errors.extend(stats.errors)
        warnings.extend(stats.warnings)
        columns.extend(stats.columns)
        state.add(stats.records)
        returns_read = stats.rows_read

    if not readers and not ledgers and not returns:
        required = ", ".join(f"{c.name_zh} ({c.name_en})" for c in IDENTITY_COLUMNS)
        return _error_file(
            f"no sheet of '{filename}' has a table header: one of rows 1-{HEADER_SEARCH_ROWS} must hold "
            f"the headers 统一社会信用代码 (USCC) and 月份 (Month), or months as columns (1月 … 12月) "
            f"under an enterprise block; template columns are {required} "
            "and quantities such as 电力(万千瓦时) / 未找到表头：应有包含“统一社会信用代码”和“月份”的表头行，"
            "或以1月…12月为列、上方注明企业信息的台账"
        )

    state.total = sum(rd.data_rows for rd in readers)
    for rd in readers:
        rd.read(progress)
    if progress is not None and state.done != state.total:
        progress(state.done, state.done)  # the row count was an estimate: end at 100 %
    state.flush()
    warnings.extend(state.warnings)
    for rd in readers:
        if rd.h.extras is not None:
            warnings.extend(rd.h.extras.final_warnings())
    if not state.accepted and not state.errors and not returns_read:
        first = [rd.name for rd in readers] + [s.name for s, _ in ledgers] + [s.name for s in returns]
        state.errors.append(no_data_rows(first[0] if first else ""))
    return ParsedFile(
        records=state.records,
        errors=state.errors,
        warnings=warnings,
        columns=columns,
        rows_read=state.rows_read,
        accepted=state.accepted,
    )
