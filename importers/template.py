"""The energy-data template workbook: read it into typed rows, and generate it.

``read_template`` turns an uploaded file (xlsx, xls, ods via calamine; csv) into a
``ParsedFile``: one ``MonthlyRecord`` per enterprise-month in canonical units, and every
rejected cell as sheet / row / column / bilingual reason. It never raises on bad input.

Speed matters (240,000-row workbooks are benchmarked against calamine's bare parse):

- rows are streamed from calamine (``iter_rows``) and dropped once read, rather than
  materialised as one big list;
- each sheet's header is resolved once into column indices, factors and blank values;
- identity cells (USCC, name, industry, region) and month cells are validated on first
  sight and cached, so a row of a known enterprise and month costs two dict lookups;
- quantities are converted by one dict comprehension whose common cell (a non-negative
  float or a blank) costs no function call;
- a row that loop does not clear (text numbers, any problem) goes to
  ``_SheetReader._slow_row``, which validates everything and collects all errors;
- the cyclic GC is paused while reading (see ``read_template``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from operator import attrgetter, itemgetter
from typing import Any, BinaryIO, NamedTuple

from carbon.domain.errors import CellError
from carbon.domain.exports import FORMULA_START
from carbon.domain.identifiers import Period
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, Kind, unit_factor
from carbon.domain.records import ColumnMapping, MonthlyRecord, ParsedFile
from importers.cells import (
    MAX_CELL,
    CellProblem,
    ProblemCell,
    code_text,
    column_letter,
    is_blank,
    read_industry,
    read_month,
    read_number,
    read_region,
    read_uscc,
)
from importers.detect import HEADER_SEARCH_ROWS, Table, fill_merged, find_table
from importers.energy_names import UNIT_HINTS, classify
from importers.layout import (
    IDENTITY_BY_KEY,
    IDENTITY_COLUMNS,
    NAME_MAX_CHARS,
    NOTES_SHEET_NAMES,
    TEMPLATE_COLUMNS,
    UNIT_EXAMPLES,
    TemplateColumn,
    is_total_label,
    match_header,
)
from importers.ledger import read_ledger
from importers.limits import MAX_ERRORS, MAX_LINE_BYTES, ErrorLog, TooLarge, check_csv, check_xls, check_xlsx
from importers.return205 import looks_like_205, read_205
from importers.row_checks import export_floor, no_data_rows
from importers.row_extras import RowExtras
from importers.xls_cells import OLE_MAGIC, problem_cells_xls
from importers.xlsx_cells import start_scan

Progress = Callable[[int, int], None]
Sink = Callable[[list[MonthlyRecord]], None]
SINK_CHUNK = 20_000

PROGRESS_EVERY = 5000
CSV_EXTENSIONS = (".csv", ".txt")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312

# ---------------------------------------------------------------------------------------
# Loading the file


class _Unreadable(Exception):
    """The file is not a spreadsheet we can open; the message is for the user."""


@dataclass
class _RawSheet:
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

    def take_head(self, n: int) -> list[list[Any]]:
        if len(self.head) < n:
            self.head.extend(islice(self.rows, n - len(self.head)))
        return self.head


def _is_password_protected(data: bytes) -> bool:
    # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and (
        "EncryptedPackage".encode("utf-16-le") in data
    )


def _load_csv(data: bytes, filename: str) -> list[_RawSheet]:
    text: str | None = None
    for enc in CSV_ENCODINGS:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise _Unreadable(
            f"cannot read '{filename}' as CSV: the text is neither UTF-8 nor GBK "
            "/ 无法读取CSV文件：编码应为UTF-8或GBK"
        )
    try:
        # A first pass (in C) finds the row count and width; the rows themselves are then
        # streamed, not held: 450,000 rows as lists of str took 400 MB.
        widths = list(map(len, csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as exc:
        raise _Unreadable(f"cannot read '{filename}' as CSV: {exc} / 无法读取CSV文件") from None
    # The file name stands for the sheet name (stored in 100 characters, like an xlsx's 31).
    stem = (os.path.splitext(os.path.basename(filename))[0] or "csv")[:100]
    return [_RawSheet(stem, _csv_rows(text, max(widths, default=0)), len(widths), 1, 0, typed=False)]


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


def _calamine_failure(exc: BaseException, filename: str) -> _Unreadable:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return _Unreadable(_PASSWORD_MESSAGE.format(filename=filename))
    return _Unreadable(
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


def _load_calamine(data: bytes, filename: str) -> list[_RawSheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    if _is_password_protected(data):
        raise _Unreadable(_PASSWORD_MESSAGE.format(filename=filename))
    # The sheet XML is scanned for such cells on another thread while calamine parses.
    scan: Callable[[], dict[str, dict[tuple[int, int], str]]] | None = None
    if data.startswith(b"PK\x03\x04"):
        scan = start_scan(data)
    elif data.startswith(OLE_MAGIC):
        scan = partial(problem_cells_xls, data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
    except BaseException as exc:  # noqa: BLE001 - see _reraise_if_fatal
        _reraise_if_fatal(exc)
        raise _calamine_failure(exc, filename) from None
    sheets: list[_RawSheet] = []
    try:
        for meta in metas:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = wb.get_sheet_by_name(meta.name)  # calamine parses the sheet here
                start = sheet.start
                height = sheet.height
            except BaseException as exc:  # noqa: BLE001 - see _reraise_if_fatal
                _reraise_if_fatal(exc)
                raise _calamine_failure(exc, filename) from None
            if start is None:
                sheets.append(_RawSheet(meta.name, iter(()), 0, 1, 0))
            else:
                # iter_rows yields every row from Excel row 1 (leading empty rows as blank
                # rows) and each row's cells from the first used column (start[1]) on;
                # tests pin this, as row and column numbers in messages rely on it.
                sheets.append(
                    _RawSheet(
                        meta.name, sheet.iter_rows(), start[0] + height, 1, start[1],
                        merged=list(sheet.merged_cell_ranges or ()),
                    )
                )  # fmt: skip
    finally:
        wb.close()
    problems = scan() if scan is not None else {}
    for s in sheets:
        if s.name in problems:
            s.rows = _mark_problems(s.rows, problems[s.name], s.first_col)
    return sheets


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
        raise _Unreadable(
            f"'{filename}' expands to {total / 1e6:,.0f} MB when unpacked, more than the "
            f"{limits.max_uncompressed_bytes / 1e6:,.0f} MB allowed; split it into smaller files "
            "/ 文件解压后过大，请拆分为多个文件上传"
        )


def _check_rows(sheets: list[_RawSheet], filename: str, limits: Limits) -> None:
    rows = sum(s.n_rows for s in sheets)
    if rows > limits.max_rows:
        raise _Unreadable(
            f"'{filename}' has {rows:,} rows, more than the {limits.max_rows:,} allowed in one file; "
            "split it into smaller files / 文件行数超过上限，请拆分为多个文件上传"
        )


def _before_parsing(check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except TooLarge as exc:
        raise _Unreadable(str(exc)) from None


def _load(data: bytes, filename: str, limits: Limits) -> list[_RawSheet]:
    if not data:
        raise _Unreadable(f"'{filename}' is empty / 文件为空")
    if filename.lower().endswith(CSV_EXTENSIONS) and not data.startswith(_SPREADSHEET_MAGIC):
        _before_parsing(check_csv, data, filename, limits.max_rows, limits.max_line_bytes)
        sheets = _load_csv(data, filename)
    else:
        if data.startswith(b"PK\x03\x04"):
            _check_zip(data, filename, limits)
            _before_parsing(check_xlsx, data, filename, limits.max_rows)
        elif data.startswith(OLE_MAGIC):
            _before_parsing(check_xls, data, filename, limits.max_rows)
        sheets = _load_calamine(data, filename)
    _check_rows(sheets, filename, limits)
    return sheets


# ---------------------------------------------------------------------------------------
# Cell readers (the slow path; the fast path inlines the float case)


# ---------------------------------------------------------------------------------------
# Header


@dataclass
class _Quantity:
    index: int  # index into the row list
    key: str
    letter: str
    header: str
    factor: float
    blank: float | None  # what a blank cell means: 0.0 for energy, None for economic


@dataclass
class _Header:
    row_index: int  # index into the sheet's rows of the first data row's predecessor
    excel_row: int
    identity: dict[str, int]  # key -> index into the row list
    letters: dict[str, str]  # identity key -> column letter
    quantities: list[_Quantity]
    mappings: list[ColumnMapping]
    errors: list[CellError]
    warnings: list[CellError]
    constants: dict[str, Any] = field(default_factory=dict)  # identity from the block above
    extras: RowExtras | None = None  # energy columns that are no field (steam, 甲醇 …)


def _read_header(sheet: _RawSheet, table: Table) -> _Header:
    excel_row = sheet.first_row + table.index
    h = _Header(table.first_data - 1, excel_row, {}, {}, [], [], [], [])
    seen: dict[str, str] = {}  # key -> letter of the column it was read from
    for j, cell in enumerate(table.cells):
        letter = column_letter(sheet.first_col + j)
        if is_blank(cell):
            continue
        text = " ".join(str(cell).split())
        found = match_header(cell)
        unknown = classify(cell) if found is None else None
        if unknown is not None:
            if h.extras is None:
                h.extras = RowExtras(sheet.name, excel_row)
            h.extras.column(j, letter, text, unknown)
            continue
        if found is None:
            h.warnings.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} is not a template column; ignored / 非模板列“{text}”，已忽略",
                )
            )  # fmt: skip
            continue
        key, unit = found
        if key in seen:
            h.errors.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} repeats column {seen[key]}; each column may appear once "
                    f"/ 与{seen[key]}列重复",
                )
            )  # fmt: skip
            continue
        seen[key] = letter
        if key in IDENTITY_BY_KEY:
            h.identity[key] = j
            h.letters[key] = letter
            continue
        f = FIELD_BY_KEY[key]
        examples = UNIT_EXAMPLES[f.dimension]
        if unit is None:
            if key not in ECONOMIC_KEYS:
                h.errors.append(
                    CellError(
                        sheet.name, excel_row, letter,
                        f"column {text!r} has no unit; write it in brackets, e.g. '{f.header_zh}' or "
                        f"'{f.header_en}' (units: {examples}) / 表头缺少单位，应写作“{f.header_zh}”",
                    )
                )  # fmt: skip
                continue
            unit = f.template_unit_zh
            h.warnings.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} has no unit; read as {f.template_unit_en} "
                    f"/ 表头未注明单位，按{f.template_unit_zh}读取",
                )
            )  # fmt: skip
        try:
            factor = unit_factor(unit, f.dimension)
        except KeyError as exc:
            hint = f"; {UNIT_HINTS[key]}" if key in UNIT_HINTS else ""
            h.errors.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r}: {exc.args[0]}; accepted units: {examples}{hint}",
                )
            )  # fmt: skip
            continue
        blank = None if key in ECONOMIC_KEYS else 0.0
        h.quantities.append(_Quantity(j, key, letter, text, factor, blank))
        h.mappings.append(ColumnMapping(sheet.name, letter, text, key, unit, factor))
    return h


_BLOCK_IDENTITY = ("uscc", "name", "industry_code", "region_code", "month")


def _finish_extras(sheet: _RawSheet, table: Table, h: _Header) -> None:
    """Energy columns that are no field: decided once the header is read (docs/methodology.md §2.3)."""
    x = h.extras
    if x is None:  # no such column: the block above is still looked at
        x = h.extras = RowExtras(sheet.name, h.excel_row)
    carriers = any(FIELD_BY_KEY[c.key].kind is not Kind.ECONOMIC for c in h.quantities)
    x.finish_header(carriers, sheet.head[: table.first_data], sheet.first_row, sheet.first_col)
    h.errors.extend(x.errors)
    h.warnings.extend(x.warnings)
    h.mappings[:0] = x.mappings  # before the sheet's own: a 热力 column stays the one shown


def _block_constants(sheet: _RawSheet, table: Table, h: _Header) -> None:
    """Identity the table has no column for but the block above gives (企业名称：…,
    统一社会信用代码：…, 报告期：2023年3月) becomes a constant of every row; a bad block value
    is an error naming its own cell."""
    for key in _BLOCK_IDENTITY:
        if key in h.identity or key not in table.block:
            continue
        b = table.block[key]
        letter = column_letter(sheet.first_col + b.column)
        problem: str | None = None
        if key == "uscc":
            problem = read_uscc(b.value)[1]
        elif key == "industry_code":
            problem = read_industry(b.value)[1]
        elif key == "region_code":
            problem = read_region(b.value)[1]
        elif key == "month":
            try:
                read_month(b.value, table.year)
            except CellProblem as exc:
                problem = str(exc)
        if problem is not None:
            h.errors.append(CellError(sheet.name, b.row, letter, f"{b.label}: {problem}"))
            continue
        h.constants[key] = b.value
        h.letters[key] = letter


# ---------------------------------------------------------------------------------------
# Rows


@dataclass
class _Enterprise:
    sheet: str
    row: int
    name: str | None
    industry: str | None
    region: str | None


class _At(NamedTuple):
    sheet: str
    row: int


@dataclass
class _FileState:
    """What the sheets of one file share: enterprises and months seen, outputs."""

    records: list[MonthlyRecord] = field(default_factory=list)
    sink: Sink | None = None
    flushed: int = 0  # records already handed to the sink
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    enterprises: dict[str, _Enterprise] = field(default_factory=dict)
    # (uscc, month ordinal) -> where it was first given: the record, or the row if it had errors
    seen: dict[tuple[str, int], _At] = field(default_factory=dict)
    months: dict[Any, tuple[Period, int]] = field(default_factory=dict)  # raw cell -> (period, ordinal)
    rows_read: int = 0
    slow_records: int = 0
    done: int = 0
    total: int = 0

    @property
    def accepted(self) -> int:
        return self.flushed + len(self.records)

    def add(self, records: list[MonthlyRecord]) -> None:
        """Records another reader (a ledger) made: checked for months given twice and for
        an enterprise described differently elsewhere in the file, like the rows read here."""
        for rec in records:
            err = self._conflict(rec)
            if err is not None:
                self.errors.append(err)
                continue
            self.seen[(rec.uscc, rec.period.year * 12 + rec.period.month - 1)] = _At(rec.sheet, rec.row)
            self.records.append(rec)
            self.rows_read += 1

    def _conflict(self, rec: MonthlyRecord) -> CellError | None:
        prev = self.seen.get((rec.uscc, rec.period.year * 12 + rec.period.month - 1))
        if prev is not None:
            en, zh = _where(prev.sheet, prev.row, rec.sheet)
            return CellError(
                rec.sheet, rec.row, None,
                f"duplicate: USCC {rec.uscc} month {rec.period} already given in {en} "
                f"/ 重复数据：同一企业同一月份已在{zh}填写",
            )  # fmt: skip
        ent = self.enterprises.get(rec.uscc)
        if ent is None:
            self.enterprises[rec.uscc] = _Enterprise(rec.sheet, rec.row, rec.name, rec.industry_code,
                                                     rec.region_code)  # fmt: skip
            return None
        for attr, rattr, label_en, label_zh in (
            ("name", "name", "name", "企业名称"),
            ("industry", "industry_code", "industry code", "行业代码"),
            ("region", "region_code", "region code", "行政区划代码"),
        ):
            mine, theirs = getattr(rec, rattr), getattr(ent, attr)
            if mine is None:
                setattr(rec, rattr, theirs)
            elif theirs is None:
                setattr(ent, attr, mine)
            elif _fold(mine) != _fold(theirs):
                en, zh = _where(ent.sheet, ent.row, rec.sheet)
                return CellError(
                    rec.sheet, rec.row, None,
                    f"{label_en} {mine!r} differs from {theirs!r} in {en} for the same USCC {rec.uscc} "
                    f"/ 同一统一社会信用代码的{label_zh}与{zh}不一致",
                )  # fmt: skip
        return None

    def flush(self) -> None:
        """Hand the records read so far to the sink; once a cell is rejected the file will be
        refused whole, so further records are dropped instead."""
        if self.sink is None or not self.records:
            return
        if not self.errors:
            self.sink(self.records)
        self.flushed += len(self.records)
        self.records = []


def _where(sheet: str, row: int, current_sheet: str) -> tuple[str, str]:
    if sheet == current_sheet:
        return f"row {row}", f"第{row}行"
    return f"row {row} of sheet '{sheet}'", f"工作表“{sheet}”第{row}行"


# Enterprise attributes that must agree between rows of one USCC: attribute, column, labels.
_CONSISTENT: tuple[tuple[str, str, str, str], ...] = (
    ("name", "name", "name", "企业名称"),
    ("industry", "industry_code", "industry code", "行业代码"),
    ("region", "region_code", "region code", "行政区划代码"),
)


def _fold(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFKC", text)


def _agrees(a: _Enterprise | _Who, b: _Enterprise | _Who) -> bool:
    return all(
        x is None or y is None or _fold(x) == _fold(y)
        for x, y in ((a.name, b.name), (a.industry, b.industry), (a.region, b.region))
    )


@dataclass
class _Who:
    """The identity cells of a row, read and checked."""

    uscc: str | None
    name: str | None
    industry: str | None
    region: str | None
    problems: list[tuple[str, str]]  # (identity column key, message)
    has_blank: bool  # a name/industry/region column is present but its cell is blank


def _read_identity(cells: tuple[Any, Any, Any, Any]) -> _Who:
    """(USCC, name, industry, region) cells; None for a column the sheet does not have."""
    u, n, i, g = cells
    uscc, problem = read_uscc(u)
    problems = [("uscc", problem)] if problem else []
    name = industry = region = None
    has_blank = False
    if n is not None:
        name = " ".join(code_text(n).split()) if not isinstance(n, str) else " ".join(n.split())
        name = name or None
        has_blank = name is None
        if name is not None and len(name) > NAME_MAX_CHARS:
            problems.append(
                ("name", f"name has {len(name):,} characters, more than {NAME_MAX_CHARS} / 企业名称过长")
            )
    if i is not None:
        if is_blank(i):
            has_blank = True
        else:
            industry, problem = read_industry(i)
            if problem:
                problems.append(("industry_code", problem))
    if g is not None:
        if is_blank(g):
            has_blank = True
        else:
            region, problem = read_region(g)
            if problem:
                problems.append(("region_code", problem))
    return _Who(uscc, name, industry, region, problems, has_blank)


def _getter(indices: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Like ``itemgetter(*indices)`` but always returning a tuple."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        i = indices[0]
        return lambda row: (row[i],)
    return lambda row: ()


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+").fullmatch
_MISSING: Any = object()


_COLUMN_NUMBER_TOKENS = frozenset("甲乙丙丁戊己庚辛壬癸")


def _is_column_numbers(row: list[Any]) -> bool:
    """The row under a statistical form's header that numbers its columns: 甲 乙 丙 1 2 3 …"""
    cells = [v for v in row if not is_blank(v)]
    if len(cells) < 3:
        return False
    tokens = [v.strip() for v in cells if isinstance(v, str) and v.strip() in _COLUMN_NUMBER_TOKENS]
    numbers = [
        float(v) for v in cells
        if (type(v) is float or isinstance(v, str) and v.strip().isdigit()) and float(v).is_integer()
    ]  # fmt: skip
    if len(tokens) + len(numbers) != len(cells):
        return False
    return bool(tokens) or numbers == [float(i) for i in range(1, len(numbers) + 1)]


