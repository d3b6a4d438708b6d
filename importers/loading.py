"""Loading an uploaded file: bytes -> sheets of rows, within the limits of one file.

``load_sheets`` opens a CSV (UTF-8 or GBK) or a spreadsheet (xlsx, xls, ods via calamine),
after the checks that need no parsing (``importers.limits``: rows, CSV line length, a zip
that expands too far), and streams each sheet's rows (``RawSheet``). A cell calamine would
read as blank but that holds a formula without its saved result or a formula error is
marked (``ProblemCell``) from the file itself (``importers.xlsx_cells``, ``importers.xls_cells``).
A file that cannot be read raises ``Unreadable``, whose message is for the user.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from importers.cells import ProblemCell
from importers.limits import MAX_CELLS, MAX_ERRORS, MAX_LINE_BYTES, TooLarge, check_csv, check_xls, check_xlsx
from importers.xls_cells import OLE_MAGIC, problem_cells_xls
from importers.xlsx_cells import start_scan, suspect
from importers.xlsx_package import sheet_parts
from importers.xlsx_pieces import SPLIT_ABOVE, PieceSource, Plan, piece_rows, plan_sheet

CSV_EXTENSIONS = (".csv", ".txt")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312


class Unreadable(Exception):
    """The file is not a spreadsheet we can open; the message is for the user."""


@dataclass
class RawSheet:
    """A sheet's rows, streamed: converting one row at a time and dropping it once read is
    faster than materialising the whole sheet as Python lists, and needs less memory."""

    name: str
    rows: Iterator[list[Any]]
    n_rows: int  # how many rows ``rows`` yields in all
    first_row: int  # 1-based Excel row of the first row yielded
    first_col: int  # 0-based Excel column of each row's first cell
    typed: bool = True  # cells carry types (a spreadsheet); False for CSV, where all is text
    head: list[list[Any]] = field(default_factory=list)  # rows taken to look for the header
    # merged cell ranges, ((row, col), (last row, last col)), 0-based Excel coordinates
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # a sheet read in pieces (importers.xlsx_pieces): widths its rows reach at least
    widths: list[int] | None = None

    def take_head(self, n: int) -> list[list[Any]]:
        if len(self.head) < n:
            self.head.extend(islice(self.rows, n - len(self.head)))
        return self.head


def _is_password_protected(data: bytes) -> bool:
    # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and (
        "EncryptedPackage".encode("utf-16-le") in data
    )


def _load_csv(data: bytes, filename: str) -> list[RawSheet]:
    text: str | None = None
    for enc in CSV_ENCODINGS:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise Unreadable(
            f"cannot read '{filename}' as CSV: the text is neither UTF-8 nor GBK "
            "/ 无法读取CSV文件：编码应为UTF-8或GBK"
        )
    try:
        # A first pass (in C) finds the row count and width; the rows themselves are then
        # streamed, not held: 450,000 rows as lists of str took 400 MB.
        widths = list(map(len, csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as exc:
        raise Unreadable(f"cannot read '{filename}' as CSV: {exc} / 无法读取CSV文件") from None
    # The file name stands for the sheet name (stored in 100 characters, like an xlsx's 31).
    stem = (os.path.splitext(os.path.basename(filename))[0] or "csv")[:100]
    return [RawSheet(stem, _csv_rows(text, max(widths, default=0)), len(widths), 1, 0, typed=False)]


def _csv_rows(text: str, width: int) -> Iterator[list[Any]]:
    """The CSV's rows, each padded with blanks to ``width`` cells."""
    for r in csv.reader(io.StringIO(text, newline="")):
        if len(r) < width:
            r.extend([""] * (width - len(r)))
        yield r


_PASSWORD_MESSAGE = (
    "'{filename}' is password-protected; remove the password and upload it again "
    "/ 文件有密码保护，请取消密码后重新上传"
)


def _calamine_failure(exc: BaseException, filename: str) -> Unreadable:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return Unreadable(_PASSWORD_MESSAGE.format(filename=filename))
    return Unreadable(
        f"cannot read '{filename}' as a spreadsheet (xlsx, xls, ods or csv expected): {exc} "
        "/ 无法读取该文件，请上传Excel（xlsx/xls）、ODS或CSV格式的文件"
    )


