"""Cells of an xlsx/xlsm workbook whose value calamine would silently read as blank.

calamine returns ``''`` both for a formula cell that has no cached value (a file written
by openpyxl with ``=A1*2``) and for an error cell (``#DIV/0!`` saved by Excel), so such a
cell would count as zero. ``problem_cells`` finds them in the sheet XML itself; nothing in
the file is ever evaluated.

What counts, as calamine reads a cell (its value comes from the last of its ``<f>``, ``<v>``
and ``<is>`` children, an ``<f>`` giving blank):

- ``"formula"``: a cell with an ``<f>`` and no cached value: no ``<v>`` after it, or an
  empty one (openpyxl writes ``<f>A2*2</f><v />``), unless the cell is a string
  (``t="str"``), whose empty ``<v></v>`` is the cached result of ``=""``;
- the error text (``"#DIV/0!"``, ``"#N/A"``, ...): a cell ``t="e"`` with a value.

It runs on every upload, so the common case (no formula and no error anywhere) must cost
little more than inflating the sheets once:

1. each worksheet member is inflated in pieces of at most ``CHUNK_SIZE`` bytes (never more
   than its declared size) and each piece is searched, where it lies, with two regular
   expressions whose first byte is a literal (``f`` and ``e``, rare in sheet markup), which
   ``re`` scans for fast: ``e`` between quotes (``t="e"``), and ``f`` preceded by ``<`` or
   ``:`` (``<f>``, ``<x:f t="shared"/>``) unless a non-empty cached value follows it
   (``<f>A1*2</f><v>4</v>`` is dismissed at once). A sheet with no hit is done, and
   nothing of it is kept in memory;
2. only a sheet with a hit is inflated a second time and parsed in detail, and even then
   only around each hit: the enclosing ``<c>`` element is found by looking back from the
   hit, and its position comes from its ``r`` attribute;
3. only if such a cell has no ``r`` attribute (OOXML allows it: the cell then follows the
   previous cell, and a row without ``r`` the previous row) is the sheet read a third time,
   counting rows and cells as calamine does.

``start_scan`` runs it on a daemon thread, alongside calamine's parse (zlib and calamine
both release the GIL while they work).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from xml.parsers import expat

Problems = dict[str, dict[tuple[int, int], str]]

FORMULA = "formula"  # the problem of a formula cell without a cached value
CHUNK_SIZE = 4 << 20  # bytes inflated at a time
MAX_PROBLEMS = 1_000_000  # cells reported at most, over all sheets (memory bound)
MAX_HITS = 3_000_000  # candidate cells examined at most, over all sheets (time bound, ~10 s)
MAX_CARRY = 64 << 20  # a single cell or row larger than this: the sheet is not examined further
SMALL_PART_MAX = 32 << 20  # xl/workbook.xml and its relationships may not be larger

# Probes. Each starts with a literal byte, so ``re`` finds candidates fast; the lookbehind
# then checks the byte before it. A match spans 3 bytes (_PROBE_SPAN) with that byte.
_E_PROBE = re.compile(rb"e[\"'](?<=[\"']e.)")  # t="e", t='e'
# An <f> probe hit not followed by a non-empty cached value (<f>..</f><v>12</v>): the only
# ones that can be a problem (an error cell's t="e" is found by _E_PROBE on its own).
_F_SUSPECT = re.compile(
    rb"f[\s/>](?<=[<:]f.)(?!"
    rb"(?:(?<=>)[^<]*</(?:[\w.\-]+:)?f>|(?<=[ \t\r\n])[^<>]*(?:/>|>[^<]*</(?:[\w.\-]+:)?f>)|(?<=/)>)"
    rb"<(?:[\w.\-]+:)?v>[^<]+</(?:[\w.\-]+:)?v>)"
)
_LOOKAHEAD = 1024  # a hit closer than this to the end of a piece waits for the next piece
_MAX_DISMISSED = 10_000  # formulas outside cells stage 1 looks at before it gives up (suspect)
_PROBE_SPAN = 3
_TAG_KEEP = 256  # bytes kept across pieces where a tag may be cut off (a longer one is not expected)

_NAME = rb"[^\s<>/=:\"']+"  # an XML name part (permissive)
_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)"""
_TAG_NAME = re.compile(rb"<(/?)(?:" + _NAME + rb":)?(" + _NAME + rb")")
_START_TAG = re.compile(rb"<(?:" + _NAME + rb":)?(" + _NAME + rb")" + _ATTRS + rb"\s*(/?)>")
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_END = re.compile(rb"</(?:" + _NAME + rb":)?c\s*>")
_ROW_END = re.compile(rb"</(?:" + _NAME + rb":)?row\s*>")
_V_END = re.compile(rb"</(?:" + _NAME + rb":)?v\s*>")
_CHILD = re.compile(rb"<(?:" + _NAME + rb":)?(f|v|is)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_DATA_START = re.compile(rb"<(?:" + _NAME + rb":)?sheetData(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_DATA_CLOSE = re.compile(rb"</(?:" + _NAME + rb":)?sheetData\s*>")
_ROW_OR_CELL = re.compile(rb"<(?:" + _NAME + rb":)?(row|c)(?=[\s/>])")
# A formula cell as Excel, openpyxl and LibreOffice write it: r first, plain attributes,
# <f> first, then <v> or nothing. Anything else takes the general path.
_PLAIN_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"((?: [A-Za-z]+="[^"]*")*) ?>'
    rb"<f(?: [^<>]*)?(?:/>|>[^<]*</f>)(?:<v>([^<]*)</v>|<v ?/>())?</c>"
)
_PLAIN_T = re.compile(rb' t="([^"]*)"')
_PREFIX_BEFORE = re.compile(rb"<" + _NAME + rb":\Z")  # what precedes the f of <x:f
_T_BEFORE = re.compile(rb"\st\s*=\s*\Z")  # what precedes the quoted e of t = "e"
_EQ_OR_SPACE = frozenset(b"= \t\r\n")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|amp|lt|gt|quot|apos);")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# Elements outside sheetData that hold formulas as <xm:f> (Excel 2010 extensions): a stage-1
# hit right after one of these is not a cell.
_FORMULA_HOLDERS = frozenset(
    {b"formula", b"formula1", b"formula2", b"cfRule", b"sparkline", b"dataValidation", b"cfvo"}
)


