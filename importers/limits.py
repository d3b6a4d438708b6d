"""What one uploaded file may make the service do, checked before it is parsed.

calamine parses a whole sheet into a dense grid before a single row can be looked at, so a
sheet's size must be known first:

- xlsx: each sheet's ``<dimension ref="A1:Z12300000"/>`` is read from the first few KB of
  its XML (nothing else is inflated). A dimension can be absent or lie; where it is absent,
  or the part is too large for the rows it claims, or the part is small (cheap to read),
  the XML is streamed once and its rows counted (the last ``<row r=…>`` counts, as calamine
  allocates every row up to it). calamine's own row count is checked again after parsing.
- xls: each sheet's BIFF DIMENSIONS record (a sheet holds at most 65,536 rows).
- CSV: lines are counted (C speed) and each line's length is bounded while walking them.

Cell errors are capped too: ``ErrorLog`` keeps the first N and counts the rest per column
and per kind of message, so a file with a million bad cells gives a small answer.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, SupportsIndex

from carbon.domain.errors import CellError

MAX_LINE_BYTES = 64 * 1024  # a CSV line; the template's widest row is well under 2 KB
MAX_ERRORS = 1000  # cell errors kept and returned; the rest are counted
STOP_FACTOR = 20  # after this many times MAX_ERRORS errors a sheet's remaining rows are not read
MAX_CELLS = 40_000_000  # rows x columns a sheet's dimension may span (calamine's grid)
HEAD_BYTES = 16 * 1024  # the start of a sheet's XML, where <dimension> is
SMALL_PART = 8 << 20  # a sheet XML this small is counted whatever its dimension says
PLAUSIBLE_ROW_BYTES = 8 * 1024  # XML per row beyond which a dimension is not believed
MAX_COUNTED = 40  # kinds and columns listed in the counts (the rest are summed as "other")

_DIMENSION = re.compile(rb"<(?:[\w.\-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_LAST_ROW = re.compile(rb"[A-Za-z]*\$?([0-9]+)\s*$")
_FIRST_COL = re.compile(rb"^\s*\$?([A-Za-z]{1,3})")
_ROW_R = re.compile(rb"<(?:[\w.\-]+:)?row\b[^>]*?\sr\s*=\s*[\"']([0-9]+)[\"']")
_ROW_TAG = re.compile(rb"<(?:[\w.\-]+:)?row[\s>/]")


class TooLarge(Exception):
    """The file is over a limit; the message is for the user (English / 中文)."""


def too_many_rows(filename: str, rows: int, max_rows: int, where: str = "") -> TooLarge:
    # The wording of importers.loading._check_rows, which tests and users know.
    return TooLarge(
        f"'{filename}' has {rows:,} rows{where}, more than the {max_rows:,} allowed in one file; "
        "split it into smaller files / 文件行数超过上限，请拆分为多个文件上传"
    )


# ---------------------------------------------------------------------------------------
# xlsx


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _dimension(head: bytes) -> tuple[int, int] | None:
    """(last row, columns spanned) of a ``<dimension>`` in the start of a sheet's XML."""
    m = _DIMENSION.search(head)
    if m is None:
        return None
    ref = m.group(1)
    first, _, last = ref.partition(b":")
    last = last or first
    row = _LAST_ROW.search(last)
    if row is None:
        return None
    a, b = _FIRST_COL.match(first), _FIRST_COL.match(last)
    cols = _column_number(b.group(1)) - _column_number(a.group(1)) + 1 if a and b else 1
    return int(row.group(1)), max(cols, 1)


def _counted_rows(chunks: Iterable[bytes], stop_above: int) -> int:
    """The rows calamine will allocate: the highest ``<row r=…>`` or the number of rows,
    whichever is more (rows come in order). Stops counting once above ``stop_above``."""
    count, highest, tail = 0, 0, b""
    for chunk in chunks:
        piece = tail + chunk
        cut = max(0, len(piece) - 512)  # a tag cut at the end is looked at with the next chunk
        body, tail = piece[:cut], piece[cut:]
        count += body.count(b"<row") - body.count(b"<rowBreaks") or len(_ROW_TAG.findall(body))
        last = body.rfind(b"row")
        if last >= 0:
            for m in _ROW_R.finditer(body, max(0, last - 64)):
                highest = max(highest, int(m.group(1)))
        if max(count, highest) > stop_above:
            break
    else:
        count += tail.count(b"<row") - tail.count(b"<rowBreaks")
        for m in _ROW_R.finditer(tail):
            highest = max(highest, int(m.group(1)))
    return max(count, highest)


def _read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as f:
        return f.read(HEAD_BYTES)