def _reraise_if_fatal(exc: BaseException) -> None:
    # calamine reports a malformed file as an Exception, but a Rust panic arrives as
    # pyo3's PanicException, a BaseException: treat it as a bad file too.
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise exc


def _mark_problems(
    rows: Iterator[list[Any]], problems: dict[tuple[int, int], str], first_col: int
) -> Iterator[list[Any]]:
    """Put a ``ProblemCell`` where the sheet has a formula without a saved result or a
    formula error: calamine reads both as blank, which would count as zero."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), problem in problems.items():
        by_row.setdefault(r, []).append((c - first_col, problem))
    r = 0
    for row in rows:
        r += 1
        for j, problem in by_row.get(r, ()):
            if 0 <= j < len(row):
                row[j] = ProblemCell(problem)
        yield row


def _load_calamine(data: bytes, filename: str, plans: Plans | None = None) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    if _is_password_protected(data):
        raise Unreadable(_PASSWORD_MESSAGE.format(filename=filename))
    # The sheet XML is scanned for such cells on another thread while calamine parses.
    scan: Callable[[], dict[str, dict[tuple[int, int], str]]] | None = None
    if data.startswith(b"PK\x03\x04"):
        # sheets the planning pass found clean (importers.xlsx_pieces) are not scanned again
        clean = frozenset(name for name, (_, _, plan) in (plans or {}).items() if plan.clean)
        scan = start_scan(data, clean)
    elif data.startswith(OLE_MAGIC):
        scan = partial(problem_cells_xls, data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
    except BaseException as exc:  # noqa: BLE001 - see _reraise_if_fatal
        _reraise_if_fatal(exc)
        raise _calamine_failure(exc, filename) from None
    sheets: list[RawSheet] = []
    pool: list[ThreadPoolExecutor] = []  # one background thread for the file's pieced sheets

    def executor() -> ThreadPoolExecutor:
        if not pool:
            pool.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-pieces"))
        return pool[0]

    try:
        for meta in metas:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            pieced = _pieced_sheet(data, plans or {}, meta.name, filename, executor)
            if pieced is not None:
                sheets.append(pieced)
                continue
            try:
                sheet = wb.get_sheet_by_name(meta.name)  # calamine parses the sheet here
                start = sheet.start
                height = sheet.height
            except BaseException as exc:  # noqa: BLE001 - see _reraise_if_fatal
                _reraise_if_fatal(exc)
                raise _calamine_failure(exc, filename) from None
            if start is None:
                sheets.append(RawSheet(meta.name, iter(()), 0, 1, 0))
            else:
                # iter_rows yields every row from Excel row 1 (leading empty rows as blank
                # rows) and each row's cells from the first used column (start[1]) on;
                # tests pin this, as row and column numbers in messages rely on it.
                sheets.append(
                    RawSheet(
                        meta.name, sheet.iter_rows(), start[0] + height, 1, start[1],
                        merged=list(sheet.merged_cell_ranges or ()),
                    )
                )  # fmt: skip
    finally:
        wb.close()
    problems = scan() if scan is not None else {}
    for s in sheets:
        if s.name in problems:
            if s.widths is not None:  # pieced: rows reach the problem cells (their rows are not read yet)
                s.widths.append(max(c for _, c in problems[s.name]) + 1)
            s.rows = _mark_problems(s.rows, problems[s.name], s.first_col)
    return sheets


Plans = dict[str, tuple[zipfile.ZipFile, zipfile.ZipInfo, Plan]]


def _plans(data: bytes, max_rows: int) -> Plans:
    """The large sheets of an xlsx, by name, with how to read them in pieces
    (``importers.xlsx_pieces``); their rows are counted by the same pass."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = [(name, info) for name, info in sheet_parts(zf) if info.file_size > SPLIT_ABOVE]
    except Exception:  # noqa: BLE001 - calamine reports a damaged file
        return {}
    plans: Plans = {}
    for name, info in members:
        try:
            plan = plan_sheet(data, zf, info, max_rows, suspect)  # the formula scan's first stage too
        except Exception:  # noqa: BLE001 - read it whole: calamine reports a damaged member
            continue
        if plan is not None:
            plans.setdefault(name, (zf, info, plan))
    return plans