def _looks_like_code(v: object) -> bool:
    """Whether a USCC cell could hold a code at all (letters and digits), not a note."""
    return isinstance(v, str) and code_text(v).replace(" ", "").isalnum() and code_text(v).isascii()


def _is_month(v: object, year: int | None) -> bool:
    try:
        read_month(v, year)
    except CellProblem:
        return False
    return True


def _is_figure(v: object) -> bool:
    """A cell holding a number, or text that reads as one."""
    if isinstance(v, str):
        try:
            return read_number(v, "")[0] is not None
        except CellProblem:
            return False
    return isinstance(v, int | float) and not isinstance(v, bool)


def _total_kind(label: str) -> str:
    """小计 -> 'sub', 总计 / grand total -> 'grand', 合计 / total -> 'total' (小 计 too)."""
    t = "".join(label.split()).lower()
    if "小计" in t or "sub" in t:
        return "sub"
    if "总计" in t or "grand" in t:
        return "grand"
    return "total"


def _typed_plain_numbers(rows: Iterable[list[Any]], indices: list[int]) -> Iterator[list[Any]]:
    """In a CSV, where every cell is text, read plain decimals ('12', '0.5') as numbers.

    Such text is how CSV writes any number, so it is not kept as an original; anything
    else ('1,234.5', full-width digits, words) stays text for the slow path.
    """
    plain = _PLAIN_NUMBER
    for row in rows:
        for i in indices:
            v = row[i]
            if v and plain(v):
                row[i] = float(v)
        yield row


