"""The 205-1 statistical return (能源购进、消费与库存): monthly sheets of cumulative figures.

Enterprises file the 205-1 return with the statistics office every month, one sheet per
month, each giving cumulative 1–本月 figures per energy row. ``read_205`` reads the sheets
the workbook dispatcher recognised (``looks_like_205``) into one ``MonthlyRecord`` per
enterprise-month, by differencing the cumulative figures. docs/methodology.md §2.4 has the rules; the
decisions taken where it is silent are listed here and are pinned by
``tests/importers/test_return205.py``:

Reading a sheet
- ``looks_like_205``: 能源名称 within the first 40 rows, 计量单位 and a 消费… header in it or
  the three rows under it, and fewer than three month labels (1月 2月 3月 … across the header
  is a months-as-columns ledger, not this return).
- The header is the row with 能源名称 (within the first 40 rows) and the rows under it
  whose 能源名称 cell is blank (merged) and that hold text: two or three rows with merged
  cells. A column is known by the texts of its own header cells and of the spanning group
  cells above it (消费量 over 合计 / 工业生产消费 / …; 购进量 over 实物量 / 金额), never by
  position. A column-number row (甲 乙 丙 1 2 3 …) under the header is skipped.
- Columns read: 期初(年初)库存量, 购进量 实物量, 消费量 合计, 工业生产消费, 用于原材料,
  非工业生产消费, 期末库存量. 金额, 运输工具消费 (a memo inside 合计) and the 折标系数
  columns are not read. Only 消费量合计 is required.
- Energy rows are looked up by name in ``ENERGY_FIELDS`` (205-1 names plus the names and
  synonyms of the carrier fields), after dropping ``其中：``, ``#`` and numbering prefixes
  and a bracketed note (``柴油（含生物柴油）``). A name written twice on one sheet is an
  error. 炼焦烟煤 and 一般烟煤 are summed into bituminous_coal (``SUMMED_ROWS``); any other
  second row for a field already given (``其中：外购电力`` under ``电力``) is a breakdown:
  warned about and not added again.
- Rows whose name is a total (能源合计, code 40) are skipped silently. Unknown energies with
  a non-zero 消费量合计 are a warning per sheet naming the cell. The table ends at the
  signature line (单位负责人 / 填表人 / 报出日期 …) or a 注/说明 line.
- The unit is the row's 计量单位 cell (or a unit in brackets after the name); a blank unit
  is read as the form's unit (吨, 万立方米, 百万千焦, 万千瓦时) with a warning.
- Numbers: numeric cells, text with thousands separators or full-width digits; blank is 0.
  A negative or non-numeric cell in a column read is an error, even if the column only
  feeds a check.
- ``columns`` has one ``ColumnMapping`` per carrier row read: the 消费量合计 column, the
  能源名称 text as header, the row's unit and factor, its ``row`` and ``period``.

Identity and month
- USCC (required), name, industry and region come from the block above the table
  (``importers.blocks.read_block``); a USCC typed one character per cell after its label
  is joined. Industry and region that differ between sheets of one USCC are errors; a
  differing name is a warning (the first sheet's name is kept). Blank ones are inherited.
- The month is taken from the block's 报告期 / 统计期, else the sheet name, else a title
  cell (cells naming 有效期 / 文号 / 日期 are ignored). When two of these disagree the first
  is used and a warning names both. A range must start in January (the return is
  cumulative); ``2023年2-3月`` is an error, and a single month (``2023年3月``) means 1–3月.
  The year of a month-only sheet name (``3月``) comes from the block's 年份 or the title.

Cumulative to monthly, per USCC and year (sheets in month order)
- January's figures are its month. Month m's figure is cum(m) − cum(m−1) when the sheet of
  m−1 is in the file. A sheet whose previous month is not in the file (the first sheet of
  a year after January, or one after a gap) produces no record: a warning says it is used
  only as the base for later months.
- Per energy row, 消费量合计 and 用于原材料 must not go down from the previous sheet in the
  file (also across a gap), and the month's feedstock must not exceed the month's
  consumption; each is an error on the later sheet naming the cell. A row given on an
  earlier sheet and missing from a later one counts as a drop to zero.
- Burned = 合计 − 用于原材料 (cumulative, then differenced). 用于原材料 > 合计 on a sheet is
  an error. Figures are converted to the canonical unit and differenced in decimal, on the
  numbers as written, so 1–3月 − 1–2月 has no binary rounding noise (a sheet may even use
  another unit than the month before).
- Coal: if any of 无烟煤 / 炼焦烟煤 / 一般烟煤 / 褐煤 has consumption on a sheet, those rows
  count and 原煤 does not (raw_coal is then 0.0); otherwise 原煤 counts. Consecutive sheets
  of one year that switch between the two are an error (the month's split is unknowable).
  原煤 differing from the sum of its breakdown is a warning.
- Checks that warn (tolerance 0.5 % or 0.01, in the row's unit), naming the cell:
  合计 = 工业生产消费 + 非工业生产消费 (when either part is filled); 期末 = 期初 + 购进 − 合计
  (when any of the three is filled; not for 电力 and 热力, which have no stock and whose
  consumption may include own generation).
- ``values`` holds every field with a row on the sheet (0.0 for a blank row). A record's
  ``row`` is the sheet's first energy row. A sheet whose energies are all unknown to the
  account gives no record (it is still a base); a sheet without energy rows is skipped with
  a warning. ``rows_read`` counts energy rows read;
  ``accepted`` counts records. With any error the file is refused and no records are
  returned.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period
from carbon.domain.quantities import (
    COMBUSTION_KEYS,
    FIELD_BY_KEY,
    FIELDS,
    UNITS,
    Dimension,
    normalise_unit,
    split_header,
    unit_factor,
)
from carbon.domain.records import ColumnMapping, MonthlyRecord, ParsedFile
from importers.blocks import BlockValue, read_block, year_in_title, year_of
from importers.cells import (
    YEAR_RANGE,
    CellProblem,
    column_letter,
    month_number,
    read_industry,
    read_number,
    read_region,
    read_uscc,
)
from importers.energy_names import UNIT_HINTS, alias_key
from importers.layout import NAME_MAX_CHARS, UNIT_EXAMPLES, is_total_label
from importers.return205_extras import (
    Other,
    block_parameters,
    checked_figure,
    coefficient,
    coefficients,
    cumulative_feedstock,
    feedstock,
    figure,
    is_sub_label,
    special_row,
    tce_problem,
)

HEADER_SEARCH_ROWS = 40  # the 能源名称 header is looked for in rows 1-40
MAX_HEADER_ROWS = 4  # the 能源名称 row and up to three more

# ---------------------------------------------------------------------------------------
# Tables (data, not branches)

# 205-1 energy names -> field. The carrier fields' own names and synonyms are added below.
_NAMES_205: dict[str, str] = {
    "原煤": "raw_coal",
    "无烟煤": "anthracite",
    "炼焦烟煤": "bituminous_coal",
    "一般烟煤": "bituminous_coal",
    "烟煤": "bituminous_coal",
    "褐煤": "lignite",
    "洗精煤": "cleaned_coal",
    "焦炭": "coke",
    "原油": "crude_oil",
    "燃料油": "fuel_oil",
    "汽油": "gasoline",
    "煤油": "kerosene",
    "柴油": "diesel",
    "液化石油气": "lpg",
    "石油焦": "petroleum_coke",
    "天然气": "natural_gas",
    "焦炉煤气": "coke_oven_gas",
    "高炉煤气": "blast_furnace_gas",
    "转炉煤气": "converter_gas",
    "热力": "heat",
    "电力": "electricity",
}


def _fold(text: str) -> str:
    """A name folded for lookup: NFKC, no whitespace, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _energy_fields() -> dict[str, str]:
    table: dict[str, str] = {}
    carriers = (*COMBUSTION_KEYS, "electricity", "heat")
    for f in FIELDS:
        if f.key in carriers:
            for n in (f.name_zh, f.name_en, *f.synonyms):
                table[_fold(n)] = f.key
    for n, key in _NAMES_205.items():
        table[_fold(n)] = key
    return table