class _Full(Exception):
    """MAX_PROBLEMS cells have been found, or MAX_HITS candidates examined."""


class _NeedCounting(Exception):
    """A problem cell has no ``r`` attribute: its position needs rows and cells counted."""


class _GiveUp(Exception):
    """The sheet cannot be examined within the memory bound."""


# ---------------------------------------------------------------------------------------
# Public API


def problem_cells(data: bytes) -> Problems:
    """sheet name -> {(excel_row 1-based, column 0-based): problem} for an xlsx/xlsm file.

    ``problem`` is ``"formula"`` for a formula cell without a cached value (``<f>`` and no
    ``<v>`` after it, or an empty ``<v/>``, ``<v></v>``, except in a string cell
    ``t="str"``, where that is the cached empty string), and the error text
    (``"#DIV/0!"``, ``"#N/A"``, ...) for a cell of type ``t="e"`` with a value (an error
    cell without one is blank, as calamine reads it). Sheet names are those calamine
    reports (chart sheets included; they have no cells). Sheets without such cells are
    left out. Anything that is not a readable xlsx/xlsm, or any failure, gives ``{}``:
    calamine then reports the file. Never raises. Bounds for hostile files: at most
    ``MAX_PROBLEMS`` cells are reported and ``MAX_HITS`` candidate cells examined in all
    (the result is then incomplete, but not empty unless nothing was found before), and
    a sheet with a single cell or row larger than ``MAX_CARRY`` is skipped.
    """
    try:
        return _problem_cells(data)
    except Exception:  # noqa: BLE001 - a hostile or corrupt file: calamine reports it
        return {}


def start_scan(data: bytes) -> Callable[[], Problems]:
    """Start ``problem_cells(data)`` on a daemon thread; the returned function waits for
    it and returns its result (``{}`` if anything went wrong; it never raises)."""
    result: list[Problems] = []

    def run() -> None:
        try:
            result.append(problem_cells(data))
        except Exception:  # noqa: BLE001 - the caller gets {} (problem_cells never raises anyway)
            pass

    thread = threading.Thread(target=run, name="xlsx-problem-cells", daemon=True)
    thread.start()

    def join() -> Problems:
        thread.join()
        return result[0] if result else {}

    return join


# ---------------------------------------------------------------------------------------
# The package: which members are the sheets, and their bytes


