"""Stages 2 and 3 of the scan for formula and error cells (``importers.xlsx_cells``): the
cells themselves, parsed only around each probe hit, and counted as calamine counts them
where a cell has no ``r`` attribute."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

FORMULA = "formula"  # the problem of a formula cell without a cached value
MAX_CARRY = 64 << 20  # a single cell or row larger than this: the sheet is not examined further

# Probes. Each starts with a literal byte, so ``re`` finds candidates fast; the lookbehind
# then checks the byte before it. A match spans 3 bytes (PROBE_SPAN) with that byte.
E_PROBE = re.compile(rb"e[\"'](?<=[\"']e.)")  # t="e", t='e'
# An <f> probe hit not followed by a non-empty cached value (<f>..</f><v>12</v>): the only
# ones that can be a problem (an error cell's t="e" is found by E_PROBE on its own).
F_SUSPECT = re.compile(
    rb"f[\s/>](?<=[<:]f.)(?!"
    rb"(?:(?<=>)[^<]*</(?:[\w.\-]+:)?f>|(?<=[ \t\r\n])[^<>]*(?:/>|>[^<]*</(?:[\w.\-]+:)?f>)|(?<=/)>)"
    rb"<(?:[\w.\-]+:)?v>[^<]+</(?:[\w.\-]+:)?v>)"
)
PROBE_SPAN = 3
_TAG_KEEP = 256  # bytes kept across pieces where a tag may be cut off (a longer one is not expected)

_NAME = rb"[^\s<>/=:\"']+"  # an XML name part (permissive)
_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)"""
TAG_NAME = re.compile(rb"<(/?)(?:" + _NAME + rb":)?(" + _NAME + rb")")
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


class Full(Exception):
    """MAX_PROBLEMS cells have been found, or MAX_HITS candidates examined."""


class NeedCounting(Exception):
    """A problem cell has no ``r`` attribute: its position needs rows and cells counted."""


class GiveUp(Exception):
    """The sheet cannot be examined within the memory bound."""


@dataclass
class Budget:
    left: int  # problem cells that may still be recorded
    hits: int  # candidate cells (or rows) that may still be examined


@dataclass
class _Counters:
    """calamine's position counters: a <row> with r sets the row, </row> adds one and
    resets the column; a <c> with r sets the column, every </c> adds one."""

    row: int = 0  # 0-based
    col: int = 0


def scan_sheet(chunks: Iterator[bytes], budget: Budget, *, counting: bool) -> dict[tuple[int, int], str]:
    """The problem cells of one worksheet stream. Without ``counting`` only the cells around
    a probe hit are parsed (their ``r`` gives the position; NeedCounting if one has none);
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
            raise GiveUp
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


def _anchored_region(buf: bytes, final: bool, found: dict[tuple[int, int], str], budget: Budget) -> int:
    """Examine the cell around each probe hit of ``buf``; return where the next call must
    start (an unfinished cell, or the last bytes a probe may still need)."""
    n = len(buf)
    lo = 0  # everything before lo is done
    f_hit = F_SUSPECT.search(buf)
    e_hit = E_PROBE.search(buf)
    while f_hit is not None or e_hit is not None:
        budget.hits -= 1
        if budget.hits < 0:
            raise Full(found)
        if f_hit is not None and (e_hit is None or f_hit.start() < e_hit.start()):
            at = f_hit.start()
            if buf[at - 1] != 0x3C and not _prefixed_tag_before(buf, at):
                f_hit = F_SUSPECT.search(buf, at + 1)  # ":f " in text, not <x:f
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
                f_hit = F_SUSPECT.search(buf, lo)
                if e_hit is not None and e_hit.start() < lo:
                    e_hit = E_PROBE.search(buf, lo)
                continue
        else:
            assert e_hit is not None
            at = e_hit.start()
            if not _type_attribute_before(buf, at - 1):
                e_hit = E_PROBE.search(buf, at + 1)  # "e" in text, not t="e"
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
                        raise NeedCounting
                    pos = _parse_ref(ref)
                    if pos is not None:
                        _record(found, pos, problem, budget)
                lo = end
        if f_hit is not None and f_hit.start() < lo:
            f_hit = F_SUSPECT.search(buf, lo)
        if e_hit is not None and e_hit.start() < lo:
            e_hit = E_PROBE.search(buf, lo)
    if final:
        return n
    open_cell = _open_cell_start(buf, lo)
    if open_cell >= 0:
        return open_cell
    return max(lo, n - (PROBE_SPAN - 1))


def _count_region(
    buf: bytes, final: bool, counters: _Counters, found: dict[tuple[int, int], str], budget: Budget
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
                    raise Full(found)
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
    buf: bytes, lo: int, hi: int, counters: _Counters, found: dict[tuple[int, int], str], budget: Budget
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
    budget: Budget,
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
    return F_SUSPECT.search(buf, lo, hi) is not None or E_PROBE.search(buf, lo, hi) is not None


def _record(found: dict[tuple[int, int], str], pos: tuple[int, int], problem: str, budget: Budget) -> None:
    if pos not in found:
        if budget.left <= 0:
            raise Full(found)
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
        m = TAG_NAME.match(buf, i)
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
        m = TAG_NAME.match(buf, i)
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