# Folded energy name -> field key.
ENERGY_FIELDS: dict[str, str] = _energy_fields()

# Rows that are summed into one field (any other second row for a field is a breakdown).
SUMMED_ROWS: dict[str, frozenset[str]] = {"bituminous_coal": frozenset({"炼焦烟煤", "一般烟煤"})}

# A field whose rows may instead be given broken down into other fields: never both.
BREAKDOWN: dict[str, tuple[str, ...]] = {"raw_coal": ("anthracite", "bituminous_coal", "lignite")}

# The 205-1 form's unit per dimension, for a row whose 计量单位 cell is blank.
FORM_UNIT: dict[Dimension, str] = {
    Dimension.ELECTRICITY: "万千瓦时",
    Dimension.MASS: "吨",
    Dimension.GAS_VOLUME: "万立方米",
    Dimension.HEAT: "百万千焦",
}

# Carriers that cannot be stocked: no 期初/期末 balance check.
NO_STOCK: frozenset[Dimension] = frozenset({Dimension.ELECTRICITY, Dimension.HEAT})

# Words that end the table: the signature line and notes under it.
FOOTER_MARKERS: tuple[str, ...] = ("单位负责人", "统计负责人", "填表人", "填报人", "报出日期", "联系电话")
# Cells above the header that name a date which is not the reporting period.
NOT_PERIOD_MARKERS: tuple[str, ...] = ("有效期", "文号", "日期", "批准")
TCE_UNITS: frozenset[str] = frozenset({"吨标准煤", "吨标煤", "tce", "万吨标准煤", "千克标准煤"})
TOTAL_CODE = "40"

# Column roles, with their names in messages.
ROLE_LABEL: dict[str, str] = {
    "opening": "期初库存量",
    "purchase": "购进量",
    "total": "消费量合计",
    "industrial": "工业生产消费",
    "feedstock": "用于原材料",
    "non_industrial": "非工业生产消费",
    "transport": "运输工具消费",
    "closing": "期末库存量",
}
NUMBER_ROLES: tuple[str, ...] = (
    "opening",
    "purchase",
    "total",
    "industrial",
    "feedstock",
    "non_industrial",
    "closing",
)

_ZERO = Decimal(0)
_TOL_ABS = Decimal("0.01")
_TOL_REL = Decimal("0.005")

# ---------------------------------------------------------------------------------------
# Small helpers


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell(row: Sequence[Any], j: int | None) -> Any:
    if j is None or j >= len(row):
        return ""
    return row[j]