def check_xlsx(
    data: bytes,
    filename: str,
    max_rows: int,
    max_cells: int = MAX_CELLS,
    counted: Mapping[str, int] | None = None,
) -> None:
    """Refuse an xlsx whose sheets hold (or claim) more rows than ``max_rows`` in all, or a
    sheet whose dimension spans more than ``max_cells`` cells, before calamine parses it.
    A file that is not a readable zip passes (calamine reports it in the user's terms).
    ``counted``: sheets whose rows were counted already, as here, by name (the pass that
    plans reading a large sheet in pieces, ``importers.xlsx_pieces.plan_sheet``)."""
    from importers.xlsx_package import member_chunks, sheet_parts

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        parts = sheet_parts(zf)
    except Exception:  # noqa: BLE001 - not a zip we can read, or a workbook part too large
        return
    total = 0
    with zf:
        for name, info in parts:
            try:
                dim = _dimension(_read_head(zf, info))
            except Exception:  # noqa: BLE001 - a damaged member: calamine reports it
                continue
            rows = dim[0] if dim is not None else 0
            believable = dim is not None and info.file_size <= max(rows, 1) * PLAUSIBLE_ROW_BYTES
            if not believable or info.file_size <= SMALL_PART:
                try:
                    if counted is not None and name in counted:
                        found = counted[name]
                    else:
                        found = _counted_rows(member_chunks(data, zf, info), max_rows - total)
                    rows = max(rows, found)
                except Exception:  # noqa: BLE001 - a damaged member: calamine reports it
                    pass
            total += rows
            if total > max_rows:
                raise too_many_rows(filename, total, max_rows, f" (sheet '{name}' has {rows:,})")
            if dim is not None and dim[0] * dim[1] > max_cells:
                raise TooLarge(
                    f"sheet '{name}' of '{filename}' spans {dim[0]:,} rows x {dim[1]:,} columns, more "
                    f"than the {max_cells:,} cells allowed; delete the empty rows and columns or split "
                    "the sheet / 工作表范围过大（行数×列数超过上限），请删除空行空列或拆分后上传"
                )


# ---------------------------------------------------------------------------------------
# xls (BIFF8)

_BOF, _EOF, _DIMENSIONS = 0x0809, 0x000A, 0x0200


def _xls_sheet_rows(mem: bytes, start: int) -> int | None:
    """The row count in the DIMENSIONS record of the sheet whose BOF is at ``start``."""
    pos, end = start, min(len(mem), start + (1 << 20))  # DIMENSIONS comes within the first records
    while pos + 4 <= end:
        code, size = struct.unpack_from("<HH", mem, pos)
        body = mem[pos + 4 : pos + 4 + size]
        if code == _DIMENSIONS and size >= 10:
            first, last = struct.unpack_from("<II", body, 0)  # last is one past the last row
            return int(last)
        if code == _EOF or (code == _BOF and pos != start):
            return None
        pos += 4 + size
    return None


def check_xls(data: bytes, filename: str, max_rows: int) -> None:
    """Refuse an .xls whose sheets declare more than ``max_rows`` rows in all, from each
    sheet's DIMENSIONS record, before any cell is read. Unreadable: passes."""
    try:
        import xlrd  # type: ignore[import-untyped]  # no stubs: xlrd is untyped

        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception:  # noqa: BLE001 - an unreadable file is calamine's to report
        return
    try:
        total = 0
        names = book.sheet_names()
        for name, start in zip(names, book._sh_abs_posn, strict=False):  # noqa: SLF001
            rows = _xls_sheet_rows(book.mem, start) or 0
            total += rows
            if total > max_rows:
                raise too_many_rows(filename, total, max_rows, f" (sheet '{name}' has {rows:,})")
    except TooLarge:
        raise
    except Exception:  # noqa: BLE001 - an odd stream: the count after parsing decides
        return
    finally:
        book.release_resources()


# ---------------------------------------------------------------------------------------
# CSV


def _csv_records_over(data: bytes, max_rows: int) -> int:
    """CSV records in ``data`` (a quoted cell may hold line breaks), counted up to one
    more than ``max_rows``."""
    text = data.decode("utf-8", errors="replace")
    n = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline="")):
            n += 1
            if n > max_rows:
                break
    except csv.Error:
        return 0  # reading it reports the problem
    return n


def check_csv(data: bytes, filename: str, max_rows: int, max_line_bytes: int = MAX_LINE_BYTES) -> None:
    """Refuse a CSV with more than ``max_rows`` rows or a line longer than
    ``max_line_bytes``, before it is decoded and split into cells."""
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > max_rows:
        if _csv_records_over(data, max_rows) > max_rows:  # not just cells holding line breaks
            raise too_many_rows(filename, lines, max_rows)
    line, pos, size, limit = 1, 0, len(data), max_line_bytes
    if size <= limit:
        return
    find = data.find
    while True:
        nl = find(b"\n", pos, pos + limit + 2)  # a line may end in \r\n
        if nl < 0:
            if size - pos > limit:
                break
            return
        if nl - pos > limit and not (nl - pos == limit + 1 and data[nl - 1] == 13):
            break
        pos, line = nl + 1, line + 1
    raise TooLarge(
        f"line {line:,} of '{filename}' is longer than {limit // 1024:,} KB (one row of a CSV is one "
        "line; is this a CSV file with a line break after each row?) "
        f"/ 第{line}行过长（超过{limit // 1024} KB），CSV文件应每行一条记录"
    )