class _Slow(Exception):
    """A cell the fast path does not handle."""


def _not_fast(v: object) -> float:
    raise _Slow


class _SheetReader:
    """Reads the data rows under one sheet's header.

    One tight loop over the streamed rows: identity and month cells are validated on
    first sight and cached, quantities are converted in one comprehension, and the
    record is built. A row the fast path does not clear is handed to ``_slow_row``.
    """

    def __init__(
        self, sheet: _RawSheet, header: _Header, state: _FileState, table: Table | None = None
    ) -> None:
        self.sheet = sheet
        self.name = sheet.name
        self.h = header
        self.state = state
        # Identity given once above the table (企业名称：…) is appended to every row as
        # extra cells, so the row loop reads it like a column.
        self.width = len(table.cells) if table is not None else 0
        self.extra = [header.constants[k] for k in header.constants]
        for k, key in enumerate(header.constants):
            header.identity[key] = self.width + k
        # The sheet's year (年份 or title) reads month cells that give no year (3月).
        self.year = table.year if table is not None else None
        self.months = state.months if self.year is None else {}
        # Subtotal checks: running sums of this sheet's records, folded in lazily.
        self.cum: dict[str, float] | None = {c.key: 0.0 for c in header.quantities}
        self.bases: dict[str, dict[str, float]] = {}
        self.folded = 0  # records (state.accepted) folded into cum
        self.totals_seen = False
        ident = header.identity
        self.ui = ident["uscc"]
        self.mi = ident["month"]
        idx = (self.ui, ident.get("name"), ident.get("industry_code"), ident.get("region_code"))
        self.id_get: Callable[[list[Any]], Any]
        if all(i is not None for i in idx):
            self.id_get = itemgetter(*idx)
        else:
            self.id_get = lambda row: tuple(None if i is None else row[i] for i in idx)
        q = header.quantities
        self.keys = tuple(c.key for c in q)
        self.by_key = {c.key: c for c in q}
        # Green power is part of purchased power: checked when the sheet has both columns.
        self.green = "electricity_green" in self.by_key and "electricity" in self.by_key
        # Exported (+ green) beyond purchased floors at zero and warns (docs/methodology.md §3.2).
        self.exported = "electricity_exported" in self.by_key
        # Energy columns that are no field: every row is read the slow way to apply them.
        self.extras = header.extras if header.extras is not None and header.extras.active else None
        self.figure_columns = self._quantity_indices()
        # identity cells -> (uscc, name, industry, region), or None to send the row to the slow path
        self.ent_cache: dict[Any, tuple[Any, ...] | None] = {}

    @property
    def first_data(self) -> int:
        return self.h.row_index + 1

    @property
    def data_rows(self) -> int:
        return max(self.sheet.n_rows - self.first_data, 0)

    def _quantity_indices(self) -> set[int]:
        """The columns that hold figures: the fields' and every energy column that is no field."""
        found = {c.index for c in self.h.quantities}
        if self.h.extras is not None:
            found |= self.h.extras.indices()
        return found

    def _resolve_enterprise(self, cells: Any, r: int) -> tuple[Any, ...] | None:
        """First sight of these identity cells: (uscc, name, industry, region) if they are
        valid and agree with what the file said of this USCC before, else None.

        None sends the row to ``_slow_row``, which reports the problem against the row; the
        answer is cached either way, so each distinct identity is checked once.
        """
        found: tuple[Any, ...] | None = None
        if not is_total_label(cells[1]):
            who = _read_identity(cells)
            if who.uscc is not None and not who.problems and not who.has_blank:
                enterprises = self.state.enterprises
                ent = enterprises.get(who.uscc)
                if ent is None:
                    ent = _Enterprise(self.name, r, who.name, who.industry, who.region)
                    enterprises[who.uscc] = ent
                elif not _agrees(ent, who):
                    ent = None
                if ent is not None:
                    ent.name = ent.name or who.name
                    ent.industry = ent.industry or who.industry
                    ent.region = ent.region or who.region
                    # a column this sheet lacks takes the enterprise's value from another sheet
                    found = (
                        who.uscc,
                        who.name or ent.name,
                        who.industry or ent.industry,
                        who.region or ent.region,
                    )
        self.ent_cache[cells] = found
        return found

    def _resolve_month(self, cell: Any) -> tuple[Period, int] | None:
        try:
            p = read_month(cell, self.year)
        except CellProblem:
            return None  # the slow path reports it
        found = (p, p.year * 12 + p.month - 1)
        self.months[cell] = found
        return found

    def _rows(self) -> Iterator[list[Any]]:
        """The data rows, with merged cells filled and block identity appended."""
        rows: Iterator[list[Any]] = chain(self.sheet.head[self.first_data :], self.sheet.rows)
        first_r = self.sheet.first_row + self.first_data
        quantity_columns = {self.sheet.first_col + j for j in self.figure_columns}
        ranges = [
            ((r0, c0), (r1, c1))
            for (r0, c0), (r1, c1) in self.sheet.merged
            if r0 + 1 >= first_r and not quantity_columns.intersection(range(c0, c1 + 1))
        ]
        if ranges:
            rows = fill_merged(rows, ranges, first_r, self.sheet.first_col)
        if self.extra:
            width, extra = self.width, self.extra
            rows = (
                r + extra if len(r) == width else [*r[:width], *[""] * (width - len(r)), *extra] for r in rows
            )
        return rows

    # -- subtotal rows ---------------------------------------------------------------

    def _fold(self) -> None:
        """Add the records read since the last fold to the sheet's running sums."""
        state, cum = self.state, self.cum
        if cum is None:
            return
        recs = state.records[self.folded - state.flushed :]
        if recs:
            values = list(map(attrgetter("values"), recs))
            for key in cum:
                cum[key] += sum(filter(None, map(itemgetter(key), values)))
        self.folded = state.accepted

    def before_flush(self) -> None:
        """Records are about to leave memory: fold them if a subtotal may need them, else
        give up checking this sheet's subtotals (a sheet without any so far rarely has one)."""
        if self.totals_seen:
            self._fold()
        else:
            self.cum = None

    def _check_total(self, row: list[Any], r: int, label: str) -> None:
        """Compare a 小计 / 合计 / 总计 row with the sum of the rows it covers; a mismatch is a
        warning. 小计 covers the rows since the previous total row of any kind, 合计 those
        since the previous 合计 or 总计, 总计 the whole sheet."""
        self.totals_seen = True
        if self.cum is None or self.state.errors:
            return
        self._fold()
        kind = _total_kind(label)
        zero = dict.fromkeys(self.cum, 0.0)
        base = zero if kind == "grand" else self.bases.get("any" if kind == "sub" else "total", zero)
        state = self.state
        steam = self.h.extras is not None and bool(self.h.extras.heat)
        for c in self.h.quantities:
            if steam and c.key == "heat":
                continue  # the rows' heat includes their steam, which the 热力 total does not
            try:
                x, _ = read_number(row[c.index], c.header)
            except CellProblem:
                continue
            if x is None:
                continue
            expected = (self.cum[c.key] - base[c.key]) / c.factor
            if abs(x - expected) > max(1e-6 * max(abs(x), abs(expected)), 0.01):
                state.warnings.append(
                    CellError(
                        self.name, r, c.letter,
                        f"{label} row: {c.header} is {x:,.6g} but the rows it covers sum to "
                        f"{expected:,.6g}; the rows are used, not the {label} row "
                        f"/ {label}行数值与所汇总各行之和（{expected:,.6g}）不符，按明细行计",
                    )
                )  # fmt: skip
        snapshot = dict(self.cum)
        self.bases["any"] = snapshot
        if kind != "sub":
            self.bases["total"] = snapshot

    def read(self, progress: Progress | None) -> None:
        state = self.state
        self.folded = state.accepted
        rows = self._rows()
        if not self.sheet.typed:
            rows = _typed_plain_numbers(rows, [c.index for c in self.h.quantities])
        first_r = self.sheet.first_row + self.first_data  # Excel row of the first data row
        id_get = self.id_get
        mi = self.mi
        ent_get = self.ent_cache.get
        mon_get = self.months.get
        resolve_enterprise = self._resolve_enterprise
        resolve_month = self._resolve_month
        q = self.h.quantities
        q_get = _getter([c.index for c in q])
        keys = self.keys
        # Applied after the comprehension, which reads every cell as if its factor were 1
        # and blank meant 0: most columns are like that, and the rest are few.
        scaled = tuple((c.key, c.factor) for c in q if c.factor != 1.0)
        economic = tuple((c.key, c.index) for c in q if c.blank is None)
        nf = _not_fast
        cap = MAX_CELL
        name = self.name
        green = self.green
        exported = self.exported
        one_by_one = self.extras is not None
        seen_setdefault = state.seen.setdefault
        append = state.records.append
        slow = self._slow_row
        text_row = self._text_row
        record = MonthlyRecord
        accepted_before = state.accepted
        slow_before = state.slow_records
        r = first_r - 1
        while True:
            r0 = r
            for row in islice(rows, PROGRESS_EVERY):
                r += 1
                if one_by_one:
                    slow(row, r)
                    continue
                cells = id_get(row)
                ent = ent_get(cells, _MISSING)
                if ent is _MISSING:
                    ent = resolve_enterprise(cells, r)
                if ent is None:
                    slow(row, r)
                    continue
                per = mon_get(row[mi])
                if per is None:
                    per = resolve_month(row[mi])
                    if per is None:
                        slow(row, r)
                        continue
                try:
                    # The common cell is a non-negative float (not absurdly large) or blank;
                    # anything else (text, int, date, negative) takes the slow path.
                    values: dict[str, float | None] = {
                        k: (v if type(v) is float and 0.0 <= v <= cap else (0.0 if v == "" else nf(v)))
                        # zip's strict= keyword alone costs more per call than the check it skips
                        for k, v in zip(keys, q_get(row))  # noqa: B905
                    }
                except _Slow:
                    # Numbers written as text ('1,234.5', full-width digits) are common in
                    # real workbooks: read them here, and only a bad cell goes the slow way.
                    text = text_row(row)
                    if text is None:
                        slow(row, r)
                        continue
                    values, originals = text
                else:
                    originals = None
                    for k, f in scaled:
                        values[k] *= f  # type: ignore[operator]
                    for k, i in economic:
                        if row[i] == "":
                            values[k] = None  # a blank economic cell is missing, not zero
                if green and values["electricity_green"] > values["electricity"]:  # type: ignore[operator]
                    slow(row, r)
                    continue
                if exported and export_floor(values, per[0]) is not None:
                    slow(row, r)  # which warns
                    continue
                at = _At(name, r)
                if seen_setdefault((ent[0], per[1]), at) is not at:  # a duplicate
                    slow(row, r)
                    continue
                if originals is None:
                    append(record(ent[0], per[0], values, name, r, ent[1], ent[2], ent[3]))
                else:
                    append(record(ent[0], per[0], values, name, r, ent[1], ent[2], ent[3], originals))
            if r == r0:
                break
            more = r - r0 == PROGRESS_EVERY  # the batch was full: rows may remain
            if more and isinstance(state.errors, ErrorLog) and state.errors.too_many:  # importers.limits
                state.errors.stop(name, r)
                break
            if len(state.records) >= SINK_CHUNK and state.sink is not None:
                self.before_flush()
                state.flush()
                append = state.records.append
            state.done += r - r0
            if progress is not None:
                progress(state.done, max(state.total, state.done))
        state.rows_read += state.accepted - accepted_before - (state.slow_records - slow_before)

    def _text_row(self, row: list[Any]) -> tuple[dict[str, float | None], dict[str, str]] | None:
        """A row's quantities when some are numbers written as text: (canonical values, the
        text as written), or None if a cell is not a number at all (the slow path says why)."""
        return self._quantities(row, None)

    def _quantities(
        self, row: list[Any], err: Callable[[str, str], None] | None
    ) -> tuple[dict[str, float | None], dict[str, str]] | None:
        """(canonical values, text as written) of a row's quantity cells. A cell that is not
        a number is passed to ``err`` (column letter, message), or ends it with None."""
        values: dict[str, float | None] = {}
        originals: dict[str, str] = {}
        for c in self.h.quantities:
            v = row[c.index]
            if type(v) is float and 0.0 <= v <= MAX_CELL:
                values[c.key] = v * c.factor
                continue
            if v == "":
                values[c.key] = c.blank
                continue
            try:
                x, was_text = read_number(v, c.header)
            except CellProblem as exc:
                if err is None:
                    return None
                err(c.letter, str(exc))
                continue
            values[c.key] = c.blank if x is None else x * c.factor
            if was_text:
                originals[c.key] = v
        return values, originals

    def _slow_row(self, row: list[Any], r: int) -> None:
        """Validate one row completely, collecting every error; record it if it is clean."""
        if row.count("") == len(row) or all(map(is_blank, row)):
            return
        cells = self.id_get(row)
        raw_month = row[self.mi]
        quantity_cells = self.figure_columns
        label = next((v for j, v in enumerate(row) if j not in quantity_cells and is_total_label(v)), None)
        if label is not None:
            self._check_total(row, r, " ".join(str(label).split()))
            return
        if match_header(cells[0]) == ("uscc", None) or _is_column_numbers(row):
            return  # the header repeated further down, or the 甲 乙 1 2 3 row under it
        state = self.state
        # the fields' columns and the energy columns that are no field (蒸汽(吉焦) 7 is a figure)
        figures = [row[j] for j in quantity_cells if j < len(row)]
        no_figures = not any(map(_is_figure, figures))
        if (is_blank(raw_month) and all(map(is_blank, figures))) or (
            no_figures and not _looks_like_code(cells[0]) and not _is_month(raw_month, self.year)
        ):
            # No month and no figures (制表人：… 审核人：… spread over the columns, 注：…): a
            # note or signature line under the table, not data.
            state.warnings.append(
                CellError(
                    self.name, r, None,
                    "row has no month and no quantities; skipped / 该行没有月份和数据，已跳过",
                )
            )  # fmt: skip
            return
        state.rows_read += 1
        letters = self.h.letters
        errs: list[CellError] = []

        def err(column: str | None, message: str) -> None:
            errs.append(CellError(self.name, r, column, message))

        who = _read_identity(cells)
        for key, message in who.problems:
            err(letters[key], message)
        period: Period | None = None
        try:
            period = read_month(raw_month, self.year)
        except CellProblem as exc:
            err(letters["month"], str(exc))

        read = self._quantities(row, err)
        assert read is not None  # with an err callback every bad cell is reported, none ends it
        values, originals = read
        if self.extras is not None:
            self.extras.apply(row, values, originals, err)
        if self.green:
            g, e = values.get("electricity_green"), values.get("electricity")
            if g is not None and e is not None and g > e:
                gq, eq = self.by_key["electricity_green"], self.by_key["electricity"]
                err(
                    gq.letter,
                    f"{gq.header} ({g:g} MWh) is greater than {eq.header} ({e:g} MWh); green power "
                    "is part of purchased electricity / 绿电不能大于外购电力",
                )

        uscc = who.uscc
        if uscc is not None:
            ent = state.enterprises.get(uscc)
            if ent is None:
                state.enterprises[uscc] = _Enterprise(self.name, r, who.name, who.industry, who.region)
            else:
                for attr, column, label_en, label_zh in _CONSISTENT:
                    mine, theirs = getattr(who, attr), getattr(ent, attr)
                    if mine is None:
                        setattr(who, attr, theirs)  # a blank cell inherits the enterprise's value
                    elif theirs is None:
                        setattr(ent, attr, mine)
                    elif _fold(mine) != _fold(theirs):
                        en, zh = _where(ent.sheet, ent.row, self.name)
                        err(
                            letters[column],
                            f"{label_en} {mine!r} differs from {theirs!r} in {en} for the same USCC "
                            f"{uscc} / 同一统一社会信用代码的{label_zh}与{zh}不一致",
                        )
            if period is not None:
                k = (uscc, period.year * 12 + period.month - 1)
                prev = state.seen.get(k)
                if prev is None:
                    state.seen[k] = _At(self.name, r)
                else:
                    en, zh = _where(prev.sheet, prev.row, self.name)
                    err(
                        letters["month"],
                        f"duplicate row: USCC {uscc} month {period} already given in {en} "
                        f"/ 重复数据：同一企业同一月份已在{zh}填写",
                    )

        if errs:
            state.errors.extend(errs)
            return
        assert uscc is not None and period is not None
        floor = export_floor(values, period) if self.exported else None
        if floor is not None:
            key, message = floor
            state.warnings.append(CellError(self.name, r, self.by_key[key].letter, message))
        state.records.append(
            MonthlyRecord(uscc, period, values, self.name, r, who.name, who.industry, who.region, originals)
        )
        state.slow_records += 1  # already counted in rows_read