def _text(v: object) -> str:
    """A header or label cell folded: NFKC, no whitespace ('' for a non-text cell)."""
    if not isinstance(v, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", v).split())


def _dec(x: float) -> Decimal:
    """A float read from a cell, as the decimal it was written as."""
    return Decimal(repr(x))


def _fmt(d: Decimal) -> str:
    """A figure for a message: 120, 0.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(_TOL_ABS, _TOL_REL * max(abs(a), abs(b)))


def _span(p: Period) -> tuple[str, str]:
    """'1–3月' (English text) and '1–3月' (Chinese) for a cumulative period."""
    s = "1月" if p.month == 1 else f"1–{p.month}月"
    return f"{p.year} {s}", f"{p.year}年{s}"


# ---------------------------------------------------------------------------------------
# Header


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """(row index, column index) of the 能源名称 cell, or None."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for j, v in enumerate(row):
            t = _text(v)
            if "能源名称" in t and len(t) <= 12:
                return i, j
    return None


def looks_like_205(rows: Sequence[Sequence[Any]]) -> bool:
    """True if these first rows (up to ~40) of a sheet are a 205-1 return: a header with 能源名称
    and 计量单位 and 消费量 (and usually 代码)."""
    try:
        found = _find_header(rows)
        if found is None:
            return False
        i = found[0]
        head = [v for row in rows[i : i + MAX_HEADER_ROWS] for v in row]
        texts = [_text(v) for v in head]
        # 1月 2月 3月 … across the header is a months-as-columns ledger, not this return
        months = sum(1 for v in head if month_number(v) is not None)
        return any("计量单位" in t for t in texts) and any("消费" in t for t in texts) and months < 3
    except Exception:  # noqa: BLE001 - a guess about a sheet must never fail the upload
        return False


def _is_column_number_row(row: Sequence[Any], name_col: int) -> bool:
    """甲 乙 丙 1 2 3 …: the row numbering the form's columns."""
    if _text(_cell(row, name_col)).lower() in ("甲", "a"):
        return True
    if not _blank(_cell(row, name_col)):
        return False
    numbers = [v for v in row if not _blank(v)]
    if len(numbers) < 3 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        return False
    return [float(v) for v in numbers] == [float(k) for k in range(1, len(numbers) + 1)]


def _header_rows(rows: Sequence[Sequence[Any]], h: int, name_col: int) -> list[int]:
    out = [h]
    for k in range(h + 1, min(h + MAX_HEADER_ROWS, len(rows))):
        row = rows[k]
        if not _blank(_cell(row, name_col)) or _is_column_number_row(row, name_col):
            break
        if not any(_text(v) and not _looks_numeric(v) for v in row):
            break
        out.append(k)
    return out


def _looks_numeric(v: object) -> bool:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return True
    t = _text(v)
    return bool(t) and t.replace(".", "", 1).isdigit()


def _role(own: list[str], groups: list[str]) -> str | None:
    """What a column holds, from its own header texts and the group texts above it."""
    o = "".join(own)
    a = "".join(groups) + o
    if "能源名称" in o or o in ("名称", "品种", "能源品种"):
        return "name"
    if "计量单位" in o or o == "单位":
        return "unit"
    if o == "代码" or o.endswith("代码"):
        return "code"
    if "折标" in o or "系数" in o:
        return "ref_coef" if "参考" in o else "coef"
    if any(w in a for w in ("金额", "折标", "系数", "价格", "单价", "千元", "万元")):
        return None
    if "运输" in o:
        return "transport"
    if "原材料" in o or "原料" in o:
        return "feedstock"
    if "非工业" in o:
        return "non_industrial"
    if "工业生产" in o:
        return "industrial"
    if any(w in a for w in ("期初", "年初", "上年末", "上年底")):
        return "opening"
    if any(w in a for w in ("期末", "月末", "年末")):
        return "closing"
    if "库存" in a:
        return None
    if any(w in a for w in ("购进", "购入", "采购")):
        return "purchase"
    last = own[-1] if own else ""
    if "消费" in a and (last in ("合计", "小计", "总计") or "消费量" in last or last.endswith("消费合计")):
        return "total"
    return None


@dataclass
class _Header:
    row: int  # index of the 能源名称 row
    rows: list[int]  # indices of every header row
    roles: dict[str, int]  # role -> column index
    first_data: int  # index of the first row under the header


def _read_header(rows: Sequence[Sequence[Any]], h: int, name_col: int) -> _Header:
    hrows = _header_rows(rows, h, name_col)
    width = max(len(rows[k]) for k in hrows)
    grid = [[_text(_cell(rows[k], j)) for j in range(width)] for k in hrows]
    roles: dict[str, int] = {}
    for j in range(width):
        own = [grid[k][j] for k in range(len(hrows)) if grid[k][j]]
        if not own:
            continue
        top = next(k for k in range(len(hrows)) if grid[k][j])
        groups: list[str] = []
        for k in range(top - 1, -1, -1):  # the spanning cell above: nearest text to the left
            for c in range(j - 1, -1, -1):
                if grid[k][c]:
                    groups.insert(0, grid[k][c])
                    break
        role = _role(own, groups)
        if role is not None and role not in roles:
            roles[role] = j
    roles.setdefault("name", name_col)
    first = hrows[-1] + 1
    if first < len(rows) and _is_column_number_row(rows[first], name_col):
        first += 1
    return _Header(h, hrows, roles, first)


# ---------------------------------------------------------------------------------------
# Periods

_RANGE = r"(?:(\d{1,2})月?[-~～—–至到])?"
_P_FULL = re.compile(r"((?:19|20)\d{2})年度?" + _RANGE + r"(\d{1,2})月")
_P_SHORT = re.compile(r"(?<![\d年])" + _RANGE + r"(\d{1,2})月")
_P_DASH = re.compile(r"^((?:19|20)\d{2})[-/.](\d{1,2})$")
_P_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})$")


@dataclass(frozen=True)
class _Span:
    """A reporting period: a single month (2023年3月) means 1–3月 on this cumulative form."""

    year: int
    start: int
    end: int


def _parse_period(v: object, year_hint: int | None) -> _Span | None:
    """A reporting period as written -> (year, first month, last month), or None."""
    if isinstance(v, dt.date):
        return _Span(v.year, 1, v.month)
    if isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
        if x.is_integer():
            m = _P_COMPACT.match(str(int(x)))
            if m:
                return _Span(int(m.group(1)), 1, int(m.group(2)))
        return None
    t = _text(v)
    if not t:
        return None
    m = _P_FULL.search(t)
    if m:
        end = int(m.group(3))
        return _Span(int(m.group(1)), int(m.group(2) or 1), end)
    for rx in (_P_DASH, _P_COMPACT):
        m = rx.match(t)
        if m:
            return _Span(int(m.group(1)), 1, int(m.group(2)))
    m = _P_SHORT.search(t)
    if m and year_hint is not None:
        end = int(m.group(2))
        return _Span(year_hint, int(m.group(1) or 1), end)
    return None


@dataclass(frozen=True)
class _Found:
    """A month read from one place: the 报告期 block cell, the sheet name, or a title cell."""

    span: _Span
    source: str  # "block", "sheet" or "title"
    row: int | None
    column: str | None
    shown: str  # as written


_SOURCE_EN = {"block": "报告期 cell", "sheet": "sheet name", "title": "title"}
_SOURCE_ZH = {"block": "报告期", "sheet": "工作表名称", "title": "标题"}


def _span_problem(s: _Span, shown: str) -> str | None:
    if not (YEAR_RANGE[0] <= s.year <= YEAR_RANGE[1] and 1 <= s.start <= s.end <= 12):
        return f"reporting period {shown!r} is not a valid month / 报告期“{shown}”不是有效月份"
    if s.start != 1:
        return (
            f"reporting period {shown!r} does not start in January; a 205-1 return gives cumulative "
            "figures from January (1–本月) / 205-1表报告期应为1月至本月的累计数"
        )
    return None


# ---------------------------------------------------------------------------------------
# One sheet


@dataclass
class _EnergyRow:
    row: int  # Excel row
    label: str  # the 能源名称 text as written
    name: str  # the name looked up (prefixes and notes dropped)
    field: str
    unit: str
    factor: Decimal  # row unit -> canonical
    total: Decimal = _ZERO  # cumulative 消费量合计, row unit
    feedstock: Decimal = _ZERO  # cumulative 用于原材料, row unit
    ok: bool = True  # every cell read
    counted: bool = True
    breakdown: bool = False  # a second row of a field already given (其中：外购电力)
    coef: Decimal | None = None  # 采用折标系数, tce per row unit
    ref_coef: Decimal | None = None  # 参考折标系数

    @property
    def total_c(self) -> Decimal:
        return self.total * self.factor

    @property
    def feedstock_c(self) -> Decimal:
        return self.feedstock * self.factor


@dataclass
class _Ident:
    value: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass
