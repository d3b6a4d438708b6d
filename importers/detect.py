"""Finding the table in a sheet as people really lay it out.

A sheet may open with title rows, merged cells, an enterprise header block
(``企业名称：…  统一社会信用代码：…  年份：2023``) and a header of one or two rows (names in
one row and units in the row below, or a merged group row above the names). Below the
header the data are either

- **rows**: one row per enterprise-month, months in a column (the template, registers); or
- **a ledger**: one row per quantity (电力, 天然气 …), months as columns (``1月`` … ``12月``).

``find_table`` looks at a sheet's first rows and says which, where the header is, what
each header cell says, and what the block above it gives. It reads nothing below the
header and never raises.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.periods import has_range
from carbon.domain.quantities import UNITS, normalise_unit, split_header
from importers.blocks import BlockValue, holds_item, read_block, year_in_title, year_of
from importers.cells import is_blank, month_label, month_number
from importers.layout import match_header

HEADER_SEARCH_ROWS = 40  # the header is looked for in a sheet's first 40 rows
MAX_HEADER_ROWS = 3  # a group row, the names, the units
MIN_MONTH_COLUMNS = 3  # a row with this many month labels heads a months-as-columns ledger

# The first column of a ledger names the quantity of each row.
LEDGER_LABELS = frozenset(
    {"项目", "能源品种", "能源名称", "品种", "指标", "指标名称", "名称", "类别", "能源种类", "能源类别",
     "item", "items", "energy", "carrier", "quantity", "indicator"}
)  # fmt: skip
UNIT_COLUMN_LABELS = frozenset({"计量单位", "单位", "unit", "units"})
TOTAL_COLUMN_WORDS = ("合计", "总计", "累计", "全年", "total", "sum")


def _text(v: object) -> str:
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else ""


def unit_text(v: object) -> str | None:
    """A cell holding only a unit (``万千瓦时``, ``（吨）``, ``单位：吨``) -> the unit, else None."""
    t = _text(v)
    if not t or len(t) > 20:
        return None
    t = t.strip("()（）[]【】 ")
    for p in ("计量单位", "单位", "unit"):
        if t.lower().startswith(p) and t[len(p) : len(p) + 1] in (":", "："):
            t = t[len(p) + 1 :].strip()
    return t if t and normalise_unit(t) in UNITS else None


@dataclass
class Table:
    """Where a sheet's table is and how its header reads."""

    kind: str  # "rows" or "ledger"
    index: int  # index (into the rows looked at) of the header's first row
    span: int  # 1, or 2 when the header's second row holds units or the real names
    cells: list[Any]  # the header as one row: names, with units joined from a unit row
    block: dict[str, BlockValue] = field(default_factory=dict)  # first value of each block key
    year: int | None = None  # the sheet's year, from the block's 年份 or a title
    months: dict[int, Any] = field(default_factory=dict)  # ledger: column index -> month label cell
    label_column: int | None = None  # ledger: the column naming each row's quantity
    unit_column: int | None = None  # ledger: the 计量单位 column, if any

    @property
    def first_data(self) -> int:
        return self.index + self.span


def _combine(upper: Sequence[Any], lower: Sequence[Any]) -> list[Any] | None:
    """Two header rows as one: units from the lower row join the names above them
    (``电力`` over ``万千瓦时`` -> ``电力(万千瓦时)``), and a name in the lower row replaces a
    group label above it (``能源消费量`` over ``电力(万千瓦时)``). None if the lower row looks
    like data (numbers, dates) or adds nothing."""
    out: list[Any] = []
    useful = False
    for j in range(max(len(upper), len(lower))):
        a = upper[j] if j < len(upper) else ""
        b = lower[j] if j < len(lower) else ""
        if is_blank(b):
            out.append(a)
            continue
        if not isinstance(b, str):
            return None  # a number or date: the lower row is data
        unit = unit_text(b)
        if unit is not None and not is_blank(a):
            out.append(f"{_text(a)}({unit})")
            useful = True
            continue
        if match_header(a) is not None:
            return None  # a known column over another name: two rows, not one header
        if match_header(b) is not None or month_number(b) is not None:
            useful = True
        out.append(b)  # the lower row names the column; the upper was a group label
    return out if useful else None


def _score(cells: Sequence[Any]) -> int:
    """How much of a header row is understood: known columns, and units for quantities."""
    found = [m for m in map(match_header, cells) if m is not None]
    return len(found) + sum(1 for m in found if m[1] is not None)


def _keys(cells: Sequence[Any]) -> set[str]:
    return {m[0] for m in map(match_header, cells) if m is not None}


def _plausible(b: BlockValue) -> bool:
    """Whether a block value could be what its label says (checked in full later, against
    its cell): a USCC of 18 letters and digits, a month that reads as one. A notes sheet
    that merely lists the labels (统一社会信用代码 | USCC) is not a block."""
    if b.key == "uscc":
        t = "".join(str(b.value).split())
        return isinstance(b.value, str) and len(t) == 18 and t.isalnum()
    if b.key == "month":
        # 报告期 2023年1-3月 (cumulative forms) is a month too: the range's end.
        return month_label(b.value, None) is not None or has_range(_text(b.value))
    return True


def _block_above(block: list[BlockValue], excel_row: int) -> dict[str, BlockValue]:
    found: dict[str, BlockValue] = {}
    for b in block:
        if b.row < excel_row and b.key not in found and _plausible(b):
            found[b.key] = b
    return found