def _from_column_a(rows: list[list[Any]], first_col: int) -> list[list[Any]]:
    """Rows as the sheet has them from column A (calamine starts at the first used column)."""
    if not first_col:
        return rows
    pad = [""] * first_col
    return [pad + row for row in rows]


def _error_file(message: str) -> ParsedFile:
    return ParsedFile(records=[], errors=[CellError("", None, None, message)], warnings=[], columns=[])


def read_template(
    data: bytes,
    filename: str,
    progress: Progress | None = None,
    sink: Sink | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
) -> ParsedFile:
    """Read a template workbook (xlsx, xls, ods or csv) into canonical monthly records.

    Every sheet with a template header row (within its first 10 rows, with at least the
    USCC and month columns) is read; other sheets are skipped. Rows with errors produce
    no record; every error is reported. Never raises on bad input.

    With ``sink``, records are handed over in chunks of about ``SINK_CHUNK`` as they are
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
        return _read_template(data, filename, progress, sink, limits)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_template(
    data: bytes, filename: str, progress: Progress | None, sink: Sink | None, limits: Limits
) -> ParsedFile:
    try:
        sheets = _load(data, filename, limits)
    except _Unreadable as exc:
        return _error_file(str(exc))

    state = _FileState(sink=sink, errors=ErrorLog(limits.max_errors))  # the first N kept, all counted
    warnings: list[CellError] = []
    columns: list[ColumnMapping] = []
    readers: list[_SheetReader] = []
    ledgers: list[tuple[_RawSheet, Table]] = []
    returns: list[_RawSheet] = []  # 205-1 statistical returns, one sheet per month
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
        header = _read_header(sheet, table)
        _block_constants(sheet, table, header)
        _finish_extras(sheet, table, header)
        state.errors.extend(header.errors)
        warnings.extend(header.warnings)
        columns.extend(header.mappings)
        given = header.identity.keys() | header.constants.keys()
        if "uscc" in given and "month" in given:
            readers.append(_SheetReader(sheet, header, state, table))

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


# ---------------------------------------------------------------------------------------
# Writing the template

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
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

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
    """The same header and data layout as ``write_template``, streamed with xlsxwriter.

    For large generated workbooks (benchmarks, sample data): constant memory, no data
    validation or comments. Text cells are always written as strings, never formulas.
    """
    import xlsxwriter

    lang = "en" if lang == "en" else "zh"
    target = os.fspath(path_or_buffer) if isinstance(path_or_buffer, str | os.PathLike) else path_or_buffer
    wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
    try:
        ws = wb.add_worksheet(SHEET_NAME[lang])
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
        text_fmt = wb.add_format({"num_format": "@"})
        qty_fmt = wb.add_format({"num_format": QUANTITY_FORMAT})
        date_fmt = wb.add_format({"num_format": MONTH_DATE_FORMAT})
        keys = [c.key for c in TEMPLATE_COLUMNS]
        quantity = [c.is_quantity for c in TEMPLATE_COLUMNS]
        for j, col in enumerate(TEMPLATE_COLUMNS):
            ws.set_column(j, j, _column_width(col), qty_fmt if col.is_quantity else text_fmt)
            ws.write_string(0, j, col.header(lang), head)
        ws.freeze_panes(1, 2)
        write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
        for i, data in enumerate(rows, start=1):
            get = data.get
            for j, key in enumerate(keys):
                v = get(key)
                if v is None:
                    continue
                if isinstance(v, str):
                    write_string(i, j, v)
                elif isinstance(v, Period):
                    write_string(i, j, str(v))
                elif isinstance(v, dt.date):
                    write_datetime(i, j, v, date_fmt)
                elif isinstance(v, int | float) and not isinstance(v, bool) and quantity[j]:
                    write_number(i, j, v)
                else:
                    write_string(i, j, str(v))
        notes = wb.add_worksheet(NOTES_NAME[lang])
        for i, row in enumerate(_notes_rows()):
            for j, text in enumerate(row):
                notes.write_string(i, j, text)
    finally:
        wb.close()