def _pieced_sheet(
    data: bytes, plans: Plans, name: str, filename: str, executor: Callable[[], ThreadPoolExecutor]
) -> RawSheet | None:
    """A large xlsx sheet read in pieces of rows (``importers.xlsx_pieces``), or None to read
    it whole: a sheet that is small, not cut safely, or whose cells start after column A."""
    if name not in plans:
        return None
    zf, info, plan = plans[name]
    if not plan.usable:
        return None
    try:
        source = PieceSource(data, zf, info, name, plan, executor())
        first = source.first()
        if first is None or first.start is None or first.start[1] != 0:
            return None
        merged = list(first.merged_cell_ranges or ())
    except BaseException as exc:  # noqa: BLE001 - read it whole, as before
        _reraise_if_fatal(exc)
        return None

    def whole() -> Any:
        from python_calamine import CalamineWorkbook

        try:
            with CalamineWorkbook.from_filelike(io.BytesIO(data)) as wb:
                return wb.get_sheet_by_name(name)
        except BaseException as exc:  # noqa: BLE001 - see _reraise_if_fatal
            _reraise_if_fatal(exc)
            raise _calamine_failure(exc, filename) from None

    # Rows are as wide as the first piece's, its merged cells' and problem cells' (added
    # once found): as calamine makes every row of the whole sheet as wide as its widest.
    widths = [first.start[1] + first.width, *(c1 + 1 for _, (_, c1) in merged)]
    rows = piece_rows(first, source, whole, widths)
    return RawSheet(name, rows, plan.last_row, 1, 0, merged=merged, widths=widths)


_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (xlsx, ods), OLE (xls)


@dataclass(frozen=True)
class Limits:
    """What a file may hold before anything in it is parsed."""

    max_rows: int = 1_000_000
    max_uncompressed_bytes: int = 1 << 30  # an xlsx of 240,000 template rows expands to ~140 MB
    max_line_bytes: int = MAX_LINE_BYTES  # a CSV line (importers.limits)
    max_errors: int = MAX_ERRORS  # cell errors kept; the rest are counted (importers.limits)


def _check_zip(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse a zip (xlsx, ods) whose members expand beyond the limit: a zip bomb.

    The central directory declares each member's size, and both Python's zipfile and the
    Rust reader calamine uses stop inflating a member at its declared size, so the sum of
    declared sizes bounds what parsing can inflate; reading it costs no decompression.
    """
    try:
        total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable zip: calamine reports it in the user's terms
    if total > limits.max_uncompressed_bytes:
        raise Unreadable(
            f"'{filename}' expands to {total / 1e6:,.0f} MB when unpacked, more than the "
            f"{limits.max_uncompressed_bytes / 1e6:,.0f} MB allowed; split it into smaller files "
            "/ 文件解压后过大，请拆分为多个文件上传"
        )


def _check_rows(sheets: list[RawSheet], filename: str, limits: Limits) -> None:
    rows = sum(s.n_rows for s in sheets)
    if rows > limits.max_rows:
        raise Unreadable(
            f"'{filename}' has {rows:,} rows, more than the {limits.max_rows:,} allowed in one file; "
            "split it into smaller files / 文件行数超过上限，请拆分为多个文件上传"
        )


def _before_parsing(check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except TooLarge as exc:
        raise Unreadable(str(exc)) from None


def load_sheets(data: bytes, filename: str, limits: Limits) -> list[RawSheet]:
    if not data:
        raise Unreadable(f"'{filename}' is empty / 文件为空")
    if filename.lower().endswith(CSV_EXTENSIONS) and not data.startswith(_SPREADSHEET_MAGIC):
        _before_parsing(check_csv, data, filename, limits.max_rows, limits.max_line_bytes)
        sheets = _load_csv(data, filename)
    else:
        plans: Plans = {}
        if data.startswith(b"PK\x03\x04"):
            _check_zip(data, filename, limits)
            plans = _plans(data, limits.max_rows)
            counted = {name: plan.rows for name, (_, _, plan) in plans.items()}
            _before_parsing(check_xlsx, data, filename, limits.max_rows, MAX_CELLS, counted)
        elif data.startswith(OLE_MAGIC):
            _before_parsing(check_xls, data, filename, limits.max_rows)
        sheets = _load_calamine(data, filename, plans)
    _check_rows(sheets, filename, limits)
    return sheets