class _Sheet:
    name: str
    order: int
    letters: dict[str, str]  # role -> column letter
    uscc: _Ident = field(default_factory=_Ident)
    ent_name: _Ident = field(default_factory=_Ident)
    industry: _Ident = field(default_factory=_Ident)
    region: _Ident = field(default_factory=_Ident)
    period: Period | None = None
    rows: list[_EnergyRow] = field(default_factory=list)
    first_row: int = 0
    coal_mode: dict[str, str | None] = field(default_factory=dict)  # parent field -> "parent"/"breakdown"
    period_row: int | None = None  # the cell the month was read from, if any
    period_column: str | None = None
    others: list[Other] = field(default_factory=list)  # rows no field reads, for 能源合计
    stated_tce: tuple[int, Decimal] | None = None  # the 能源合计 row and its figure

    @property
    def ordinal(self) -> int:
        return 0 if self.period is None else self.period.year * 12 + self.period.month

    def counted(self) -> dict[str, _EnergyRow]:
        return {r.name: r for r in self.rows if r.counted}

    def by_name(self) -> dict[str, _EnergyRow]:
        return {r.name: r for r in self.rows}

    def cumulative(self) -> dict[str, Decimal]:
        """Field -> cumulative burned amount (合计 − 用于原材料), canonical unit."""
        out: dict[str, Decimal] = {}
        for r in self.rows:
            out.setdefault(r.field, _ZERO)
            if r.counted:
                out[r.field] += r.total_c - r.feedstock_c
        return out


_NAME_PREFIX = re.compile(r"^(?:其中|#|\d{1,2}[.、)]|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.])[:：]?")


def _energy_name(label: str) -> tuple[str, str | None]:
    """The name to look up and a unit written after it, from a 能源名称 cell:
    '其中：无烟煤' -> ('无烟煤', None); '柴油(吨)' -> ('柴油', '吨');
    '柴油（含生物柴油）' -> ('柴油', None)."""
    t = "".join(unicodedata.normalize("NFKC", label).split())
    while True:
        m = _NAME_PREFIX.match(t)
        if not m or not m.end():
            break
        t = t[m.end() :]
    t = t.strip(":：")
    base, bracket = split_header(t)
    unit = bracket if bracket and normalise_unit(bracket) in UNITS else None
    return base, unit


