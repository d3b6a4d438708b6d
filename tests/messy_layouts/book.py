"""What the messy layouts write with: clean totals, the sheet model and manifest (what the
generator meant, for the self-check), numbers as cells, and the drawing helpers both layouts use."""

from __future__ import annotations

import io
import random
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from carbon.domain.quantities import FIELD_KEYS, Dimension

from .vocabulary import _FIXED_ISO, _FIXED_TIME, _FULLWIDTH, UNIT_CHOICES, Row

# ---------------------------------------------------------------------------------------------
# Clean totals
# ---------------------------------------------------------------------------------------------


def clean_totals(rows: Sequence[Row]) -> dict[tuple[str, int], dict[str, float]]:
    """Per (USCC, year): the sum of every quantity in TEMPLATE units (电力 万千瓦时, fuels 吨 or
    万立方米, 热力 吉焦, 工业过程排放 吨二氧化碳, money 万元).

    A key appears for an enterprise-year when at least one of its rows has a value for it
    (a zero included); an absent energy key means 0, an absent economic key "not reported".
    """
    out: dict[tuple[str, int], dict[str, float]] = {}
    for r in rows:
        acc = out.setdefault((r["uscc"], int(r["month"][:4])), {})
        for key in FIELD_KEYS:
            v = r.get(key)
            if v is not None:
                acc[key] = acc.get(key, 0.0) + float(v)
    return out


# ---------------------------------------------------------------------------------------------
# Sheet model and manifest (what the generator meant; used by the self-check)
# ---------------------------------------------------------------------------------------------


@dataclass
class QtyCell:
    """A quantity cell written: ``cell / mult`` is ``expected`` (template units) unless ``bad``."""

    sheet: str
    row: int
    col: int
    key: str
    mult: float
    role: str  # "data" | "subtotal" | "total" | "row_total"
    uscc: str | None
    year: int | None
    expected: float
    bad: bool = False


@dataclass(frozen=True)
class HeaderCheck:
    """Header (or ledger row label) cells that must resolve to ``key`` in ``unit``."""

    sheet: str
    cells: tuple[tuple[int, int], ...]  # (name cell) or (name cell, unit cell)
    key: str
    unit: str | None
    mult: float


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bold: set[tuple[int, int]] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, r: int, c: int, v: Any, fmt: str | None = None, bold: bool = False) -> None:
        if v is None:
            return
        if isinstance(v, float) and not (v >= 0.0 and v != float("inf")):
            raise ValueError(f"{self.name}!{get_column_letter(c)}{r}: bad number {v!r}")
        self.cells[(r, c)] = v
        if fmt:
            self.formats[(r, c)] = fmt
        if bold:
            self.bold.add((r, c))

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


@dataclass
class _Book:
    layout: str
    sheets: list[_Sheet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    qty: list[QtyCell] = field(default_factory=list)
    headers: list[HeaderCheck] = field(default_factory=list)
    # (sheet, row, col, what, expected): identity cells of data rows, block items, month headers.
    idents: list[tuple[str, int, int, str, Any]] = field(default_factory=list)
    # (sheet, row, col, label kind): rows the importer must skip ("subtotal", "total", ...).
    skip_rows: list[tuple[str, int, str]] = field(default_factory=list)
    # ledger header blocks: (sheet, first row, last row, item key, value the block must contain)
    block_items: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    # ledger sheets: (sheet, last row above the table header, uscc, year, where the year is)
    blocks: list[tuple[str, int, str, int, str]] = field(default_factory=list)

    def description(self) -> str:
        return f"{self.layout}: " + "; ".join(self.notes)

    def to_bytes(self) -> bytes:
        wb = Workbook()
        wb.remove(wb.active)  # type: ignore[arg-type]
        for s in self.sheets:
            ws = wb.create_sheet(s.name)
            for (r, c), v in s.cells.items():
                cell = ws.cell(row=r, column=c, value=v)
                fmt = s.formats.get((r, c))
                if fmt:
                    cell.number_format = fmt
                if (r, c) in s.bold:
                    cell.font = Font(bold=True)
            for r1, c1, r2, c2 in s.merges:
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
                ws.cell(row=r1, column=c1).alignment = Alignment(horizontal="center", vertical="center")
            for c, w in s.widths.items():
                ws.column_dimensions[get_column_letter(c)].width = w
        wb.properties.creator = "messy_layouts"
        buf = io.BytesIO()
        wb.save(buf)
        return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite an xlsx so that it does not depend on when it was written."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_ISO + m.group(3),
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, content)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def _num(x: float) -> float:
    """12 significant digits: a clean cell (580400, not 580400.0000000001), 5e-13 relative."""
    return float(f"{x:.12g}")


