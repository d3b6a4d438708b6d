"""A large xlsx sheet read in pieces of rows, so that calamine never holds it whole.

calamine parses a sheet into one dense grid (every row × every column, 32 bytes a cell,
plus the sparse cells it builds first): a 240,000-row template sheet peaks at ~460 MB. A
sheet whose XML is larger than ``SPLIT_ABOVE`` is therefore cut, just before a ``<row
r="``, into pieces (the first of ``FIRST_PIECE_BYTES``, then ``PIECE_BYTES`` each, more
with large shared strings); each piece becomes a small workbook (the sheet's own start
without its ``<dimension>``, that piece of its rows, the sheet's end; the package's
other parts as they are, stored) that calamine parses on its own. calamine still reads
every cell, so the rows are those it gives for the whole sheet: row numbers come from
the rows' own ``r`` attributes (a row without one follows the row before it, within a
piece as in the sheet), blank rows between pieces are given as blank rows, each row
starts at column A. Rows are as wide as the first piece, the merged cells and the
formula and error cells reach, and as the widest piece so far: a row is shorter than
calamine would make it only where a later piece has a cell further right, and then only
by blank cells at its end.

One pass over the XML (``plan_sheet``) finds where the rows are, counts them for the
limits (``importers.limits``) and runs the first stage of the formula scan
(``importers.xlsx_cells``); the rows are inflated a second time, piece by piece. The
first piece is parsed when the file is opened; each further one on the file's
background thread while the rows of the one before are read (calamine releases the GIL
while it parses). A sheet is read whole, as before, if its ``<sheetData>`` has a
namespace prefix or is empty, or its first piece has no cell in column A; and from the
row reached on if calamine refuses a piece (a cut inside a comment, say).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

from importers.xlsx_package import member_chunks

SPLIT_ABOVE = 16 << 20  # sheet XML larger than this is read in pieces
PIECE_BYTES = 8 << 20  # XML of rows per piece (~13,000 template rows)
MAX_PIECE_BYTES = 32 << 20  # ... or up to this with large shared strings
FIRST_PIECE_BYTES = 256 << 10  # the first piece: the header and a few hundred rows
_READ_CHUNK = 4 << 20
HEAD_ROWS = 64  # rows of a sheet read to find its header (importers.detect reads 40)
_OPEN = b"<sheetData>"
_CLOSE = b"</sheetData>"
_ROW = b'<row r="'
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*>")
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
# Parts a piece's workbook never needs (calamine reads them only when asked)
_SKIPPED_DIRS = ("xl/media/", "xl/drawings/", "xl/charts/", "xl/embeddings/", "xl/printerSettings/")


@dataclass
class Plan:
    """Where the rows of one sheet's XML are, found by one pass over it."""

    head: bytes  # up to and including <sheetData>, without <dimension>
    tail: bytes  # from </sheetData> to the end
    body_start: int  # offset of the first byte after <sheetData>
    body_end: int  # offset of </sheetData>; -1: the pass stopped (too many rows), not to be cut
    last_row: int  # the highest row number the rows give (1-based)
    rows: int  # the rows calamine will allocate, as ``importers.limits`` counts them
    clean: bool = False  # no formula or error cell to look for (importers.xlsx_cells)

    @property
    def usable(self) -> bool:
        return self.body_end >= 0 and self.last_row > 0


def plan_sheet(
    data: bytes,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    stop_above: int = 1 << 62,
    suspect: Callable[[Iterator[bytes]], bool] | None = None,
) -> Plan | None:
    """The plan to read a sheet in pieces, or None if it is not one to cut (small, or its
    rows are not in a plain ``<sheetData>``). One pass that inflates the sheet, finds the
    ends of ``<sheetData>`` and counts the rows, for the limits checked before parsing
    (``importers.limits.check_xlsx``): the highest ``r`` or the number of rows, whichever
    is more; it stops once that is above ``stop_above`` (the plan is then not usable).
    What lies between is checked by calamine, piece by piece: a piece it refuses makes the
    sheet read whole. ``suspect`` (``importers.xlsx_cells.suspect``) looks at the same
    inflated bytes: ``Plan.clean`` says it found no formula or error cell to look for."""
    if info.file_size <= SPLIT_ABOVE:
        return None
    state = _Planning(stop_above)

    def tapped() -> Iterator[bytes]:
        for chunk in member_chunks(data, zf, info, _READ_CHUNK):
            yield chunk
            if not state.feed(chunk):
                return
        state.complete = True

    chunks = tapped()
    verdict = suspect(chunks) if suspect is not None else None
    for _ in chunks:  # what ``suspect`` left, when it stopped at a hit
        pass
    plan = state.plan()
    if plan is not None:
        plan.clean = verdict is False and state.complete
    return plan