class _SheetReader:
    def __init__(self, name: str, order: int, rows: Sequence[Sequence[Any]]) -> None:
        self.name = name
        self.order = order
        self.rows = rows
        self.errors: list[CellError] = []
        self.warnings: list[CellError] = []
        self.columns: list[ColumnMapping] = []
        self.rows_read = 0

    def err(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(CellError(self.name, row, column, message))

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(CellError(self.name, row, column, message))

    def read(self) -> _Sheet | None:
        rows = self.rows
        found = _find_header(rows)
        if found is None:
            self.err(
                None, None,
                "no 205-1 header (能源名称, 计量单位, 消费量) in rows 1-40 "
                "/ 未找到205-1表表头（能源名称、计量单位、消费量）",
            )  # fmt: skip
            return None
        h, name_col = found
        header = _read_header(rows, h, name_col)
        letters = {role: column_letter(j) for role, j in header.roles.items()}
        sheet = _Sheet(self.name, self.order, letters)
        if "total" not in header.roles:
            self.err(
                h + 1, None,
                "no 消费量合计 column under the header (消费量 / 合计) / 未找到“消费量合计”列",
            )  # fmt: skip
            return None
        block = read_block(rows[:h])
        self._identity(sheet, block, rows[:h])
        sheet.period = self._period(sheet, block, rows[:h])
        self._rows(sheet, header, block_parameters(rows[:h], self.err))
        if not sheet.rows and sheet.first_row == 0:
            self.warn(
                None,
                None,
                "no energy rows under the 205-1 header; sheet skipped / 表中没有能源数据行，已跳过",
            )
            return None
        self._coal(sheet)
        self._tce(sheet)
        return sheet

    def _tce(self, sheet: _Sheet) -> None:
        """A warning where the rows' tce and the 能源合计 row are more than 1 % apart."""
        if sheet.stated_tce is None:
            return
        r, stated = sheet.stated_tce
        found = tce_problem(sheet.rows, sheet.others, stated, BREAKDOWN)
        if found is not None:
            self.warn(r, sheet.letters["total"], found[1])

    # -- identity ------------------------------------------------------------------------

    def _identity(self, sheet: _Sheet, block: list[BlockValue], above: Sequence[Sequence[Any]]) -> None:
        first: dict[str, BlockValue] = {}
        for bv in block:
            if bv.key not in first and not _blank(bv.value):
                first[bv.key] = bv
        u = first.get("uscc")
        if u is None:
            written = _uscc_in_text(above)
            if written is not None:
                u = BlockValue("uscc", written[0], written[1], written[2], "统一社会信用代码")
        if u is None:
            self.err(
                None, None,
                "no 统一社会信用代码 (USCC) above the table; write it as 统一社会信用代码：9133… "
                "/ 表头上方未找到统一社会信用代码",
            )  # fmt: skip
        else:
            letter = column_letter(u.column)
            code, problem = read_uscc(_joined_code(above, u))
            if problem:
                self.err(u.row, letter, problem)
            else:
                sheet.uscc = _Ident(code, u.row, letter)
        n = first.get("name")
        if n is not None:
            text = " ".join(str(n.value).split())
            if len(text) > NAME_MAX_CHARS:
                self.err(
                    n.row, column_letter(n.column),
                    f"name has {len(text):,} characters, more than {NAME_MAX_CHARS} / 企业名称过长",
                )  # fmt: skip
            else:
                sheet.ent_name = _Ident(text, n.row, column_letter(n.column))
        for key, target in (("industry_code", sheet.industry), ("region_code", sheet.region)):
            item = first.get(key)
            if item is None:
                continue
            reader = read_industry if key == "industry_code" else read_region
            value, problem = reader(item.value)
            if problem:
                self.err(item.row, column_letter(item.column), problem)
            else:
                target.value, target.row, target.column = value, item.row, column_letter(item.column)

    # -- period --------------------------------------------------------------------------

    def _period(
        self, sheet: _Sheet, block: list[BlockValue], above: Sequence[Sequence[Any]]
    ) -> Period | None:
        """The sheet's month: 报告期 in the block, else the sheet name, else a title cell."""
        year_hint: int | None = None
        for bv in block:
            if bv.key == "year" and (year_hint := year_of(bv.value)) is not None:
                break
        found: list[_Found] = []
        unreadable: BlockValue | None = None
        for bv in block:
            if bv.key != "month":
                continue
            s = _parse_period(bv.value, year_hint)
            if s is None:
                unreadable = unreadable or bv
                continue
            found.append(_Found(s, "block", bv.row, column_letter(bv.column), str(bv.value)))
            year_hint = year_hint or s.year
            break
        if year_hint is None:
            years = {
                y
                for row in above
                for v in row
                if not any(m in _text(v) for m in NOT_PERIOD_MARKERS) and (y := year_in_title(v)) is not None
            }
            if len(years) == 1:
                year_hint = years.pop()
        title: list[_Found] = []
        for i, row in enumerate(above):
            for j, v in enumerate(row):
                t = _text(v)
                if not t or any(m in t for m in NOT_PERIOD_MARKERS):
                    continue
                m = _P_FULL.search(t)
                s = _parse_period(m.group(0), None) if m else None
                if s is not None and all(s != f.span for f in title):
                    title.append(_Found(s, "title", i + 1, column_letter(j), str(v).strip()))
        if year_hint is None and len(title) == 1:
            year_hint = title[0].span.year
        s_name = _parse_period(self.name, year_hint)
        if s_name is not None:
            found.append(_Found(s_name, "sheet", None, None, self.name))
        if len(title) == 1:
            found.append(title[0])
        if not found:
            if unreadable is not None:
                self.err(
                    unreadable.row, column_letter(unreadable.column),
                    f"cannot tell which month sheet '{self.name}' reports ({unreadable.label} "
                    f"{str(unreadable.value)!r} not understood); write 报告期：2023年1-3月 above the table "
                    f"or name the sheet 2023年3月 / 无法确定工作表“{self.name}”的报告期",
                )  # fmt: skip
            else:
                self.err(
                    None, None,
                    f"cannot tell which month sheet '{self.name}' reports: no 报告期 above the table and "
                    f"no month in the sheet name or title; write 报告期：2023年1-3月 or name the sheet "
                    f"2023年3月 / 无法确定工作表“{self.name}”的报告期",
                )  # fmt: skip
            return None
        used = found[0]
        s = used.span
        if unreadable is not None:
            self.warn(
                unreadable.row, column_letter(unreadable.column),
                f"{unreadable.label} {str(unreadable.value)!r} not understood; the month is taken from the "
                f"{_SOURCE_EN[used.source]} ({used.shown}) "
                f"/ 报告期无法识别，按{_SOURCE_ZH[used.source]}确定月份",
            )  # fmt: skip
        problem = _span_problem(s, used.shown)
        if problem:
            self.err(used.row, used.column, problem)
            return None
        sheet.period_row, sheet.period_column = used.row, used.column
        for other in found[1:]:
            o = other.span
            if (o.year, o.end) != (s.year, s.end):
                self.warn(
                    used.row, used.column,
                    f"the {_SOURCE_EN[used.source]} says {s.year}-{s.end:02d} ({used.shown}) but the "
                    f"{_SOURCE_EN[other.source]} says {o.year}-{o.end:02d} ({other.shown}); "
                    f"{s.year}-{s.end:02d} is used / {_SOURCE_ZH[used.source]}与{_SOURCE_ZH[other.source]}"
                    f"不一致，按{s.year}年{s.end}月读取",
                )  # fmt: skip
        return Period(s.year, s.end)

    # -- energy rows ---------------------------------------------------------------------

    def _rows(self, sheet: _Sheet, header: _Header, params: dict[str, float | None]) -> None:
        roles = header.roles
        name_col = roles["name"]
        letters = sheet.letters
        seen: dict[str, _EnergyRow] = {}
        by_field: dict[str, _EnergyRow] = {}
        converted: set[str] = set()  # rows converted to heat (蒸汽, 热水)
        for i in range(header.first_data, len(self.rows)):
            row = self.rows[i]
            r = i + 1
            if all(_blank(v) for v in row):
                continue
            first_text = next((_text(v) for v in row if not _blank(v)), "")
            if any(m in first_text for m in FOOTER_MARKERS):
                break
            name_cell = _cell(row, name_col)
            if _blank(name_cell):
                if _is_column_number_row(row, name_col):
                    continue
                used = [roles[k] for k in NUMBER_ROLES if k in roles]
                if any(not _blank(_cell(row, j)) for j in used):
                    self.warn(
                        r,
                        letters["name"],
                        "row has figures but no 能源名称; skipped / 该行有数据但无能源名称，已跳过",
                    )
                continue
            label = " ".join(str(name_cell).split())
            name, bracket_unit = _energy_name(label)
            if name.lower() in ("甲", "a") or "能源名称" in name:
                continue  # the column-number row, or the header repeated
            if name.startswith(("注", "说明")):
                break
            unit_cell = _cell(row, roles.get("unit"))
            unit_text = _text(unit_cell) if isinstance(unit_cell, str) else ""
            code = _code(_cell(row, roles.get("code")))
            if is_total_label(name) or (code == TOTAL_CODE and unit_text.lower() in TCE_UNITS):
                stated = figure(_cell(row, roles["total"]))
                energy_total = "能源合计" in name or code == TOTAL_CODE
                if stated is not None and sheet.stated_tce is None and energy_total:
                    sheet.stated_tce = (r, stated)
                continue
            if sheet.first_row == 0:
                sheet.first_row = r
            self.rows_read += 1
            key = ENERGY_FIELDS.get(_fold(name)) or alias_key(name)
            factor: Decimal | None = None
            if key is None:
                special = special_row(name, unit_text or bracket_unit, params)
                total, problem = checked_figure(_cell(row, roles["total"]), label)
                if special is None or special.factor is None:
                    coefs = coefficient(_cell(row, roles.get("coef")), _cell(row, roles.get("ref_coef")),
                                        label, r, letters, self.warn)  # fmt: skip
                    sheet.others.append(Other(total, coefs[0] if coefs[0] is not None else coefs[1],
                                              is_sub_label(label)))  # fmt: skip
                if special is None:
                    self._unknown(row, r, label, unit_text, roles, letters)
                    continue
                if special.factor is None:
                    if problem is not None and special.refuse is not None:
                        self.err(r, letters["total"], problem)
                    elif total and special.refuse:
                        self.err(r, letters["total"], special.refuse)
                    continue
                key, factor = "heat", special.factor
            er = self._energy_row(row, r, label, name, key, unit_cell, bracket_unit, roles, letters, factor)
            if er is None:
                continue
            if name in seen:
                self.err(
                    r, letters["name"],
                    f"energy {name!r} is given twice, in rows {seen[name].row} and {r} "
                    f"/ 能源品种“{name}”重复（第{seen[name].row}行和第{r}行）",
                )  # fmt: skip
                continue
            seen[name] = er
            other = by_field.get(key)
            if factor is not None:
                converted.add(name)  # steam / hot water: heat beside 热力, unless its 其中 row
            summed = (key in SUMMED_ROWS and {name, other.name} <= SUMMED_ROWS[key]) if other else False
            if other is not None and key == "heat" and {name, other.name} & converted:
                summed = not is_sub_label(label)
            if other is not None and not (summed and name != other.name):
                self.warn(
                    r, letters["name"],
                    f"{label!r} is a breakdown of {other.label!r} (row {other.row}, same field {key}); "
                    f"not added again / “{label}”属于第{other.row}行“{other.label}”的细分，不重复计入",
                )  # fmt: skip
                er.counted = False
                er.breakdown = True
            else:
                by_field.setdefault(key, er)
            sheet.rows.append(er)
            self.columns.append(
                ColumnMapping(
                    self.name,
                    letters["total"],
                    label,
                    key,
                    er.unit,
                    float(er.factor),
                    row=r,
                    period=None if sheet.period is None else str(sheet.period),
                    note=None if factor is None else "steam/hot water converted to heat (GJ per unit)",
                )  # fmt: skip
            )

    def _unknown(
        self,
        row: Sequence[Any],
        r: int,
        label: str,
        unit_text: str,
        roles: dict[str, int],
        letters: dict[str, str],
    ) -> None:
        v = _cell(row, roles["total"])
        try:
            x, _ = read_number(v, label)
        except CellProblem:
            x = None
            if not _blank(v):
                self.warn(
                    r, letters["total"],
                    f"{label!r} is not an energy the carbon account records and its 消费量合计 "
                    f"{v!r} is not a number; row not imported / “{label}”不属于碳账户核算的能源品种，未导入",
                )  # fmt: skip
                return
        if x:
            unit = f" {unit_text}" if unit_text else ""
            self.warn(
                r, letters["total"],
                f"{label!r} has consumption {_fmt(_dec(x))}{unit} but is not an energy the carbon account "
                f"records; not imported / “{label}”有消费量，但不属于碳账户核算的能源品种，未导入",
            )  # fmt: skip

    def _energy_row(
        self,
        row: Sequence[Any],
        r: int,
        label: str,
        name: str,
        key: str,
        unit_cell: Any,
        bracket_unit: str | None,
        roles: dict[str, int],
        letters: dict[str, str],
        converted: Decimal | None = None,
    ) -> _EnergyRow | None:
        """One energy row; ``converted`` is the factor of a row converted to heat (steam in
        吨: GJ per tonne), whose unit is then not the field's."""
        f = FIELD_BY_KEY[key]
        dim = f.dimension
        unit_letter = letters.get("unit", letters["name"])
        if isinstance(unit_cell, str) and unit_cell.strip():
            unit = " ".join(unit_cell.split())
        elif not _blank(unit_cell):
            self.err(
                r, unit_letter,
                f"{label}: 计量单位 {unit_cell!r} is not a unit; accepted units: {UNIT_EXAMPLES[dim]} "
                "/ 计量单位无效",
            )  # fmt: skip
            return None
        elif bracket_unit is not None:
            unit = bracket_unit
        else:
            unit = FORM_UNIT[dim]
            self.warn(
                r, unit_letter,
                f"{label}: 计量单位 is blank; read as {unit} (the 205-1 unit) / 计量单位为空，按{unit}读取",
            )  # fmt: skip
        try:
            factor = converted if converted is not None else _dec(unit_factor(unit, dim))
        except KeyError as exc:
            hint = f"; {UNIT_HINTS[key]}" if key in UNIT_HINTS else ""
            self.err(r, unit_letter, f"{label}: {exc.args[0]}; accepted units: {UNIT_EXAMPLES[dim]}{hint}")
            return None
        er = _EnergyRow(r, label, name, key, unit, factor)
        er.coef, er.ref_coef = coefficient(
            _cell(row, roles.get("coef")), _cell(row, roles.get("ref_coef")), label, r, letters, self.warn
        )
        got: dict[str, Decimal | None] = {}
        for role in NUMBER_ROLES:
            j = roles.get(role)
            if j is None:
                continue
            v = _cell(row, j)
            try:
                x, _ = read_number(v, f"{label} {ROLE_LABEL[role]}")
            except CellProblem as exc:
                self.err(r, letters[role], str(exc))
                er.ok = False
                continue
            got[role] = None if x is None else _dec(x)
        if not er.ok:
            return er

        def val(role: str) -> Decimal:
            return got.get(role) or _ZERO

        er.total = val("total")
        er.feedstock = val("feedstock")
        if er.feedstock > er.total:
            self.err(
                r, letters["feedstock"],
                f"{label}: 用于原材料 ({_fmt(er.feedstock)}) is more than 消费量合计 ({_fmt(er.total)}); "
                f"feedstock is part of consumption / {label}用于原材料不能大于消费量合计",
            )  # fmt: skip
            er.ok = False
            return er
        self._balance(er, got, letters, dim)
        return er

    def _balance(
        self, er: _EnergyRow, got: dict[str, Decimal | None], letters: dict[str, str], dim: Dimension
    ) -> None:
        """Warnings: 合计 = 工业生产消费 + 非工业生产消费, and 期末 = 期初 + 购进 − 合计."""
        f = {k: _fmt(v) for k, v in got.items() if v is not None}
        label, total = er.label, _fmt(er.total)

        def val(role: str) -> Decimal:
            return got.get(role) or _ZERO

        split = ("industrial", "non_industrial")
        if any(got.get(k) is not None for k in split):
            parts = val("industrial") + val("non_industrial")
            if not _close(er.total, parts):
                message = (
                    f"{label}: 消费量合计 ({total}) differs from 工业生产消费 ({f.get('industrial', 0)}) + "
                    f"非工业生产消费 ({f.get('non_industrial', 0)}) = {_fmt(parts)} "
                    f"/ {label}消费量合计不等于工业生产消费与非工业生产消费之和"
                )
                self.warn(er.row, letters["total"], message)
        stock = ("opening", "purchase", "closing")
        if (
            dim not in NO_STOCK
            and all(k in letters for k in stock)
            and any(got.get(k) is not None for k in stock)
        ):
            expected = val("opening") + val("purchase") - er.total
            if not _close(val("closing"), expected):
                message = (
                    f"{label}: 期末库存量 ({f.get('closing', 0)}) differs from 期初库存量 "
                    f"({f.get('opening', 0)}) + 购进量 ({f.get('purchase', 0)}) − 消费量合计 ({total}) = "
                    f"{_fmt(expected)} / {label}期末库存量不等于期初库存量加购进量减消费量"
                )
                self.warn(er.row, letters["closing"], message)

    # -- coal breakdown ------------------------------------------------------------------

    def _coal(self, sheet: _Sheet) -> None:
        for parent, children in BREAKDOWN.items():
            kids = [r for r in sheet.rows if r.field in children and r.ok]
            filled = [r for r in kids if r.total > 0]
            parents = [r for r in sheet.rows if r.field == parent]
            if filled:
                sheet.coal_mode[parent] = "breakdown"
                for p in parents:
                    p.counted = False
                    if p.ok and p.total > 0:
                        s = sum((k.total_c for k in kids if k.counted), _ZERO)
                        if not _close(p.total_c, s):
                            self.warn(
                                p.row, sheet.letters["total"],
                                f"{p.label} ({_fmt(p.total_c)} {FIELD_BY_KEY[parent].unit}) differs from the "
                                f"sum of its breakdown ({_fmt(s)}); the breakdown is used "
                                f"/ {p.label}不等于其分品种之和，按分品种计算",
                            )  # fmt: skip
            elif any(p.total > 0 for p in parents if p.ok):
                sheet.coal_mode[parent] = "parent"
            else:
                sheet.coal_mode[parent] = None


def _code(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):02d}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:02d}"
    return _text(v)