def _problem_cells(data: bytes) -> Problems:
    if not data.startswith(b"PK"):
        return {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return {}
    out: Problems = {}
    budget = _Budget(MAX_PROBLEMS, MAX_HITS)
    with zf:
        for name, info in _sheet_parts(zf):
            if name in out:
                continue
            budget_before = budget.left
            try:
                if not _suspect(_member_chunks(data, zf, info)):
                    continue
                try:
                    found = _scan_sheet(_member_chunks(data, zf, info), budget, counting=False)
                except _NeedCounting:
                    budget.left = budget_before
                    found = _scan_sheet(_member_chunks(data, zf, info), budget, counting=True)
            except _GiveUp:
                budget.left = budget_before
                continue
            except _Full as full:
                found = full.args[0]
                if found:
                    out[name] = found
                break
            if found:
                out[name] = found
    return out


def _by_lower_name(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    # calamine finds a member by its name compared case-insensitively (ASCII), first match.
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        by_name.setdefault(info.filename.lower(), info)
    return by_name


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name as calamine reports it, its member), in workbook order."""
    by_name = _by_lower_name(zf)
    workbook = by_name.get("xl/workbook.xml")
    rels = by_name.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return []
    targets: dict[str, str] = {}
    for attrs in _elements(_read_small(zf, rels), "Relationship"):
        if "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]
    parts: list[tuple[str, zipfile.ZipInfo]] = []
    for attrs in _elements(_read_small(zf, workbook), "sheet"):
        name = attrs.get("name")
        rid = attrs.get("r:id", attrs.get("relationships:id"))
        if rid is None:  # another prefix for the relationships namespace
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        target = targets.get(rid) if rid is not None else None
        if name is None or target is None:
            continue
        info = by_name.get(_part_path(target).lower())
        if info is not None:
            parts.append((name, info))
    return parts


def _part_path(target: str) -> str:
    """A relationship target of xl/workbook.xml as a member name (as calamine resolves it:
    ``/xl/...`` absolute, ``xl/...`` kept, anything else relative to ``xl/``)."""
    t = target.replace("\\", "/")
    if t.startswith("/"):
        t = t[1:]
    elif not t.startswith("xl/"):
        t = "xl/" + t
    return posixpath.normpath(t)


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > SMALL_PART_MAX:
        raise _GiveUp
    with zf.open(info) as f:
        return f.read(info.file_size)


def _refuse_entities(*_args: object) -> None:
    raise ValueError("entity declarations are not accepted")


def _elements(xml: bytes, local_name: str) -> list[dict[str, str]]:
    """Attributes (qualified names as written, values unescaped) of every element whose
    local name is ``local_name``. Entity declarations are refused (no expansion bombs)."""
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == local_name:
            found.append(attrs)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.Parse(xml, True)
    return found


def _member_chunks(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes, inflated in pieces of at most CHUNK_SIZE, never more than its
    declared size in all (a zip bomb cannot make it inflate more)."""
    left = info.file_size
    if left <= 0 or info.flag_bits & 0x1:  # empty, or encrypted
        return
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zf.open(info) as f:
            while left > 0:
                piece = f.read(min(CHUNK_SIZE, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
        return
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_len + extra_len
    compressed = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        end = min(len(compressed), left)
        for i in range(0, end, CHUNK_SIZE):
            yield bytes(compressed[i : min(i + CHUNK_SIZE, end)])
        return
    inflater = zlib.decompressobj(-15)
    step = max(CHUNK_SIZE // 8, 64)  # compressed bytes fed at a time
    pos = 0
    while left > 0 and not inflater.eof:
        if inflater.unconsumed_tail:
            piece = inflater.decompress(inflater.unconsumed_tail, min(CHUNK_SIZE, left))
        elif pos < len(compressed):
            piece = inflater.decompress(compressed[pos : pos + step], min(CHUNK_SIZE, left))
            pos += step
        else:
            piece = inflater.decompress(b"", min(CHUNK_SIZE, left))  # output zlib still holds
            if not piece:
                return
        if piece:
            left -= len(piece)
            yield piece


# ---------------------------------------------------------------------------------------
# Stage 1: is there anything to look at?


def _suspect(chunks: Iterator[bytes]) -> bool:
    """True if the sheet may hold a formula without a cached value or an error cell (a
    cheap, conservative test: a formula followed by its cached value is dismissed).

    Each piece is searched where it lies, without copying it; ``carry`` holds the end of
    the stream from the byte before the first position not yet examined: the last two
    bytes, or more when a formula near the end of a piece waits for its cached value."""
    carry = b""
    dismissed = 0
    for chunk in chunks:
        if carry and len(chunk) >= _LOOKAHEAD + 2:
            # The junction: positions left at the end of the last piece, and chunk[0].
            n = len(carry)
            window = carry + chunk[: _LOOKAHEAD + 2]
            if _E_PROBE.search(window, max(n - 1, 1), n + 2) or _suspect_formula(window, 1, n + 1):
                return True
            text, start = chunk, 1
        elif carry:
            text, start = carry + chunk, 1  # a small piece
        else:
            text, start = chunk, 0
        if _E_PROBE.search(text, start):
            return True
        pos = start
        deferred = -1
        while (m := _F_SUSPECT.search(text, pos)) is not None:
            if m.start() > len(text) - _LOOKAHEAD:
                deferred = m.start()  # its cached value may be in the next piece: look again then
                break
            dismissed += 1
            if dismissed > _MAX_DISMISSED or not _after_formula_holder(text, m.start()):
                return True
            pos = m.end()
        carry = text[max(deferred - 1 if deferred >= 0 else len(text) - (_PROBE_SPAN - 1), 0) :]
    return len(carry) > 1 and _suspect_formula(carry, 1, len(carry))


def _suspect_formula(text: bytes, lo: int, hi: int) -> bool:
    """True if a _F_SUSPECT hit starts in text[lo:hi] that is not a formula outside cells."""
    pos = lo
    while (m := _F_SUSPECT.search(text, pos)) is not None and m.start() < hi:
        if not _after_formula_holder(text, m.start()):
            return True
        pos = m.end()
    return False


def _after_formula_holder(chunk: bytes, f_at: int) -> bool:
    """True if the <f> (or <xm:f>) at ``f_at`` directly follows the start tag of an element
    that holds formulas outside any cell (data validation, conditional format, sparkline)."""
    tag_start = chunk.rfind(b"<", max(0, f_at - 256), f_at)
    if tag_start < 0:
        return False
    previous = chunk.rfind(b"<", max(0, tag_start - 4096), tag_start)
    if previous < 0:
        return False
    m = _TAG_NAME.match(chunk, previous)
    return m is not None and not m.group(1) and m.group(2) in _FORMULA_HOLDERS


# ---------------------------------------------------------------------------------------
# Stages 2 and 3: the cells themselves


@dataclass
class _Budget:
    left: int  # problem cells that may still be recorded
    hits: int  # candidate cells (or rows) that may still be examined


@dataclass
class _Counters:
    """calamine's position counters: a <row> with r sets the row, </row> adds one and
    resets the column; a <c> with r sets the column, every </c> adds one."""

    row: int = 0  # 0-based
    col: int = 0


def _scan_sheet(chunks: Iterator[bytes], budget: _Budget, *, counting: bool) -> dict[tuple[int, int], str]:
    """The problem cells of one worksheet stream. Without ``counting`` only the cells around
    a probe hit are parsed (their ``r`` gives the position; _NeedCounting if one has none);
    with it every row is followed, and the cells of rows with a probe hit are counted."""
    found: dict[tuple[int, int], str] = {}
    counters = _Counters()
    carry = b""
    in_data = False
    for chunk in chain(chunks, (None,)):
        final = chunk is None
        buf = carry + chunk if chunk is not None else carry
        searched_from = max(0, len(carry) - _TAG_KEEP)
        if not in_data:
            m = _DATA_START.search(buf)
            if m is None:
                if final:
                    return found
                carry = buf[-_TAG_KEEP:]
                continue
            if m.group(2):  # <sheetData/>
                return found
            buf = buf[m.end() :]
            in_data = True
            searched_from = 0
        close = _data_close(buf, searched_from)
        if close >= 0:
            buf = buf[:close]
            final = True
        if counting:
            resume = _count_region(buf, final, counters, found, budget)
        else:
            resume = _anchored_region(buf, final, found, budget)
        if final:
            return found
        # A tag cut off at the end (</sheetData> perhaps) is read again whole next time.
        last_lt = buf.rfind(b"<", max(0, len(buf) - _TAG_KEEP))
        if last_lt >= 0 and buf.find(b">", last_lt) < 0:
            resume = min(resume, last_lt)
        carry = buf[resume:]
        if len(carry) > MAX_CARRY:
            raise _GiveUp
    return found


def _data_close(buf: bytes, pos: int) -> int:
    """Where </sheetData> begins in ``buf`` (looked for from about ``pos``), or -1. (A
    plain find is several times faster than a regular expression that starts with "<".)"""
    while (i := buf.find(b"sheetData", pos)) >= 0:
        lt = buf.rfind(b"</", max(0, i - _TAG_KEEP), i)
        if lt >= 0 and (m := _DATA_CLOSE.match(buf, lt)) is not None and m.end() > i:
            return lt
        pos = i + 1
    return -1


def _anchored_region(buf: bytes, final: bool, found: dict[tuple[int, int], str], budget: _Budget) -> int:
    """Examine the cell around each probe hit of ``buf``; return where the next call must
    start (an unfinished cell, or the last bytes a probe may still need)."""
    n = len(buf)
    lo = 0  # everything before lo is done
    f_hit = _F_SUSPECT.search(buf)
    e_hit = _E_PROBE.search(buf)
    while f_hit is not None or e_hit is not None:
        budget.hits -= 1
        if budget.hits < 0:
            raise _Full(found)
        if f_hit is not None and (e_hit is None or f_hit.start() < e_hit.start()):
            at = f_hit.start()
            if buf[at - 1] != 0x3C and not _prefixed_tag_before(buf, at):
                f_hit = _F_SUSPECT.search(buf, at + 1)  # ":f " in text, not <x:f
                continue
            # The usual formula cell, as Excel, openpyxl or LibreOffice write it, in one match.
            start = buf.rfind(b"<c ", max(lo, at - 256), at)
            fast = _PLAIN_FORMULA_CELL.match(buf, start) if start >= 0 else None
            if fast is not None and fast.end() > at:
                col, row, attrs, v_text, v_empty = fast.groups()
                if v_text is None and v_empty is not None:
                    v_text = b""
                t = _PLAIN_T.search(attrs) if attrs else None
                problem = _problem(t.group(1) if t is not None else None, True, v_text)
                if problem is not None:
                    _record(found, (int(row), _column(col)), problem, budget)
                lo = fast.end()
                f_hit = _F_SUSPECT.search(buf, lo)
                if e_hit is not None and e_hit.start() < lo:
                    e_hit = _E_PROBE.search(buf, lo)
                continue
        else:
            assert e_hit is not None
            at = e_hit.start()
            if not _type_attribute_before(buf, at - 1):
                e_hit = _E_PROBE.search(buf, at + 1)  # "e" in text, not t="e"
                continue
        start = _enclosing_cell_start(buf, lo, at)
        if start < 0:
            lo = at + 1
        else:
            cell = _read_cell(buf, start)
            if cell is None:
                if not final:
                    return start  # the cell is not complete yet
                return n
            end, attrs, content = cell
            if at >= end:
                lo = at + 1
            else:
                problem = _cell_problem(attrs, content)
                if problem is not None:
                    ref = attrs.get(b"r")
                    if ref is None:
                        raise _NeedCounting
                    pos = _parse_ref(ref)
                    if pos is not None:
                        _record(found, pos, problem, budget)
                lo = end
        if f_hit is not None and f_hit.start() < lo:
            f_hit = _F_SUSPECT.search(buf, lo)
        if e_hit is not None and e_hit.start() < lo:
            e_hit = _E_PROBE.search(buf, lo)
    if final:
        return n
    open_cell = _open_cell_start(buf, lo)
    if open_cell >= 0:
        return open_cell
    return max(lo, n - (_PROBE_SPAN - 1))


def _count_region(
    buf: bytes, final: bool, counters: _Counters, found: dict[tuple[int, int], str], budget: _Budget
) -> int:
    """Follow rows and cells as calamine counts them; parse the cells of rows with a probe
    hit. Returns where the next call must start (an unfinished row or cell)."""
    pos = 0
    n = len(buf)
    while (m := _ROW_OR_CELL.search(buf, pos)) is not None:
        start = m.start()
        tag = _START_TAG.match(buf, start)
        if tag is None:
            if not final and buf.find(b">", start) < 0:
                return start  # the start tag is cut off
            pos = m.end()  # not well formed: calamine refuses it anyway
            continue
        attrs = _attributes(tag.group(2))
        if m.group(1) == b"row":
            row_ref = attrs.get(b"r")
            row = _parse_row(row_ref) if row_ref is not None else None
            if tag.group(3):  # <row/>
                counters.row = (row if row is not None else counters.row) + 1
                counters.col = 0
                pos = tag.end()
                continue
            end = _ROW_END.search(buf, tag.end())
            if end is None:
                if not final:
                    return start
                end_start = end_end = n
            else:
                end_start, end_end = end.start(), end.end()
            if row is not None:
                counters.row = row
            if _has_probe_hit(buf, tag.end(), end_start):
                budget.hits -= 1
                if budget.hits < 0:
                    raise _Full(found)
                _count_cells(buf, tag.end(), end_start, counters, found, budget)
            counters.row += 1
            counters.col = 0
            pos = end_end
        else:  # a cell outside any row
            cell = _read_cell(buf, start)
            if cell is None:
                if not final:
                    return start
                return n
            _count_cell(cell, counters, found, budget)
            pos = cell[0]
    if final:
        return n
    # Keep a start tag that may be cut off at the end.
    last_lt = buf.rfind(b"<", pos)
    return last_lt if last_lt >= 0 and buf.find(b">", last_lt) < 0 else n


def _count_cells(
    buf: bytes, lo: int, hi: int, counters: _Counters, found: dict[tuple[int, int], str], budget: _Budget
) -> None:
    pos = lo
    while (m := _ROW_OR_CELL.search(buf, pos, hi)) is not None:
        if m.group(1) != b"c":
            pos = m.end()
            continue
        cell = _read_cell(buf, m.start(), hi)
        if cell is None:
            return
        _count_cell(cell, counters, found, budget)
        pos = cell[0]


def _count_cell(
    cell: tuple[int, dict[bytes, bytes], bytes],
    counters: _Counters,
    found: dict[tuple[int, int], str],
    budget: _Budget,
) -> None:
    _end, attrs, content = cell
    ref = attrs.get(b"r")
    if ref is not None:
        pos = _parse_ref(ref)
        if pos is None:
            counters.col += 1
            return
        counters.col = pos[1]
    else:
        pos = (counters.row + 1, counters.col)
    problem = _cell_problem(attrs, content)
    if problem is not None:
        _record(found, pos, problem, budget)
    counters.col += 1


def _has_probe_hit(buf: bytes, lo: int, hi: int) -> bool:
    return _F_SUSPECT.search(buf, lo, hi) is not None or _E_PROBE.search(buf, lo, hi) is not None


def _record(found: dict[tuple[int, int], str], pos: tuple[int, int], problem: str, budget: _Budget) -> None:
    if pos not in found:
        if budget.left <= 0:
            raise _Full(found)
        budget.left -= 1
    found[pos] = problem


# ---------------------------------------------------------------------------------------
# One cell


def _prefixed_tag_before(buf: bytes, at: int) -> bool:
    """True if the ``f`` at ``at`` ends ``<prefix:f`` (and not ``a:f`` in some text)."""
    lt = buf.rfind(b"<", max(0, at - _TAG_KEEP), at)
    return lt >= 0 and _PREFIX_BEFORE.match(buf, lt, at) is not None


def _type_attribute_before(buf: bytes, quote: int) -> bool:
    """True if the quote at ``quote`` opens the value of a ``t`` attribute (t="e")."""
    if buf[quote - 2 : quote] == b"t=":
        return True
    if buf[quote - 1] not in _EQ_OR_SPACE:
        return False
    return _T_BEFORE.search(buf, max(0, quote - _TAG_KEEP), quote) is not None


def _enclosing_cell_start(buf: bytes, lo: int, at: int) -> int:
    """Start of the <c> element around position ``at`` (a probe hit), or -1: look back
    tag by tag; a cell end, a row or sheetData tag first means ``at`` is in no cell."""
    i = at + 1
    while True:
        i = buf.rfind(b"<", lo, i)
        if i < 0:
            return -1
        m = _TAG_NAME.match(buf, i)
        if m is None:
            continue  # <!-- or <?
        name = m.group(2)
        if name == b"c":
            return -1 if m.group(1) else i
        if name in (b"row", b"sheetData"):
            return -1


def _open_cell_start(buf: bytes, lo: int) -> int:
    """Start of a <c> element begun but not ended in ``buf`` (after ``lo``), or -1."""
    i = len(buf)
    while True:
        i = buf.rfind(b"<", lo, i)
        if i < 0:
            return -1
        m = _TAG_NAME.match(buf, i)
        if m is None:
            continue  # <!--, or a tag cut off before its name: the cell may have begun before
        name = m.group(2)
        if name == b"c":
            if m.group(1):
                return -1
            tag = _START_TAG.match(buf, i)
            if tag is not None and tag.group(3):  # <c .../> is complete
                return -1
            return i
        if name in (b"row", b"sheetData"):
            return i if buf.find(b">", i) < 0 else -1


def _read_cell(buf: bytes, start: int, hi: int | None = None) -> tuple[int, dict[bytes, bytes], bytes] | None:
    """(end, attributes, content) of the <c> element at ``start``, None if it does not end
    in ``buf[:hi]``. A start tag that is not well formed is skipped as an empty cell
    without attributes (calamine refuses such a sheet anyway)."""
    end_limit = len(buf) if hi is None else hi
    tag = _START_TAG.match(buf, start, end_limit)
    if tag is None or tag.group(1) != b"c":
        gt = buf.find(b">", start, end_limit)
        return None if gt < 0 else (gt + 1, {}, b"")
    attrs = _attributes(tag.group(2))
    if tag.group(3):
        return tag.end(), attrs, b""
    close = _CELL_END.search(buf, tag.end(), end_limit)
    if close is None:
        return None
    return close.end(), attrs, buf[tag.end() : close.start()]


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    # Raw values, compared as calamine compares them (it does not unescape r or t).
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(raw)}


def _cell_problem(attrs: dict[bytes, bytes], content: bytes) -> str | None:
    """The problem of a cell given its attributes and content, or None.

    calamine takes a cell's value from its last <f>, <v> or <is> child; an <f> there
    gives blank, and so does an empty <v> (but for a string, t="str", where it is the
    empty string: a formula ``=""``)."""
    if b"<!" in content:
        content = _COMMENT.sub(b"", content)
    last: bytes | None = None
    has_formula = False
    v_text = b""
    for m in _CHILD.finditer(content):
        last = m.group(1)
        if last == b"f":
            has_formula = True
        elif last == b"v":
            if m.group(3):
                v_text = b""
            else:
                close = _V_END.search(content, m.end())
                v_text = content[m.end() : close.start() if close is not None else len(content)]
    if last == b"is":
        return None
    return _problem(attrs.get(b"t"), has_formula, None if last == b"f" else v_text if last == b"v" else None)


def _problem(t: bytes | None, has_formula: bool, v_text: bytes | None) -> str | None:
    """``t``: the cell's type attribute; ``v_text``: the raw text of the <v> that gives
    its value, None if no <v> does (there is none, or an <f> follows it)."""
    if t == b"e" and v_text:
        text = _text(v_text).strip()
        if text:
            return text
    if not has_formula:
        return None
    if v_text is None:
        return FORMULA
    if not v_text and t != b"str":
        return FORMULA  # <v/> or <v></v>: no cached value (openpyxl writes <v />)
    return None


def _text(raw: bytes) -> str:
    if b"<![CDATA[" in raw:
        raw = _CDATA.sub(lambda m: m.group(1), raw)
    return _ENTITY.sub(_unescape_entity, raw.decode("utf-8", "replace"))


def _unescape_entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else m.group(0)
    return _ENTITIES[name]


def _column(letters: bytes) -> int:
    """``b"AB"`` -> 27 (0-based)."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


def _parse_ref(ref: bytes) -> tuple[int, int] | None:
    """``b"B3"`` -> (3, 1): 1-based row, 0-based column; None if not a cell reference."""
    m = _REF.fullmatch(ref)
    if m is None:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    row = int(m.group(2))
    if row < 1 or col < 1:
        return None
    return row, col - 1


def _parse_row(ref: bytes) -> int | None:
    """A <row r="5"> -> 4 (0-based, as calamine's counter); None if unreadable."""
    if ref.isdigit():
        row = int(ref)
        return row - 1 if row >= 1 else None
    pos = _parse_ref(ref)
    return pos[0] - 1 if pos is not None else None