class _Planning:
    """``plan_sheet``'s pass, fed one inflated chunk at a time."""

    def __init__(self, stop_above: int) -> None:
        self.stop_above = stop_above
        self.pos = 0  # offset of the next chunk
        self.head = b""
        self.body_start = self.body_end = -1
        self.tail: list[bytes] = []
        self.last_row = self.count = 0
        self.carry = b""
        self.cut = True  # a sheet to cut, so far
        self.over = False  # more rows than stop_above: the pass stopped
        self.complete = False  # every chunk was fed

    def feed(self, chunk: bytes) -> bool:
        """Look at the next chunk; False: stop (nothing to cut, or too many rows)."""
        text = self.carry + chunk
        base = self.pos - len(self.carry)  # offset of text[0]
        self.pos += len(chunk)
        if self.body_end >= 0:
            self.tail.append(chunk)
            return True
        start = 0
        if self.body_start < 0:
            i = text.find(_OPEN)
            if i < 0:
                self.carry = text
                self.cut = len(text) <= (1 << 22)  # no <sheetData> in the first 4 MB: not one we cut
                return self.cut
            if b"sheetData" in text[:i]:  # <x:sheetData>, or <sheetData/>
                self.cut = False
                return False
            self.head = _DIMENSION.sub(b"", text[: i + len(_OPEN)])
            start = i + len(_OPEN)
            self.body_start = base + start
        j = text.find(_CLOSE, start)
        end = j if j >= 0 else max(start, len(text) - 32)  # the rest: looked at with the next chunk
        self.count += text.count(b"<row", start, end)
        k = text.rfind(_ROW, start, end)
        m = _ROW_NUMBER.match(text, k) if k >= 0 else None
        if m is not None:
            self.last_row = max(self.last_row, int(m.group(1)))
        if j >= 0:
            self.body_end = base + j
            self.tail.append(text[j:])
            self.carry = b""
        else:
            self.carry = text[end:]
            if max(self.count, self.last_row) > self.stop_above:
                self.over = True
                return False
        return True

    def plan(self) -> Plan | None:
        rows = max(self.count, self.last_row)
        if self.over:
            return Plan(self.head, b"", self.body_start, -1, self.last_row, rows)
        if not self.cut or self.body_start < 0 or self.body_end < 0:
            return None
        return Plan(self.head, b"".join(self.tail), self.body_start, self.body_end, self.last_row, rows)


def _bodies(
    data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, plan: Plan, piece_bytes: int
) -> Iterator[list[bytes]]:
    """The rows' XML in pieces, each cut before a ``<row``: the first of about
    ``FIRST_PIECE_BYTES`` (the header; it is held while the file's other sheets are
    opened), the others of about ``piece_bytes``."""
    pos = 0
    buf: list[bytes] = []
    size = 0
    limit = FIRST_PIECE_BYTES
    for chunk in member_chunks(data, zf, info, _READ_CHUNK):
        lo, hi = max(plan.body_start - pos, 0), min(plan.body_end - pos, len(chunk))
        pos += len(chunk)
        if hi > lo:
            buf.append(chunk[lo:hi] if (lo, hi) != (0, len(chunk)) else chunk)
            size += hi - lo
            while size >= limit:  # cut in the last chunk, at the first row past the limit
                last = buf[-1]
                cut = last.find(_ROW, max(len(last) - (size - limit), 1))
                if cut < 0:
                    break  # no row starts in the rest of this chunk: cut in the next one
                yield [*buf[:-1], last[:cut]]
                buf, size = [last[cut:]], len(last) - cut
                limit = piece_bytes
        if pos >= plan.body_end:
            break
    if buf:
        yield buf