# ---------------------------------------------------------------------------------------
# Errors kept


_VALUE = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’|\b[0-9A-Z]{18}\b|[-+]?[0-9][0-9,.:eE+\-]*")


def message_kind(message: str) -> str:
    """A cell error's message with what is particular to the cell (values, codes, row
    numbers, headers before the first colon) taken out: errors of one kind share it."""
    head, sep, rest = message.partition(": ")
    text = rest if sep and len(head) <= 60 and "/" not in head else message
    return _VALUE.sub("…", text)[:160]


def _top(counter: Counter[Any], key: str) -> list[dict[str, Any]]:
    common = counter.most_common(MAX_COUNTED)
    out: list[dict[str, Any]] = [{key: k, "count": n} for k, n in common]
    other = sum(counter.values()) - sum(n for _, n in common)
    if other:
        out.append({key: "(other)", "count": other})
    return out


class ErrorLog(list[CellError]):
    """A list of cell errors keeping only the first ``keep``; every error is still counted
    (``total``), per column (sheet, letter) and per kind of message, and the rows with an
    error are counted exactly (a bit per row)."""

    def __init__(self, keep: int = MAX_ERRORS, errors: Iterable[CellError] = ()) -> None:
        super().__init__()
        self.keep = keep
        self.total = 0
        self.by_column: Counter[tuple[str, str]] = Counter()
        self.by_kind: Counter[str] = Counter()
        self._rows: dict[str, bytearray] = {}
        self.rows_with_errors = 0
        self.stopped_at: tuple[str, int] | None = None  # where reading stopped (too many errors)
        self.extend(errors)

    @property
    def too_many(self) -> bool:
        """So many errors that reading on would only cost time: the reader stops."""
        return self.total >= self.keep * STOP_FACTOR

    def stop(self, sheet: str, row: int) -> None:
        """Reading stopped after ``row`` of ``sheet``: said first, and in the counts."""
        if self.stopped_at is not None:
            return
        self.stopped_at = (sheet, row)
        note = CellError(
            sheet, None, None,
            f"more than {self.total:,} errors: checking stopped after row {row:,}; correct the "
            f"errors listed (the counts cover the rows up to there) and upload the file again "
            f"/ 错误超过{self.total:,}处，已在第{row}行后停止检查，请先改正所列错误后重新上传",
        )  # fmt: skip
        super().insert(0, note)

    def append(self, error: CellError) -> None:
        self.total += 1
        if error.column is not None:
            self.by_column[(error.sheet, error.column)] += 1
        self.by_kind[message_kind(error.message)] += 1
        if error.row is not None and 0 < error.row <= 1 << 24:
            seen = self._rows.setdefault(error.sheet, bytearray())
            if len(seen) <= error.row:
                seen.extend(bytes(max(error.row + 1 - len(seen), len(seen))))
            if not seen[error.row]:
                seen[error.row] = 1
                self.rows_with_errors += 1
        if len(self) < self.keep:
            super().append(error)

    def extend(self, errors: Iterable[CellError]) -> None:
        for e in errors:
            self.append(e)

    def __iadd__(self, errors: Iterable[CellError]) -> ErrorLog:  # type: ignore[override,misc]
        self.extend(errors)
        return self

    def insert(self, index: SupportsIndex, error: CellError) -> None:
        self.append(error)  # order matters less than the bound

    @property
    def omitted(self) -> int:
        return self.total - len(self)

    def counts(self) -> dict[str, Any]:
        """Every error counted: in all, per column, per kind (the most frequent first)."""
        columns = Counter({f"{s}!{c}" if s else c: n for (s, c), n in self.by_column.items()})
        return {
            "total": self.total,
            "listed": len(self),
            "omitted": self.omitted,
            "rows": self.rows_with_errors,
            "complete": self.stopped_at is None,
            "by_column": _top(columns, "column"),
            "by_kind": _top(self.by_kind, "kind"),
        }


def counts_of(errors: list[CellError]) -> dict[str, Any]:
    """``ErrorLog.counts`` for any list of errors (an ``ErrorLog`` counts what it dropped)."""
    log = errors if isinstance(errors, ErrorLog) else ErrorLog(len(errors) + 1, errors)
    return log.counts()