_USCC_IN_TEXT = re.compile(r"统一社会信用代码[^0-9A-Za-z]*([0-9A-Za-z]{18})(?![0-9A-Za-z])")


def _uscc_in_text(above: Sequence[Sequence[Any]]) -> tuple[str, int, int] | None:
    """'统一社会信用代码 9133…' without a colon, anywhere above the table."""
    for i, row in enumerate(above):
        for j, v in enumerate(row):
            m = _USCC_IN_TEXT.search(_text(v))
            if m:
                return m.group(1), i + 1, j
    return None


def _joined_code(above: Sequence[Sequence[Any]], bv: BlockValue) -> Any:
    """A USCC typed one character per cell (the form's boxes) joined; else the value as is."""
    v = bv.value
    if not isinstance(v, str | int | float) or isinstance(v, bool):
        return v
    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    if len(text) >= 18 or len(text) > 2:
        return v
    row = above[bv.row - 1] if 0 < bv.row <= len(above) else []
    parts = [text]
    for c in row[bv.column + 1 :]:
        if _blank(c):
            continue
        t = str(int(c)) if isinstance(c, float) and c.is_integer() else str(c).strip()
        if len(t) > 2 or sum(map(len, parts)) >= 18:
            break
        parts.append(t)
    joined = "".join(parts)
    return joined if len(joined) == 18 else v


