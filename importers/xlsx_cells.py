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
import threading
import zipfile
from collections.abc import Callable, Iterator

from importers.xlsx_package import CHUNK_SIZE as CHUNK_SIZE
from importers.xlsx_package import member_chunks
from importers.xlsx_package import sheet_parts as _sheet_parts
from importers.xlsx_scan import (
    E_PROBE,
    F_SUSPECT,
    PROBE_SPAN,
    TAG_NAME,
    Budget,
    Full,
    GiveUp,
    NeedCounting,
    scan_sheet,
)
from importers.xlsx_scan import FORMULA as FORMULA

Problems = dict[str, dict[tuple[int, int], str]]

MAX_PROBLEMS = 1_000_000  # cells reported at most, over all sheets (memory bound)
MAX_HITS = 3_000_000  # candidate cells examined at most, over all sheets (time bound, ~10 s)
_LOOKAHEAD = 1024  # a hit closer than this to the end of a piece waits for the next piece
_MAX_DISMISSED = 10_000  # formulas outside cells stage 1 looks at before it gives up (suspect)

# Elements outside sheetData that hold formulas as <xm:f> (Excel 2010 extensions): a stage-1
# hit right after one of these is not a cell.
_FORMULA_HOLDERS = frozenset(
    {b"formula", b"formula1", b"formula2", b"cfRule", b"sparkline", b"dataValidation", b"cfvo"}
)


# ---------------------------------------------------------------------------------------
# Public API


def problem_cells(data: bytes, skip: frozenset[str] = frozenset()) -> Problems:
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
    a sheet with a single cell or row larger than ``MAX_CARRY`` is skipped. Sheets named in
    ``skip`` are left out: stage 1 (``suspect``) found nothing in them already.
    """
    try:
        return _problem_cells(data, skip)
    except Exception:  # noqa: BLE001 - a hostile or corrupt file: calamine reports it
        return {}


def start_scan(data: bytes, skip: frozenset[str] = frozenset()) -> Callable[[], Problems]:
    """Start ``problem_cells(data)`` on a daemon thread; the returned function waits for
    it and returns its result (``{}`` if anything went wrong; it never raises)."""
    result: list[Problems] = []

    def run() -> None:
        try:
            result.append(problem_cells(data, skip))
        except Exception:  # noqa: BLE001 - the caller gets {} (problem_cells never raises anyway)
            pass

    thread = threading.Thread(target=run, name="xlsx-problem-cells", daemon=True)
    thread.start()

    def join() -> Problems:
        thread.join()
        return result[0] if result else {}

    return join


# ---------------------------------------------------------------------------------------
# The sheets, each looked at in up to three stages


def _problem_cells(data: bytes, skip: frozenset[str]) -> Problems:
    if not data.startswith(b"PK"):
        return {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return {}
    out: Problems = {}
    budget = Budget(MAX_PROBLEMS, MAX_HITS)
    with zf:
        for name, info in _sheet_parts(zf):
            if name in out or name in skip:
                continue
            budget_before = budget.left
            try:
                if not suspect(_member_chunks(data, zf, info)):
                    continue
                try:
                    found = scan_sheet(_member_chunks(data, zf, info), budget, counting=False)
                except NeedCounting:
                    budget.left = budget_before
                    found = scan_sheet(_member_chunks(data, zf, info), budget, counting=True)
            except GiveUp:
                budget.left = budget_before
                continue
            except Full as full:
                found = full.args[0]
                if found:
                    out[name] = found
                break
            if found:
                out[name] = found
    return out


def _member_chunks(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in pieces of at most ``CHUNK_SIZE`` (read when called)."""
    return member_chunks(data, zf, info, CHUNK_SIZE)


# ---------------------------------------------------------------------------------------
# Stage 1: is there anything to look at?


def suspect(chunks: Iterator[bytes]) -> bool:
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
            if E_PROBE.search(window, max(n - 1, 1), n + 2) or _suspect_formula(window, 1, n + 1):
                return True
            text, start = chunk, 1
        elif carry:
            text, start = carry + chunk, 1  # a small piece
        else:
            text, start = chunk, 0
        if E_PROBE.search(text, start):
            return True
        pos = start
        deferred = -1
        while (m := F_SUSPECT.search(text, pos)) is not None:
            if m.start() > len(text) - _LOOKAHEAD:
                deferred = m.start()  # its cached value may be in the next piece: look again then
                break
            dismissed += 1
            if dismissed > _MAX_DISMISSED or not _after_formula_holder(text, m.start()):
                return True
            pos = m.end()
        carry = text[max(deferred - 1 if deferred >= 0 else len(text) - (PROBE_SPAN - 1), 0) :]
    return len(carry) > 1 and _suspect_formula(carry, 1, len(carry))


def _suspect_formula(text: bytes, lo: int, hi: int) -> bool:
    """True if a F_SUSPECT hit starts in text[lo:hi] that is not a formula outside cells."""
    pos = lo
    while (m := F_SUSPECT.search(text, pos)) is not None and m.start() < hi:
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
    m = TAG_NAME.match(chunk, previous)
    return m is not None and not m.group(1) and m.group(2) in _FORMULA_HOLDERS