def sheet_year(block: dict[str, BlockValue], titles: Sequence[Any], sheet_name: str) -> int | None:
    """The year of a sheet: its block's 年份, else the one year its title rows or name name."""
    if "year" in block:
        y = year_of(block["year"].value)
        if y is not None:
            return y
    for cell in titles:
        y = year_in_title(cell)
        if y is not None:
            return y
    return year_in_title(sheet_name) or year_of(sheet_name)


def _ledger_columns(cells: Sequence[Any], year: int | None) -> dict[int, Any]:
    return {
        j: c
        for j, c in enumerate(cells)
        if month_number(c) is not None or (isinstance(c, str | dt.date) and month_label(c, year) is not None)
    }


def find_table(head: Sequence[Sequence[Any]], sheet_name: str, first_row: int = 1) -> Table | None:
    """The first row in ``head`` (a sheet's first rows, ``head[0]`` being Excel row
    ``first_row``) that heads a table of monthly energy data, or None.

    A rows table needs a USCC (a column, or the block above) and a month (a column, or a
    报告期 in the block) and at least one known column besides; a ledger needs at least
    ``MIN_MONTH_COLUMNS`` month labels in its header row.
    """
    rows = head[:HEADER_SEARCH_ROWS]
    block = read_block(rows, first_row)
    # A row holding a label-value item (企业名称：…) belongs to the block above the table: it
    # is never a group row of the header, or the value in it would be lost.
    for i, row in enumerate(rows):
        if not any(isinstance(c, str) and c.strip() for c in row):
            continue
        # The header may take up to three rows (a group row, names, units): each further row
        # is joined while it makes more of the header understood; the fullest is tried first.
        candidates: list[tuple[list[Any], int]] = [(list(row), 1)]
        # A row of month labels heads a ledger by itself: the rows under it are its data.
        found = _ledger_columns(row, None)
        ledger_row = len(found) >= MIN_MONTH_COLUMNS or bool(found and _ledger_labelled(row, {}))
        grouped = not ledger_row and not any(map(holds_item, row))
        while grouped and len(candidates) < MAX_HEADER_ROWS and i + len(candidates) < len(rows):
            cells, span = candidates[0]
            combined = _combine(cells, rows[i + span])
            if combined is None or _score(combined) <= _score(cells):
                break
            candidates.insert(0, (combined, span + 1))
        above = _block_above(block, first_row + i)
        for cells, span in candidates:
            keys = _keys(cells)
            titles = [c for r in rows[:i] for c in r if isinstance(c, str)]
            year = sheet_year(above, titles, sheet_name)
            months = _ledger_columns(cells, year)
            if len(months) >= MIN_MONTH_COLUMNS or (months and _ledger_labelled(cells, above)):
                return _ledger(cells, i, span, above, year, months)
            has_uscc = "uscc" in keys or "uscc" in above
            has_month = "month" in keys or "month" in above
            quantities = keys - {"uscc", "name", "industry_code", "region_code", "month", "name_en"}
            if has_uscc and has_month and (quantities or {"uscc", "month"} <= keys):
                return Table("rows", i, span, cells, above, year)
    return None


def _ledger_labelled(cells: Sequence[Any], block: dict[str, BlockValue]) -> bool:
    """Fewer than three month columns (a ledger of one month so far) still head a ledger
    when a 项目-like column names the rows, or the block above names the enterprise."""
    return "uscc" in block or any(_text(c).lower() in LEDGER_LABELS for c in cells)


def _ledger(
    cells: list[Any],
    i: int,
    span: int,
    block: dict[str, BlockValue],
    year: int | None,
    months: dict[int, Any],
) -> Table:
    first_month = min(months)
    label_column = unit_column = None
    free: list[int] = []  # text headers before the months that name no known column
    for j in range(first_month):
        t = _text(cells[j]).lower()
        if t in UNIT_COLUMN_LABELS:
            unit_column = j
        elif t in LEDGER_LABELS and label_column is None:
            label_column = j
        elif t and match_header(cells[j]) is None:
            free.append(j)
    if label_column is None:
        # no 项目-like header: the first unknown header, else the first blank-headed column
        blanks = [j for j in range(first_month) if is_blank(cells[j]) and j != unit_column]
        label_column = free[0] if free else blanks[0] if blanks else 0
    return Table("ledger", i, span, cells, block, year, months, label_column, unit_column)


def is_total_column(cell: object) -> bool:
    """A ledger column that sums the months (``合计``, ``全年合计``, ``Total``)."""
    t = _text(cell).lower()
    return bool(t) and any(w in t for w in TOTAL_COLUMN_WORDS) and split_header(t)[1] is None


def fill_merged(
    rows: Iterable[list[Any]],
    ranges: list[tuple[tuple[int, int], tuple[int, int]]],
    first_r: int,
    first_col: int,
) -> Iterator[list[Any]]:
    """Give every cell of a merged range the value of its top-left cell, as a reader of the
    sheet sees it (an enterprise's name merged down over its twelve months)."""
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in ranges:
        starts.setdefault(r0 + 1, []).append((r1 + 1, c0 - first_col, c1 - first_col))
    active: list[tuple[int, int, int, Any]] = []
    r = first_r
    for row in rows:
        for last, j0, j1 in starts.get(r, ()):
            if 0 <= j0 < len(row):
                active.append((last, j0, j1, row[j0]))
        if active:
            for _, j0, j1, v in active:
                for j in range(max(j0, 0), min(j1, len(row) - 1) + 1):
                    if row[j] == "":
                        row[j] = v
            active = [a for a in active if a[0] > r]
        yield row
        r += 1