# ---------------------------------------------------------------------------------------
# The file


@dataclass
class _Enterprise:
    uscc: str
    name: _Ident
    industry: _Ident
    region: _Ident
    sheet: str


def _check_enterprises(
    sheets: list[_Sheet], errors: list[CellError], warnings: list[CellError]
) -> dict[str, _Enterprise]:
    """Each USCC's name, industry and region, from its first sheet that gives them; a
    different industry or region on a later sheet is an error, a different name a warning."""
    out: dict[str, _Enterprise] = {}
    for s in sheets:
        uscc = s.uscc.value
        if uscc is None:
            continue
        ent = out.get(uscc)
        if ent is None:
            out[uscc] = _Enterprise(uscc, s.ent_name, s.industry, s.region, s.name)
            continue
        for attr, en, zh in _CONSISTENT:
            mine: _Ident = getattr(s, attr)
            theirs: _Ident = getattr(ent, attr)
            if mine.value is None:
                continue
            if theirs.value is None:
                setattr(ent, attr, mine)
            elif mine.value != theirs.value:
                message = (
                    f"{en} {mine.value!r} differs from {theirs.value!r} on sheet '{ent.sheet}' for the "
                    f"same USCC {uscc} / 同一统一社会信用代码的{zh}与工作表“{ent.sheet}”不一致"
                )
                errors.append(CellError(s.name, mine.row, mine.column, message))
        mine = s.ent_name
        if mine.value is None:
            continue
        if ent.name.value is None:
            ent.name = mine
        elif unicodedata.normalize("NFKC", mine.value) != unicodedata.normalize("NFKC", ent.name.value):
            message = (
                f"name {mine.value!r} differs from {ent.name.value!r} on sheet '{ent.sheet}' for the same "
                f"USCC {uscc}; {ent.name.value!r} is used "
                f"/ 同一统一社会信用代码的企业名称不一致，按工作表“{ent.sheet}”的名称"
            )
            warnings.append(CellError(s.name, mine.row, mine.column, message))
    return out


_CONSISTENT = (("industry", "industry code", "行业代码"), ("region", "region code", "行政区划代码"))


def _mode_switches(p: _Sheet, c: _Sheet, errors: list[CellError]) -> set[str]:
    """Errors where a parent (原煤) and its breakdown swap between two sheets; the names of
    the rows involved, whose cumulative comparison is then moot."""
    moot: set[str] = set()
    for parent, mode in c.coal_mode.items():
        before = p.coal_mode.get(parent)
        if mode is None or before is None or mode == before:
            continue
        zh = FIELD_BY_KEY[parent].name_zh
        kids = "/".join(n for n, k in _NAMES_205.items() if k in BREAKDOWN[parent])
        given = {"parent": zh, "breakdown": f"its breakdown ({kids})"}
        family = (parent, *BREAKDOWN[parent])
        first = next((r for r in c.rows if r.field in family and r.counted and r.ok and r.total > 0), None)
        message = (
            f"{zh} is given as {given[before]} on sheet '{p.name}' but as {given[mode]} on sheet "
            f"'{c.name}'; the cumulative figures of one year must use the same rows "
            f"/ 同一年度各月的{zh}应按相同品种填报（{zh}或其分品种）"
        )
        errors.append(CellError(c.name, first.row if first else None, c.letters["total"], message))
        moot.update(r.name for r in (*p.rows, *c.rows) if r.field in family)
    return moot


def _compare(p: _Sheet, c: _Sheet, errors: list[CellError]) -> None:
    """Errors where sheet ``c``'s cumulative figures go below those of ``p``, the previous
    sheet in the file of the same enterprise and year."""
    assert p.period is not None and c.period is not None
    p_en, p_zh = _span(p.period)
    c_en, c_zh = _span(c.period)
    total_l = c.letters["total"]
    feed_l = c.letters.get("feedstock")
    moot = _mode_switches(p, c, errors)
    pc, cc = p.counted(), c.counted()
    p_all, c_all = p.by_name(), c.by_name()
    for name in [*pc, *(n for n in cc if n not in pc)]:
        pr, cr = p_all.get(name), c_all.get(name)
        if name in moot or (pr is not None and not pr.ok) or (cr is not None and not cr.ok):
            continue
        if cr is None:
            if pr is not None and pr.total > 0:
                was = f"{_fmt(pr.total)} {pr.unit}"
                message = (
                    f"sheet '{c.name}' has no row for {pr.label}, but its cumulative consumption {p_en} "
                    f"on sheet '{p.name}' is {was}; cumulative figures cannot decrease "
                    f"/ 工作表“{c.name}”缺少{pr.label}行，而工作表“{p.name}”的{p_zh}累计消费量为{was}"
                )
                errors.append(CellError(c.name, None, total_l, message))
            continue
        label = cr.label
        p_tot = pr.total_c if pr else _ZERO
        p_feed = pr.feedstock_c if pr else _ZERO
        now = f"{_fmt(cr.total)} {cr.unit}"
        was = f"{_fmt(pr.total)} {pr.unit}" if pr else "0"
        if cr.total_c < p_tot:
            message = (
                f"{label} cumulative consumption {c_en} ({now}) is less than {p_en} ({was}) on sheet "
                f"'{p.name}'; cumulative figures cannot decrease / {label}{c_zh}累计消费量（{now}）"
                f"小于工作表“{p.name}”的{p_zh}累计（{was}），累计消费量不能小于上月累计"
            )
            errors.append(CellError(c.name, cr.row, total_l, message))
            continue
        if feed_l is None:
            continue
        if cr.feedstock_c < p_feed:
            now = f"{_fmt(cr.feedstock)} {cr.unit}"
            was = f"{_fmt(pr.feedstock)} {pr.unit}" if pr else "0"
            message = (
                f"{label} cumulative 用于原材料 (feedstock) {c_en} ({now}) is less than {p_en} ({was}) on "
                f"sheet '{p.name}'; cumulative figures cannot decrease / {label}{c_zh}累计用于原材料（{now}）"
                f"小于工作表“{p.name}”的{p_zh}累计（{was}），累计数不能小于上月累计"
            )
            errors.append(CellError(c.name, cr.row, feed_l, message))
        elif cr.feedstock_c - p_feed > cr.total_c - p_tot:
            unit = FIELD_BY_KEY[cr.field].unit
            added = f"{_fmt(cr.feedstock_c - p_feed)} > {_fmt(cr.total_c - p_tot)} {unit}"
            message = (
                f"{label}: the 用于原材料 (feedstock) added since {p_en} is more than the consumption added "
                f"({added}) / {label}本期新增用于原材料大于新增消费量"
            )
            errors.append(CellError(c.name, cr.row, feed_l, message))