def _plain(x: float) -> str:
    """Fixed-point text of ``x`` with every digit of its repr and no exponent."""
    s = format(Decimal(repr(x)), "f")
    return s[:-2] if s.endswith(".0") else s


TEXT_FORMS = ("thousands", "fullwidth", "spaces")


def _as_text(x: float, form: str, rng: random.Random) -> str:
    """``x`` as a text cell: "1,234.5", "１２３４．５" or " 1234.5 " (also "　1234.5" full-width space)."""
    if form == "thousands":
        s = format(Decimal(repr(x)), ",f")
        return s[:-2] if s.endswith(".0") else s
    if form == "fullwidth":
        return _plain(x).translate(_FULLWIDTH)
    return rng.choice(("{} ", " {}", "  {}  ", "\u3000{}", "{}\u3000")).format(_plain(x))


def _parse_number(v: Any) -> float:
    """What an importer should read from a cell written by this module."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    t = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    return float(t)


class _Numbers:
    """Writes quantity cells: numeric, or text in one of TEXT_FORMS with probability ``fraction``."""

    def __init__(self, rng: random.Random, fraction: float) -> None:
        self.rng = rng
        self.fraction = fraction
        self.counts: dict[str, int] = defaultdict(int)

    def cell(self, written: float) -> float | str:
        if self.fraction > 0 and self.rng.random() < self.fraction:
            forms = TEXT_FORMS if written >= 1000 else ("fullwidth", "spaces")
            form = self.rng.choice(forms)
            self.counts[form] += 1
            return _as_text(written, form, self.rng)
        self.counts["numeric"] += 1
        return written

    def summary(self) -> str:
        text = sum(v for k, v in self.counts.items() if k != "numeric")
        parts = ", ".join(f"{k} {self.counts[k]}" for k in TEXT_FORMS if self.counts[k])
        return f"{self.counts['numeric']} numeric and {text} text quantity cells ({parts or 'none'})"


# ---------------------------------------------------------------------------------------------
# Drawing helpers both layouts use
# ---------------------------------------------------------------------------------------------


def _pick_unit(dim: Dimension, lang: str, rng: random.Random) -> tuple[str, float]:
    choices = UNIT_CHOICES[dim][lang]
    if rng.random() < 0.4:
        return choices[0]
    return rng.choice(choices)


def _pick_name(options: Sequence[str], rng: random.Random, p_synonym: float = 0.3) -> str:
    if len(options) > 1 and rng.random() < p_synonym:
        return rng.choice(options[1:])
    return options[0]


def _group_rows(rows: Sequence[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _spoil(book: _Book, rng: random.Random, role: str) -> None:
    """Make one ``role`` cell 10 % too large (a numeric cell, written as a number)."""
    candidates = [q for q in book.qty if q.role == role and q.expected > 0]
    if not candidates:
        raise ValueError(f"no {role} cell to spoil")
    q = rng.choice(candidates)
    sheet = next(s for s in book.sheets if s.name == q.sheet)
    written = _parse_number(sheet.cells[(q.row, q.col)])
    sheet.cells[(q.row, q.col)] = _num(written * 1.1)
    q.bad = True
    book.notes.append(f"WRONG {role} cell (×1.1): '{q.sheet}'!{get_column_letter(q.col)}{q.row} ({q.key})")