class PieceSource:
    """Builds and parses the pieces of one sheet: the first at once, the others each on the
    file's background thread (``executor``, one worker: its memory is reused from piece to
    piece and sheet to sheet) while the rows of the one before are read."""

    def __init__(
        self,
        data: bytes,
        zf: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        sheet_name: str,
        plan: Plan,
        executor: ThreadPoolExecutor,
    ):
        self.info, self.name, self.plan, self.executor = info, sheet_name, plan, executor
        parts: list[tuple[zipfile.ZipInfo, bytes]] = []
        worksheets = info.filename.rsplit("/", 1)[0] + "/"
        for other in zf.infolist():
            n = other.filename
            if n == info.filename or n.startswith(_SKIPPED_DIRS) or n.endswith("/"):
                continue
            if n.startswith(worksheets) and n.count("/") == worksheets.count("/"):
                continue  # another sheet: not needed to read this one
            parts.append((other, zf.read(other)))
        self.parts = parts
        end = plan.tail[plan.tail.rfind(b"</") :] if b"</" in plan.tail else b"</worksheet>"
        self.end = _CLOSE + end
        # Each piece's workbook repeats the other parts (shared strings, styles), which
        # calamine reads again: larger pieces where those are large (Excel's shared strings).
        others = sum(len(content) for _, content in parts)
        piece_bytes = min(max(PIECE_BYTES, 8 * others), MAX_PIECE_BYTES)
        self.bodies = _bodies(data, zf, info, plan, piece_bytes)  # advanced by one thread at a time
        self.ahead: Future[Any] | None = None

    def first(self) -> Any:
        """The first piece (with the sheet's merged cells), parsed here and now."""
        body = next(self.bodies, None)
        return None if body is None else self.parse(body, True)

    def _next(self) -> Any:
        body = next(self.bodies, None)
        return None if body is None else self.parse(body, False)

    def prefetch(self) -> None:
        """Start parsing the next piece in the background (once the sheet's rows are read:
        a file's sheets are all opened, and their headers read, before the rows of any)."""
        if self.ahead is None:
            self.ahead = self.executor.submit(self._next)

    def next_piece(self) -> Any:
        """The next piece (None after the last), and the one after it started; a failure
        in the background is raised here."""
        self.prefetch()
        assert self.ahead is not None
        try:
            piece = self.ahead.result()
        finally:
            self.ahead = None
        if piece is not None:
            self.prefetch()
        return piece

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.cancel()
            self.ahead = None

    def workbook(self, body: list[bytes], first: bool) -> io.BytesIO:
        """A package with only this piece of the sheet's rows."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
            for other, content in self.parts:
                w.writestr(other.filename, content)
            with w.open(self.info.filename, "w") as f:
                f.write(self.plan.head)
                for part in body:
                    f.write(part)
                f.write(self.plan.tail if first else self.end)
        out.seek(0)
        return out

    def parse(self, body: list[bytes], first: bool) -> Any:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(self.workbook(body, first))
        try:
            return wb.get_sheet_by_name(self.name)
        finally:
            wb.close()


def piece_rows(
    first: Any, source: PieceSource, whole: Callable[[], Any], widths: list[int]
) -> Iterator[list[Any]]:
    """Every row of the sheet from Excel row 1, as calamine gives the whole sheet: blank
    rows where there are none, each row from column A, as wide as ``widths`` say (read
    when the first row is asked for) and as the widest piece so far. So a row is shorter
    than calamine would make it only if a later piece has a cell further right: the cells
    it lacks are blank. ``first`` is the first piece (parsed already); if another one
    cannot be parsed, the sheet is parsed whole (``whole``) and read on from the row reached."""
    width = max(widths)
    next_row = 0  # 0-based row the next yielded row is
    piece = first
    try:
        while piece is not None:
            start = piece.start
            if start is not None:
                r0, c0 = start
                rows = piece.to_python()
                w = c0 + piece.width
                piece = None  # calamine's grid is freed before the next piece is parsed
                width = max(width, w)
                while next_row < r0:
                    yield [""] * width
                    next_row += 1
                if c0 or width > w:
                    pad_left, pad_right = [""] * c0, [""] * (width - w)
                    rows = [[*pad_left, *row, *pad_right] for row in rows]
                yield from rows[:HEAD_ROWS]
                source.prefetch()  # the rows beyond the header are being read
                yield from islice(rows, HEAD_ROWS, None)
                next_row = r0 + len(rows)
                del rows
            try:
                piece = source.next_piece()
            except Exception:  # noqa: BLE001 - a piece calamine refuses: read the sheet whole
                sheet = whole()
                yield from islice(sheet.iter_rows(), next_row, None)
                return
    finally:
        source.close()