def _base_only(s: _Sheet, prev: _Sheet | None) -> CellError:
    """The warning for a sheet whose previous month is not in the file."""
    assert s.period is not None
    en, zh = _span(s.period)
    month = s.period.month
    if prev is None or prev.period is None:
        message = (
            f"sheet '{s.name}' is cumulative {en} and the earlier months are not in the file; it is used "
            f"only as the base for later months (no record for {s.period}) / 工作表“{s.name}”为{zh}累计数，"
            f"文件中没有之前月份的表，仅作为以后月份的基数，不导入{month}月数据"
        )
    else:
        missing = ", ".join(f"{s.period.year}-{k:02d}" for k in range(prev.period.month + 1, month))
        message = (
            f"sheet '{s.name}' is cumulative {en} but {missing} is not in the file, so {s.period} cannot be "
            f"separated from it; the sheet is used only as the base for later months (no record for "
            f"{s.period}) / 工作表“{s.name}”为{zh}累计数，文件中缺少{missing}，无法拆分出{month}月数据，"
            "仅作为以后月份的基数"
        )
    return CellError(s.name, s.period_row, s.period_column, message)


def _monthly(
    group: list[_Sheet], ent: _Enterprise, errors: list[CellError], warnings: list[CellError]
) -> list[tuple[int, MonthlyRecord]]:
    """The records of one enterprise-year: its sheets' cumulative figures differenced."""
    group.sort(key=lambda s: (s.ordinal, s.order))
    out: list[tuple[int, MonthlyRecord]] = []
    prev: _Sheet | None = None
    for s in group:
        assert s.period is not None
        if prev is not None and prev.period == s.period:
            message = (
                f"sheet '{s.name}' reports {s.period} for USCC {ent.uscc}, like sheet '{prev.name}' "
                f"/ 工作表“{s.name}”与工作表“{prev.name}”为同一企业同一报告期"
            )
            errors.append(CellError(s.name, s.period_row, s.period_column, message))
            continue
        if prev is not None:
            _compare(prev, s, errors)
        month = s.period.month
        if month == 1 or (prev is not None and prev.ordinal == s.ordinal - 1):
            cum = s.cumulative()
            if not cum:  # only energies the account does not record: nothing to store
                prev = s
                continue
            base = prev.cumulative() if month > 1 and prev is not None else {}
            values: dict[str, float | None] = {
                k: float(max(v - base.get(k, _ZERO), _ZERO)) for k, v in cum.items()
            }
            base_feed = cumulative_feedstock(prev.rows) if month > 1 and prev is not None else {}
            record = MonthlyRecord(
                ent.uscc, s.period, values, s.name, s.first_row,
                ent.name.value, ent.industry.value, ent.region.value,
                feedstock=(
                    feedstock(cumulative_feedstock(s.rows), base_feed) if "feedstock" in s.letters else None
                ),
                tce_coefficients=coefficients(s.rows) if "coef" in s.letters else None,
            )  # fmt: skip
            out.append((s.order, record))
        else:
            warnings.append(_base_only(s, prev))
        prev = s
    return out


def read_205(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]], filename: str) -> ParsedFile:
    """sheets: (sheet name, every row of the sheet from Excel row 1, each row's cells from column A)
    for the sheets that looks_like_205 accepted, in workbook order. Cells are as python-calamine
    gives them: float, int, str ('' for blank), bool, datetime.date/datetime. Never raises on bad
    input.

    One record per enterprise-month that is January or whose previous month is in the file,
    the cumulative figures differenced; the module docstring has every rule. With any error
    no records are returned (the file is refused whole).
    """
    errors: list[CellError] = []
    warnings: list[CellError] = []
    columns: list[ColumnMapping] = []
    parsed: list[_Sheet] = []
    rows_read = 0
    if not sheets:
        errors.append(CellError("", None, None, f"'{filename}' has no 205-1 sheet / 文件中没有205-1表"))
    for order, (name, rows) in enumerate(sheets):
        reader = _SheetReader(name, order, rows)
        try:
            sheet = reader.read()
        except Exception as exc:  # noqa: BLE001 - never raise on bad input; blame the sheet
            message = (
                f"sheet '{name}' could not be read as a 205-1 return ({type(exc).__name__}: {exc}) "
                "/ 无法按205-1表读取该工作表"
            )
            errors.append(CellError(name, None, None, message))
            continue
        errors.extend(reader.errors)
        warnings.extend(reader.warnings)
        columns.extend(reader.columns)
        rows_read += reader.rows_read
        if sheet is not None:
            parsed.append(sheet)

    enterprises = _check_enterprises(parsed, errors, warnings)
    series: dict[tuple[str, int], list[_Sheet]] = {}
    for s in parsed:
        if s.uscc.value is not None and s.period is not None:
            series.setdefault((s.uscc.value, s.period.year), []).append(s)
    records: list[tuple[int, MonthlyRecord]] = []
    for (uscc, _year), group in series.items():
        records.extend(_monthly(group, enterprises[uscc], errors, warnings))
    out = [] if errors else [r for _, r in sorted(records, key=lambda x: x[0])]
    return ParsedFile(
        records=out,
        errors=errors,
        warnings=warnings,
        columns=columns,
        rows_read=rows_read,
        accepted=len(out),
    )
