"""Messy workbooks as enterprises and statistics offices keep them (DESIGN §6.2), from template rows.

Each layout function takes clean template rows (dicts: ``uscc``, ``name``, ``industry_code``,
``region_code``, ``month`` ``YYYY-MM`` and quantity keys of ``carbon.domain.quantities.FIELDS``
in template units) and a ``random.Random``, and returns ``(xlsx_bytes, description)``. The same
rows and seed give byte-identical files; the description says which variant was drawn (sheet,
column and unit choices, the deliberately wrong subtotal if any), for failure messages.

- ``register_layout``: statistics-office register, one row per enterprise-month, a sheet per
  region, title rows, one- or two-row headers, synonyms, units, 小计/合计 rows, text numbers.
- ``ledger_layout``: an enterprise's own ledger, months as columns, one sheet per enterprise
  and year, an enterprise header block (企业名称：… 统一社会信用代码：… 年份：2023).
- ``english_layout``: the register with English headers and months as date cells.
- ``clean_totals``: what any of them must import to, summed per (USCC, year) in TEMPLATE units.

Whatever unit a column is written in, the value is the template value times an exact factor
(rounded to 12 significant digits), so ``cell × unit_factor(unit)`` gives the canonical value
within 1e-12 relative. USCCs, industry and region codes are always text cells; numeric cells are
finite and non-negative.

``python tests/messy_layouts.py`` writes one example of each layout for the sample data to
/tmp/messy_examples/ and checks, with openpyxl and without the importer, that the cells hold
what the generator meant (headers resolve with ``importers.layout.match_header`` to the right
field and unit, data cells sum to ``clean_totals``, 小计/合计 cells are the sums they claim).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import sys
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from carbon.domain.quantities import (  # noqa: E402
    ECONOMIC_KEYS,
    FIELD_BY_KEY,
    FIELD_KEYS,
    FIELDS,
    Dimension,
    Kind,
)

Row = Mapping[str, Any]

# ---------------------------------------------------------------------------------------------
# Vocabulary: header names, units, labels. Every spelling here is one the importer's tables
# know (the self-check asserts it with importers.layout.match_header and quantities.unit_factor).
# ---------------------------------------------------------------------------------------------

IDENTITY_KEYS = ("uscc", "name", "industry_code", "region_code", "month")

# Identity column headers: the first is the official one, the others synonyms.
IDENTITY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "统一社会信用代码(18位)"),
        "name": ("企业名称", "单位名称", "单位详细名称", "公司名称"),
        "industry_code": ("行业代码", "国民经济行业代码", "行业分类代码"),
        "region_code": ("行政区划代码", "区划代码", "地区代码"),
        "month": ("月份", "统计期", "年月", "报告期"),
    },
    "en": {
        "uscc": ("USCC", "Unified social credit code", "Credit code"),
        "name": ("Name", "Enterprise name", "Company name"),
        "industry_code": ("Industry code", "GB/T 4754 code"),
        "region_code": ("Region code", "Administrative region code"),
        "month": ("Month", "Period", "Reporting period"),
    },
}


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Quantity names per language: the field's own name first, then its synonyms in that language
# (synonyms with brackets are left out: the unit goes in the brackets).
QUANTITY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {f.key: (f.name_zh, *(s for s in f.synonyms if _is_cjk(s) and "(" not in s)) for f in FIELDS},
    "en": {f.key: (f.name_en, *(s for s in f.synonyms if not _is_cjk(s) and "(" not in s)) for f in FIELDS},
}

# Units per dimension and language: (spelling, multiplier from the template unit). The template
# unit comes first. Written value = template value × multiplier.
UNIT_CHOICES: dict[Dimension, dict[str, tuple[tuple[str, float], ...]]] = {
    Dimension.ELECTRICITY: {
        "zh": (("万千瓦时", 1.0), ("MWh", 10.0), ("kWh", 10000.0), ("千瓦时", 10000.0), ("亿千瓦时", 1e-4)),
        "en": (("10^4 kWh", 1.0), ("MWh", 10.0), ("kWh", 10000.0), ("10^8 kWh", 1e-4)),
    },
    Dimension.MASS: {
        "zh": (("吨", 1.0), ("t", 1.0), ("kg", 1000.0), ("千克", 1000.0), ("万吨", 1e-4)),
        "en": (("t", 1.0), ("kg", 1000.0), ("10^4 t", 1e-4)),
    },
    Dimension.GAS_VOLUME: {
        "zh": (("万立方米", 1.0), ("万m³", 1.0), ("10⁴m³", 1.0), ("立方米", 10000.0), ("m³", 10000.0)),
        "en": (("10^4 Nm3", 1.0), ("10^4 m3", 1.0), ("m3", 10000.0), ("Nm3", 10000.0)),
    },
    Dimension.HEAT: {
        "zh": (("吉焦", 1.0), ("GJ", 1.0), ("百万千焦", 1.0), ("MJ", 1000.0)),
        "en": (("GJ", 1.0), ("MJ", 1000.0)),
    },
    Dimension.CO2: {
        "zh": (("吨二氧化碳", 1.0), ("吨CO2", 1.0), ("tCO2", 1.0), ("kgCO2", 1000.0)),
        "en": (("tCO2", 1.0), ("t CO2", 1.0), ("kgCO2", 1000.0)),
    },
    Dimension.MONEY: {
        "zh": (("万元", 1.0), ("元", 10000.0), ("千元", 10.0)),
        "en": (("10^4 CNY", 1.0), ("CNY", 10000.0), ("thousand CNY", 10.0)),
    },
}

COUNTY_NAMES: dict[str, tuple[str, str]] = {
    "330802": ("柯城区", "Kecheng"),
    "330803": ("衢江区", "Qujiang"),
    "330822": ("常山县", "Changshan"),
    "330824": ("开化县", "Kaihua"),
    "330825": ("龙游县", "Longyou"),
    "330881": ("江山市", "Jiangshan"),
}

PEOPLE_ZH = ("张三", "李四", "王芳", "刘伟", "陈静", "杨洋", "赵磊", "周敏")
PEOPLE_EN = ("Zhang San", "Li Si", "Wang Fang", "Liu Wei", "Chen Jing", "Zhou Min")

_LANG: dict[str, dict[str, Any]] = {
    "zh": {
        "groups": {
            "id": ("企业基本情况", "基本信息", "企业信息"),
            "energy": ("能源消费量", "能源消费", "分品种能源消费量"),
            "economic": ("经济指标", "主要经济指标"),
        },
        "extras": {
            "seq": "序号",
            "remark": "备注",
            "contact": "联系人",
            "phone": "联系电话",
            "filed": "填报日期",
        },
        "remarks": ("新投产", "停产检修", "数据已核实", "含自备电厂", "—"),
        "subtotal": ("小计", "小 计", "{name}小计", "企业小计"),
        "total": ("合计", "合 计", "总计", "全市合计"),
        "notes_sheet": "填表说明",
        "notes": (
            ("填表说明",),
            ("1. 本表由规模以上工业企业按月填报，统计局汇总。",),
            ("2. 能源消费量按实物量填写，计量单位见表头。",),
            ("3. 小计、合计行由系统生成，请勿修改。",),
            ("4. 统一社会信用代码为18位，行业代码按GB/T 4754-2017填写。",),
        ),
        "empty_sheets": ("Sheet1", "Sheet3", "空白"),
    },
    "en": {
        "groups": {
            "id": ("Enterprise information", "Basic information"),
            "energy": ("Energy consumption", "Energy use by carrier"),
            "economic": ("Economic indicators", "Economic data"),
        },
        "extras": {
            "seq": "No.",
            "remark": "Remarks",
            "contact": "Contact",
            "phone": "Phone",
            "filed": "Date filed",
        },
        "remarks": ("new plant", "maintenance shutdown", "verified", "—"),
        "subtotal": ("Subtotal", "Sub total", "subtotal"),
        "total": ("Total", "Grand total", "TOTAL"),
        "notes_sheet": "Notes",
        "notes": (
            ("Notes",),
            ("1. Filed monthly by industrial enterprises above designated size.",),
            ("2. Energy in physical units; see the column headers for units.",),
            ("3. Subtotal and total rows are generated; do not edit them.",),
        ),
        "empty_sheets": ("Sheet1", "Sheet3"),
    },
}

# Rough tce per template unit, only for the 能源合计 / 综合能源消费量 rows (not inputs).
_TCE: dict[str, float] = {
    "electricity": 1.229,
    "heat": 0.03412,
    "natural_gas": 12.143,
    "raw_coal": 0.7143,
    "bituminous_coal": 0.7143,
    "anthracite": 0.9,
    "diesel": 1.4571,
    "gasoline": 1.4714,
    "fuel_oil": 1.4286,
    "lpg": 1.7143,
    "coke": 0.9714,
    "process_co2": 0.0,
}
_NOT_ENERGY_USE = {"electricity_exported", "electricity_green", "process_co2"}

_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_FIXED_ISO = "2024-01-01T00:00:00Z"


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
# Register layout (one row per enterprise-month; zh and en)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Col:
    kind: str  # "id" | "qty" | "extra"
    key: str  # identity key, field key, or extra id (seq, remark, contact, phone, filed)
    name: str  # header text without unit
    unit: str | None = None
    mult: float = 1.0
    group: str = "extra"  # "id" | "energy" | "economic" | "extra"

    def header(self, brackets: tuple[str, str], prefix: str) -> str:
        if self.unit is None:
            return self.name
        return f"{self.name}{brackets[0]}{prefix}{self.unit}{brackets[1]}"


def _pick_unit(dim: Dimension, lang: str, rng: random.Random) -> tuple[str, float]:
    choices = UNIT_CHOICES[dim][lang]
    if rng.random() < 0.4:
        return choices[0]
    return rng.choice(choices)


def _pick_name(options: Sequence[str], rng: random.Random, p_synonym: float = 0.3) -> str:
    if len(options) > 1 and rng.random() < p_synonym:
        return rng.choice(options[1:])
    return options[0]


def _month_cell(
    month: str, style: str, lang: str, month_end: bool
) -> tuple[Any, str | None]:  # (value, number format)
    y, m = int(month[:4]), int(month[5:7])
    if style == "iso":
        return f"{y}-{m:02d}", None
    if style == "cn":
        return f"{y}年{m}月", None
    if style == "slash":
        return f"{y}/{m}", None
    if style == "slash0":
        return f"{y}/{m:02d}", None
    if style == "int":
        return y * 100 + m, "0"
    day = 1
    if month_end:
        nxt = dt.date(y + m // 12, m % 12 + 1, 1)
        day = (nxt - dt.timedelta(days=1)).day
    fmt = "yyyy-mm" if lang == "zh" else "mmm yyyy"
    if style == "date_cn":
        fmt = 'yyyy"年"m"月"'
    elif style == "date_full":
        fmt = "yyyy-mm-dd"
    return dt.datetime(y, m, day), fmt


MONTH_STYLES_ZH = ("iso", "cn", "slash", "slash0", "date", "date_cn", "int")
MONTH_STYLES_EN = ("date", "date_full")


def _years_text(rows: Sequence[Row]) -> tuple[int, int]:
    ys = sorted({int(r["month"][:4]) for r in rows})
    return ys[0], ys[-1]


def register_layout(
    rows: Sequence[Row],
    rng: random.Random,
    *,
    text_fraction: float = 0.05,
    subtotals: bool | None = None,
    blank_subtotal_cells: bool | None = None,
    bad_subtotal: bool = False,
    blank_rows: tuple[int, int] = (0, 3),
) -> tuple[bytes, str]:
    """Statistics-office register: a sheet per region, one row per enterprise-month.

    ``subtotals`` None = drawn (70 % on); ``blank_subtotal_cells`` None = drawn (30 %);
    ``bad_subtotal`` makes one 小计 cell 10 % too large (forces subtotals on).
    """
    book = _register(
        rows, rng, "zh", text_fraction, subtotals, blank_subtotal_cells, bad_subtotal, blank_rows
    )
    return book.to_bytes(), book.description()


def english_layout(
    rows: Sequence[Row],
    rng: random.Random,
    *,
    text_fraction: float = 0.05,
    subtotals: bool | None = None,
    blank_subtotal_cells: bool | None = None,
    bad_subtotal: bool = False,
    blank_rows: tuple[int, int] = (0, 3),
) -> tuple[bytes, str]:
    """The register with English title, headers, units and labels; months are date cells."""
    book = _register(
        rows, rng, "en", text_fraction, subtotals, blank_subtotal_cells, bad_subtotal, blank_rows
    )
    return book.to_bytes(), book.description()


def _group_rows(rows: Sequence[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _register(
    rows: Sequence[Row],
    rng: random.Random,
    lang: str,
    text_fraction: float,
    subtotals: bool | None,
    blank_subtotal_cells: bool | None,
    bad_subtotal: bool,
    blank_rows: tuple[int, int],
) -> _Book:
    if not rows:
        raise ValueError("no rows")
    L = _LANG[lang]
    book = _Book("english" if lang == "en" else "register")
    numbers = _Numbers(rng, text_fraction)
    present = [k for k in FIELD_KEYS if any(r.get(k) is not None for r in rows)]
    absent_energy = [k for k in FIELD_KEYS if k not in present and k not in ECONOMIC_KEYS]
    blank_cols = rng.sample(absent_energy, min(len(absent_energy), rng.randint(0, 2)))
    qty_keys = [k for k in FIELD_KEYS if k in present or k in blank_cols]
    header_style = rng.choice(("single", "grouped", "split"))
    if subtotals is None:
        subtotals = rng.random() < 0.7
    if bad_subtotal:
        subtotals = True
    if blank_subtotal_cells is None:
        blank_subtotal_cells = rng.random() < 0.3
    extras = [e for e, p in (("seq", 0.8), ("remark", 0.6), ("contact", 0.4), ("phone", 0.3), ("filed", 0.4))
              if rng.random() < p]  # fmt: skip
    naming = rng.choice(("county", "code", "both"))
    book.notes.append(f"header {header_style}")
    book.notes.append(f"quantity columns {qty_keys} (all blank: {blank_cols})")
    book.notes.append(f"extra columns {[L['extras'][e] for e in extras]}")
    book.notes.append(
        f"小计 rows: {subtotals}" + (f" (some cells blank: {blank_subtotal_cells})" if subtotals else "")
    )

    sheets: list[_Sheet] = []
    regions = _group_rows(rows, "region_code")
    codes = list(regions)
    if rng.random() < 0.5:
        codes.sort()
    for code in codes:
        zh_name, en_name = COUNTY_NAMES.get(code, (code, code))
        county = zh_name if lang == "zh" else en_name
        name = {
            "county": county,
            "code": code,
            "both": f"{code}{county}" if lang == "zh" else f"{code} {county}",
        }[naming]
        s = _Sheet(name)
        cols, first = _register_sheet(
            book, s, regions[code], rng, lang, qty_keys, extras, header_style, county
        )
        _register_data(
            book,
            s,
            cols,
            first,
            regions[code],
            rng,
            lang,
            subtotals,
            blank_subtotal_cells,
            blank_rows,
            numbers,
        )
        sheets.append(s)
    notes = _Sheet(L["notes_sheet"])
    for i, line in enumerate(L["notes"], start=1):
        for j, text in enumerate(line, start=1):
            notes.put(i, j, text, bold=i == 1)
    notes.widths[1] = 60
    if rng.random() < 0.5:
        sheets.insert(0, notes)
        book.notes.append(f"notes sheet '{notes.name}' first")
    else:
        sheets.append(notes)
        book.notes.append(f"notes sheet '{notes.name}' last")
    if rng.random() < 0.4:
        empty = _Sheet(rng.choice(L["empty_sheets"]))
        sheets.append(empty)
        book.notes.append(f"empty sheet '{empty.name}'")
    book.sheets = sheets
    if bad_subtotal:
        _spoil(book, rng, "subtotal")
    book.notes.append(numbers.summary())
    return book


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


def _register_sheet(
    book: _Book,
    s: _Sheet,
    rows: Sequence[Row],
    rng: random.Random,
    lang: str,
    qty_keys: Sequence[str],
    extras: Sequence[str],
    header_style: str,
    county: str,
) -> tuple[list[_Col], int]:
    """Columns, title rows and header of one register sheet: (columns, first data row)."""
    L = _LANG[lang]
    cols: list[_Col] = []
    for key in IDENTITY_KEYS:
        cols.append(_Col("id", key, _pick_name(IDENTITY_NAMES[lang][key], rng), group="id"))
    units: list[str] = []
    for key in qty_keys:
        f = FIELD_BY_KEY[key]
        unit, mult = _pick_unit(f.dimension, lang, rng)
        group = "economic" if f.kind is Kind.ECONOMIC else "energy"
        cols.append(_Col("qty", key, _pick_name(QUANTITY_NAMES[lang][key], rng), unit, mult, group))
        units.append(f"{key} {unit}")
    extra_cols = [_Col("extra", e, L["extras"][e]) for e in extras]

    if header_style == "grouped":
        groups = {g: [c for c in cols if c.group == g] for g in ("id", "energy", "economic")}
        for g in groups.values():
            rng.shuffle(g)
        order = ["id", "energy", "economic"] if rng.random() < 0.7 else ["id", "economic", "energy"]
        body = [c for g in order for c in groups[g]]
        front = [c for c in extra_cols if c.key == "seq"]
        back = [c for c in extra_cols if c.key != "seq"]
        rng.shuffle(back)
        cols = front + body + back
    else:
        cols = cols + extra_cols
        rng.shuffle(cols)
        seq = [c for c in cols if c.key == "seq"]
        if seq and rng.random() < 0.7:
            cols.remove(seq[0])
            cols.insert(0, seq[0])
    ncols = len(cols)
    s.widths.update({j: 14 for j in range(1, ncols + 1)})

    # Title and preamble rows (1-6).
    y0, y1 = _years_text(rows)
    years = f"{y0}" if y0 == y1 else f"{y0}-{y1}"
    if lang == "zh":
        title = rng.choice(
            (
                f"{years}年衢州市规上工业企业分月能源消费表",
                f"{years}年{county}规模以上工业企业能源消费及经济指标月度表",
                f"衢州市{county}工业企业能源消费统计表（{years}年）",
            )
        )
        optional = [
            ("subtitle", [(1, f"（{years}年1月—12月）")], True),
            ("form_no", [(ncols, "表号：衢统能01表")], False),
            (
                "filer",
                rng.choice(
                    (
                        [(1, "填报单位：衢州市统计局    单位：见表头")],
                        [(1, "填报单位：衢州市统计局"), (ncols, "计量单位：见表头")],
                    )
                ),
                False,
            ),
        ]
    else:
        title = rng.choice(
            (
                f"Quzhou industrial enterprises above designated size: monthly energy consumption, {years}",
                f"{county}: energy consumption and economic indicators by month, {years}",
            )
        )
        optional = [
            ("subtitle", [(1, f"(January-December {years})")], True),
            ("form_no", [(ncols, "Form QZ-E01")], False),
            ("filer", [(1, "Compiled by: Quzhou Statistics Bureau    Units: see column headers")], False),
        ]
    r = 1
    s.put(r, 1, title, bold=True)
    s.merge(r, 1, r, ncols)
    pre = ["title"]
    for what, cells, merged in optional:
        if len(pre) < 5 and rng.random() < 0.45:
            r += 1
            for c, text in cells:
                s.put(r, c, text)
            if merged:
                s.merge(r, 1, r, ncols)
            pre.append(what)
    for _ in range(rng.choice((0, 1, 1, 2))):
        if len(pre) < 6:
            r += 1
            pre.append("blank")
    r += 1
    book.notes.append(f"'{s.name}': preamble {pre} (rows 1-{r - 1})")

    # Header rows.
    brackets = (
        rng.choice((("(", ")"), ("（", "）"), (" (", ")")))
        if lang == "zh"
        else (rng.choice(((" (", ")"), ("(", ")"), (" [", "]"))))
    )
    prefix = ("单位：" if lang == "zh" else "unit: ") if rng.random() < 0.1 else ""
    if header_style == "single":
        for j, c in enumerate(cols, start=1):
            s.put(r, j, c.header(brackets, prefix), bold=True)
            _header_check(book, s, c, ((r, j),))
        header_rows = (r,)
    elif header_style == "grouped":
        extras_top = rng.random() < 0.5  # extra columns: text in the group row, merged down
        j = 1
        while j <= ncols:
            c = cols[j - 1]
            if c.kind == "extra":
                if extras_top:
                    s.put(r, j, c.name, bold=True)
                    s.merge(r, j, r + 1, j)
                else:
                    s.put(r + 1, j, c.name, bold=True)
                j += 1
                continue
            end = j
            while end < ncols and cols[end].group == c.group:
                end += 1
            s.put(r, j, rng.choice(L["groups"][c.group]), bold=True)
            s.merge(r, j, r, end)
            j = end + 1
        for j, c in enumerate(cols, start=1):
            if c.kind != "extra":
                s.put(r + 1, j, c.header(brackets, prefix), bold=True)
                _header_check(book, s, c, ((r + 1, j),))
            elif not extras_top:
                _header_check(book, s, c, ((r + 1, j),))
            else:
                _header_check(book, s, c, ((r, j),))
        header_rows = (r, r + 1)
        if extra_cols:
            book.notes.append(
                f"'{s.name}': extra columns' header "
                + ("in the group row, merged down" if extras_top else "in the header row, group cell blank")
            )
    else:  # split: names in one row, the unit alone below; other headers merged down
        for j, c in enumerate(cols, start=1):
            s.put(r, j, c.name, bold=True)
            if c.unit is None:
                s.merge(r, j, r + 1, j)
                _header_check(book, s, c, ((r, j),))
            else:
                s.put(r + 1, j, c.unit)
                _header_check(book, s, c, ((r, j), (r + 1, j)))
        header_rows = (r, r + 1)
    book.notes.append(
        f"'{s.name}': header rows {list(header_rows)}, brackets {''.join(brackets).strip()!r}"
        f"{' with unit prefix' if prefix else ''}, columns "
        + ", ".join(c.header(brackets, prefix) if c.kind != "extra" else f"[{c.name}]" for c in cols)
    )
    return cols, header_rows[-1] + 1


def _header_check(book: _Book, s: _Sheet, c: _Col, cells: tuple[tuple[int, int], ...]) -> None:
    if c.kind != "extra":
        book.headers.append(HeaderCheck(s.name, cells, c.key, c.unit, c.mult))


def _register_data(
    book: _Book,
    s: _Sheet,
    cols: list[_Col],
    r: int,
    rows: Sequence[Row],
    rng: random.Random,
    lang: str,
    subtotals: bool,
    blank_subtotal_cells: bool,
    blank_rows: tuple[int, int],
    numbers: _Numbers,
) -> None:
    L = _LANG[lang]
    pos = {c.key: j for j, c in enumerate(cols, start=1)}
    qcols = [(j, c) for j, c in enumerate(cols, start=1) if c.kind == "qty"]
    styles = MONTH_STYLES_ZH if lang == "zh" else MONTH_STYLES_EN
    month_style = rng.choice(styles)
    mixed = rng.random() < 0.1
    month_end = lang == "en" and rng.random() < 0.3
    filed_as_date = rng.random() < 0.5
    n_blank = rng.randint(*blank_rows) if len(rows) > 1 else 0
    blank_before = set(rng.sample(range(1, len(rows)), min(n_blank, len(rows) - 1)))
    y1 = _years_text(rows)[1]
    book.notes.append(
        f"'{s.name}': months {'mixed styles' if mixed else month_style}"
        f"{' (month-end dates)' if month_end else ''}"
        f", {len(blank_before)} blank rows between data rows"
    )
    sheet_sum: dict[str, float] = defaultdict(float)  # written units
    sheet_tpl: dict[str, float] = defaultdict(float)  # template units
    sheet_has: set[str] = set()
    seq = 0
    i = 0
    for uscc, block in _group_rows(rows, "uscc").items():
        block_sum: dict[str, float] = defaultdict(float)
        block_tpl: dict[str, float] = defaultdict(float)
        block_has: set[str] = set()
        contact = rng.choice(PEOPLE_ZH if lang == "zh" else PEOPLE_EN)
        phone = f"0570-{rng.randint(3000000, 8999999)}"
        for row in block:
            if i in blank_before:
                r += 1
            i += 1
            seq += 1
            year = int(row["month"][:4])
            style = rng.choice(styles) if mixed else month_style
            mv, mfmt = _month_cell(row["month"], style, lang, month_end)
            s.put(r, pos["uscc"], str(row["uscc"]))
            s.put(r, pos["name"], str(row["name"]))
            s.put(r, pos["industry_code"], str(row["industry_code"]))
            s.put(r, pos["region_code"], str(row["region_code"]))
            s.put(r, pos["month"], mv, mfmt)
            for key in ("uscc", "name", "industry_code", "region_code"):
                book.idents.append((s.name, r, pos[key], key, str(row[key])))
            book.idents.append((s.name, r, pos["month"], "month", row["month"]))
            if "seq" in pos:
                s.put(r, pos["seq"], seq)
            if "remark" in pos and rng.random() < 0.08:
                s.put(r, pos["remark"], rng.choice(L["remarks"]))
            if "contact" in pos:
                s.put(r, pos["contact"], contact)
            if "phone" in pos:
                s.put(r, pos["phone"], phone)
            if "filed" in pos:
                fd = dt.datetime(year + (row["month"][5:7] == "12"), int(row["month"][5:7]) % 12 + 1, 8)
                if filed_as_date:
                    s.put(r, pos["filed"], fd, "yyyy-mm-dd")
                else:
                    s.put(r, pos["filed"], fd.strftime("%Y-%m-%d"))
            for j, c in qcols:
                v = row.get(c.key)
                if v is None:
                    continue
                v = float(v)
                if v == 0.0 and FIELD_BY_KEY[c.key].kind is not Kind.ECONOMIC and rng.random() < 0.5:
                    continue  # blank energy = 0
                written = _num(v * c.mult)
                s.put(r, j, numbers.cell(written))
                book.qty.append(QtyCell(s.name, r, j, c.key, c.mult, "data", uscc, year, v))
                block_sum[c.key] += written
                block_tpl[c.key] += v
                block_has.add(c.key)
            r += 1
        for k in block_has:
            sheet_sum[k] += block_sum[k]
            sheet_tpl[k] += block_tpl[k]
        sheet_has |= block_has
        if subtotals:
            label = rng.choice(L["subtotal"]).format(name=block[0]["name"])
            s.put(r, pos["name"], label, bold=True)
            book.skip_rows.append((s.name, r, "subtotal"))
            for j, c in qcols:
                if c.key not in block_has:
                    continue
                if blank_subtotal_cells and rng.random() < 0.2:
                    continue
                s.put(r, j, numbers.cell(_num(block_sum[c.key])))
                book.qty.append(
                    QtyCell(s.name, r, j, c.key, c.mult, "subtotal", uscc, None, block_tpl[c.key])
                )
            r += 1
    label = rng.choice(L["total"])
    s.put(r, pos["name"], label, bold=True)
    book.skip_rows.append((s.name, r, "total"))
    for j, c in qcols:
        if c.key in sheet_has:
            s.put(r, j, numbers.cell(_num(sheet_sum[c.key])))
            book.qty.append(QtyCell(s.name, r, j, c.key, c.mult, "total", None, None, sheet_tpl[c.key]))
    r += 1
    # Footer: signature line (one cell, or spread over three cells), sometimes a note.
    r += rng.choice((0, 1))
    people = PEOPLE_ZH if lang == "zh" else PEOPLE_EN
    maker, checker = rng.sample(people, 2)
    date = f"{y1 + 1}年1月10日" if lang == "zh" else f"{y1 + 1}-01-10"
    if lang == "zh":
        parts = [f"制表人：{maker}", f"审核人：{checker}", f"填报日期：{date}"]
    else:
        parts = [f"Prepared by: {maker}", f"Reviewed by: {checker}", f"Date: {date}"]
    ncols = len(cols)
    footer = ["signature"]
    if rng.random() < 0.5:
        s.put(r, 1, "   ".join(parts))
    else:
        for k, text in enumerate(parts):
            s.put(r, 1 + k * max(1, ncols // 3), text)
    book.skip_rows.append((s.name, r, "signature"))
    if rng.random() < 0.4:
        r += 1
        s.put(
            r,
            1,
            "注：本表数据来源于企业联网直报。" if lang == "zh" else "Note: data as filed by the enterprises.",
        )
        book.skip_rows.append((s.name, r, "note"))
        footer.append("note")
    book.notes.append(f"'{s.name}': 合计 label {label!r}, footer {footer} (last row {r})")


# ---------------------------------------------------------------------------------------------
# Ledger layout (months as columns, one sheet per enterprise and year)
# ---------------------------------------------------------------------------------------------

LEDGER_ITEM_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "单位名称"),
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业分类代码"),
    "region_code": ("行政区划代码", "区划代码"),
    "year": ("年份",),
}
LEDGER_FIRST_HEADER = ("项目", "能源品种", "指标名称", "指标")
LEDGER_UNIT_HEADER = ("计量单位", "单位")
LEDGER_TOTAL_HEADER = ("全年合计", "合计", "1-12月合计", "累计")
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")


def ledger_layout(
    rows: Sequence[Row],
    rng: random.Random,
    *,
    text_fraction: float = 0.05,
    total_column: bool | None = None,
    bad_total: bool = False,
    energy_total_row: bool | None = None,
    derived_total_row: bool = False,
    section_rows: bool | None = None,
) -> tuple[bytes, str]:
    """An enterprise's own ledger: one sheet per enterprise and year, months as columns.

    ``total_column`` None = drawn per sheet (50 %); ``bad_total`` makes one 合计-column cell
    10 % too large (forces the column on). ``energy_total_row`` None = drawn per sheet (30 %):
    an "能源合计" row in 吨标准煤 (a 合计 marker: skip it). ``derived_total_row`` adds a
    "综合能源消费量" row in 吨标准煤 to every sheet: a derived figure, not an input, and its
    label has no 合计 marker (the importer must skip it because 吨标准煤 is no unit of any
    field / its name is no field, and should warn). ``section_rows`` None = drawn (30 %):
    label-only rows "一、能源消费量" / "二、经济指标".
    """
    book = _ledger(rows, rng, text_fraction, total_column, bad_total, energy_total_row, derived_total_row,
                   section_rows)  # fmt: skip
    return book.to_bytes(), book.description()


def _short_name(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


def _ledger(
    rows: Sequence[Row],
    rng: random.Random,
    text_fraction: float,
    total_column: bool | None,
    bad_total: bool,
    energy_total_row: bool | None,
    derived_total_row: bool,
    section_rows: bool | None,
) -> _Book:
    if not rows:
        raise ValueError("no rows")
    book = _Book("ledger")
    numbers = _Numbers(rng, text_fraction)
    by_ent = _group_rows(rows, "uscc")
    single = len(by_ent) == 1
    naming = (
        rng.choice(("year", "year_cn", "name_year"))
        if single
        else rng.choice(("name_year", "name_year_cn", "year_name"))
    )
    book.notes.append(f"{len(by_ent)} enterprises, sheet names {naming}")
    used: set[str] = set()
    if bad_total:
        total_column = True
    for ent_rows in by_ent.values():
        style = {
            "block": rng.choice(("separate", "inline", "label_value")),
            "colon": rng.choice(("：", ":", "： ", ": ")),
            "year_source": rng.choice(("both", "both", "item", "title")),
            "month_header": rng.choice(("1月", "01月", "2023年1月")),
            "unit_col": rng.random() < 0.5,
        }
        if style["month_header"] == "2023年1月" and rng.random() < 0.3:
            style["year_source"] = "headers"
        for year, yrows in _by_year(ent_rows).items():
            short = _short_name(str(yrows[0]["name"]))[:24]
            name = {
                "year": f"{year}年" if naming == "year" else str(year),
                "year_cn": f"{year}年",
                "name_year": f"{short}{year}",
                "name_year_cn": f"{short}{year}年",
                "year_name": f"{year}{short}",
            }[naming]
            base, n = name, 2
            while name in used:
                name = f"{base}_{n}"
                n += 1
            used.add(name)
            s = _Sheet(name)
            _ledger_sheet(
                book, s, yrows, year, rng, style, numbers,
                total_column if total_column is not None else rng.random() < 0.5,
                energy_total_row if energy_total_row is not None else rng.random() < 0.3,
                derived_total_row,
                section_rows if section_rows is not None else rng.random() < 0.3,
            )  # fmt: skip
            book.sheets.append(s)
    if bad_total:
        _spoil(book, rng, "row_total")
    book.notes.append(numbers.summary())
    return book


def _by_year(rows: Sequence[Row]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = {}
    for r in rows:
        out.setdefault(int(r["month"][:4]), []).append(r)
    return out


def _ledger_sheet(
    book: _Book,
    s: _Sheet,
    rows: Sequence[Row],
    year: int,
    rng: random.Random,
    style: dict[str, Any],
    numbers: _Numbers,
    total_column: bool,
    energy_total_row: bool,
    derived_total_row: bool,
    section_rows: bool,
) -> None:
    first = rows[0]
    uscc = str(first["uscc"])
    by_month: dict[int, Row] = {int(r["month"][5:7]): r for r in rows}
    last_month = max(by_month)
    months = list(range(1, 13 if last_month == 12 else last_month + 1))
    seq_col = rng.random() < 0.25
    unit_col = bool(style["unit_col"])
    total_first = total_column and rng.random() < 0.25  # 合计 column before 1月
    # Columns.
    c = 1
    col_seq = c if seq_col else None
    c += 1 if seq_col else 0
    col_label = c
    c += 1
    col_unit = c if unit_col else None
    c += 1 if unit_col else 0
    col_total = None
    if total_column and total_first:
        col_total = c
        c += 1
    col_month = {m: c + i for i, m in enumerate(months)}
    c += len(months)
    if total_column and not total_first:
        col_total = c
        c += 1
    ncols = c - 1
    s.widths.update({col_label: 24, **({col_unit: 10} if col_unit else {})})

    # Title.
    name = str(first["name"])
    ys = style["year_source"]
    year_in_title = ys in ("both", "title")
    if year_in_title:
        title = rng.choice(
            (
                f"{name}{year}年能源消费台账",
                f"{name}{year}年度能源消费统计台账",
                f"{year}年{name}能源消费台账",
            )
        )
    else:
        title = rng.choice((f"{name}能源消费台账", f"{name}能源消费统计台账"))
    r = 1
    s.put(r, 1, title, bold=True)
    s.merge(r, 1, r, ncols)
    r += 1

    # Enterprise header block.
    colon = style["colon"]
    values = {
        "name": name,
        "uscc": uscc,
        "industry_code": str(first["industry_code"]),
        "region_code": str(first["region_code"]),
    }
    items: list[tuple[str, Any]] = [
        (_pick_name(LEDGER_ITEM_LABELS[k], rng, 0.25), values[k])
        for k in ("name", "uscc", "industry_code", "region_code")
    ]
    if ys in ("both", "item"):
        items.append(("年份", rng.choice((str(year), f"{year}年", year))))
    if rng.random() < 0.3:
        items.append(("联系人", rng.choice(PEOPLE_ZH)))
    if rng.random() < 0.2:
        items.append(("联系电话", f"0570-{rng.randint(3000000, 8999999)}"))
    block_top = r
    form = style["block"]
    if form == "separate":
        merged = rng.random() < 0.3
        for label, v in items:
            s.put(r, 1, f"{label}{colon}{v}")
            if merged:
                s.merge(r, 1, r, min(ncols, 4))
            r += 1
    elif form == "inline":
        sep = rng.choice(("    ", "  ", "\u3000\u3000", "   "))
        per_row = rng.choice((len(items), 2, 3))
        for k in range(0, len(items), per_row):
            s.put(r, 1, sep.join(f"{label}{colon}{v}" for label, v in items[k : k + per_row]))
            r += 1
    else:  # label cell, value in the next cell; one or two pairs per row
        pairs = rng.choice((1, 2)) if ncols >= 5 else 1
        with_colon = rng.random() < 0.4
        second = max(3, ncols // 2)
        for k in range(0, len(items), pairs):
            for p, (label, v) in enumerate(items[k : k + pairs]):
                cc = 1 if p == 0 else second
                s.put(r, cc, f"{label}{colon.strip()}" if with_colon else label)
                s.put(r, cc + 1, v)
            r += 1
    block_bottom = r - 1
    if rng.random() < 0.6:
        r += 1  # blank row above the table
    book.blocks.append((s.name, r - 1, uscc, year, ys))
    for k, v in values.items():
        book.block_items.append((s.name, block_top, block_bottom, k, v))

    # Table header.
    header_row = r
    s.put(r, col_label, rng.choice(LEDGER_FIRST_HEADER), bold=True)
    if col_seq:
        s.put(r, col_seq, "序号", bold=True)
    if col_unit:
        s.put(r, col_unit, rng.choice(LEDGER_UNIT_HEADER), bold=True)
    mh = style["month_header"]
    for m, cc in col_month.items():
        text = {"1月": f"{m}月", "01月": f"{m:02d}月", "2023年1月": f"{year}年{m}月"}[mh]
        s.put(r, cc, text, bold=True)
        book.idents.append((s.name, r, cc, "month_header", f"{year}-{m:02d}"))
    total_label = rng.choice(LEDGER_TOTAL_HEADER)
    if col_total:
        s.put(r, col_total, total_label, bold=True)
    r += 1

    # Rows: energy, then economic.
    present = [k for k in FIELD_KEYS if any(row.get(k) is not None for row in rows)]
    energy = [k for k in present if k not in ECONOMIC_KEYS]
    economic = [k for k in present if k in ECONOMIC_KEYS]
    unused = [k for k in ("raw_coal", "diesel", "gasoline", "lpg") if k not in present]
    blank_energy = rng.sample(unused, rng.randint(0, min(2, len(unused)))) if rng.random() < 0.3 else []
    energy = [k for k in FIELD_KEYS if k in energy or k in blank_energy]
    if rng.random() < 0.4:
        rng.shuffle(energy)
    if rng.random() < 0.3:
        # A year without 工业增加值 may still show the row, all blank (not reported).
        economic = list(ECONOMIC_KEYS)
    brackets = rng.choice((("(", ")"), ("（", "）")))
    seq = 0
    extras: list[str] = []

    def label_cells(key: str, unit: str) -> tuple[str, str | None]:
        label = _pick_name(QUANTITY_NAMES["zh"][key], rng, 0.25)
        if col_unit:
            return label, unit
        return f"{label}{brackets[0]}{unit}{brackets[1]}", None

    def put_row(key: str) -> None:
        nonlocal r, seq
        f = FIELD_BY_KEY[key]
        unit, mult = _pick_unit(f.dimension, "zh", rng)
        label, unit_cell = label_cells(key, unit)
        seq += 1
        if col_seq:
            s.put(r, col_seq, seq)
        s.put(r, col_label, label)
        cells: tuple[tuple[int, int], ...] = ((r, col_label),)
        if col_unit:
            s.put(r, col_unit, unit_cell)
            cells = ((r, col_label), (r, col_unit))
        book.headers.append(HeaderCheck(s.name, cells, key, unit, mult))
        tot_w, tot_t, has = 0.0, 0.0, False
        for m, cc in col_month.items():
            row = by_month.get(m)
            v = row.get(key) if row else None
            if v is None:
                continue
            v = float(v)
            if v == 0.0 and f.kind is not Kind.ECONOMIC:
                continue  # blank month = 0
            written = _num(v * mult)
            s.put(r, cc, numbers.cell(written))
            book.qty.append(QtyCell(s.name, r, cc, key, mult, "data", uscc, year, v))
            tot_w += written
            tot_t += v
            has = True
        if col_total and has:
            s.put(r, col_total, numbers.cell(_num(tot_w)))
            book.qty.append(QtyCell(s.name, r, col_total, key, mult, "row_total", uscc, year, tot_t))
        r += 1

    def put_tce_row(label: str, kind: str) -> None:
        nonlocal r
        if col_unit:
            s.put(r, col_label, label)
            s.put(r, col_unit, "吨标准煤")
        else:
            s.put(r, col_label, f"{label}{brackets[0]}吨标准煤{brackets[1]}")
        tot = 0.0
        for m, cc in col_month.items():
            row = by_month.get(m) or {}
            v = sum(float(row.get(k) or 0.0) * _TCE.get(k, 1.0) for k in energy if k not in _NOT_ENERGY_USE)
            if v > 0:
                s.put(r, cc, _num(round(v, 2)))
                tot += round(v, 2)
        if col_total and tot > 0:
            s.put(r, col_total, _num(tot))
        book.skip_rows.append((s.name, r, kind))
        extras.append(label)
        r += 1

    if section_rows:
        s.put(r, col_label, "一、能源消费量", bold=True)
        book.skip_rows.append((s.name, r, "section"))
        r += 1
    for key in energy:
        put_row(key)
    if energy_total_row:
        put_tce_row("能源合计", "total")
    if derived_total_row:
        put_tce_row("综合能源消费量", "derived")
    if section_rows and economic:
        s.put(r, col_label, "二、经济指标", bold=True)
        book.skip_rows.append((s.name, r, "section"))
        r += 1
    for key in economic:
        put_row(key)
    last_table_row = r - 1
    if rng.random() < 0.7:
        r += rng.choice((0, 1))
        maker, checker = rng.sample(PEOPLE_ZH, 2)
        s.put(
            r, 1, f"填表人：{maker}    审核人：{checker}    填报日期：{year + 1}年1月{rng.randint(5, 20)}日"
        )
        book.skip_rows.append((s.name, r, "signature"))
    book.notes.append(
        f"'{s.name}': title {title!r}; block {form} rows {block_top}-{block_bottom} (colon {colon!r}, "
        f"year from {ys}); header row {header_row}: "
        f"{'序号, ' if col_seq else ''}label, {'unit column, ' if col_unit else 'unit in label, '}"
        f"months {mh} x{len(months)}"
        + (
            f", total column {total_label!r} {'before' if total_first else 'after'} the months"
            if col_total
            else ""
        )
        + f"; table rows {header_row + 1}-{last_table_row}"
        + ("; sections" if section_rows else "")
        + (f"; skip rows {extras}" if extras else "")
        + (f"; blank carriers {blank_energy}" if blank_energy else "")
    )


# ---------------------------------------------------------------------------------------------
# Self-check (the generator, not the importer)
# ---------------------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"^(?:(\d{4})年)?0?(\d{1,2})月$")


def _month_of(v: Any) -> str:
    """Month of a register month cell, for every form this module writes."""
    if isinstance(v, dt.datetime | dt.date):
        return f"{v.year}-{v.month:02d}"
    if isinstance(v, int):
        return f"{v // 100}-{v % 100:02d}"
    t = str(v)
    m = re.fullmatch(r"(\d{4})(?:-|/|年)(\d{1,2})月?", t)
    if not m:
        raise AssertionError(f"month cell {v!r}")
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def check_book(book: _Book, data: bytes, rows: Sequence[Row]) -> list[str]:
    """Re-read ``data`` with openpyxl and compare with what ``book`` says was written."""
    import openpyxl

    from carbon.domain.quantities import unit_factor
    from importers.layout import is_total_label, match_header

    wb = openpyxl.load_workbook(io.BytesIO(data))
    problems: list[str] = []

    def cell(sheet: str, r: int, c: int) -> Any:
        return wb[sheet].cell(row=r, column=c).value

    # Headers resolve to the intended field and a unit whose factor undoes the multiplier.
    for h in book.headers:
        texts = [cell(h.sheet, r, c) for r, c in h.cells]
        text = texts[0] if len(texts) == 1 else f"{texts[0]}({texts[1]})"
        got = match_header(text)
        if got is None or got[0] != h.key:
            problems.append(f"{h.sheet}: header {texts} -> {got}, expected {h.key}")
            continue
        if h.unit is not None:
            dim = FIELD_BY_KEY[h.key].dimension
            tpl = unit_factor(FIELD_BY_KEY[h.key].template_unit_zh, dim)
            unit = got[1] or ""
            if abs(unit_factor(unit, dim) * h.mult / tpl - 1) > 1e-12:
                problems.append(f"{h.sheet}: header {texts}: unit {unit} does not match ×{h.mult}")
    # Quantity cells.
    sums: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for q in book.qty:
        v = cell(q.sheet, q.row, q.col)
        x = _parse_number(v)
        if not (x >= 0 and x != float("inf")):
            problems.append(f"{q.sheet}!{q.row},{q.col}: {v!r}")
        tpl = x / q.mult
        want = q.expected * (1.1 if q.bad else 1.0)
        if abs(tpl - want) > 1e-9 * max(abs(want), 1e-12):
            problems.append(f"{q.sheet}!{get_column_letter(q.col)}{q.row} {q.role} {q.key}: {tpl} != {want}")
        if q.role == "data":
            assert q.uscc is not None and q.year is not None
            sums[(q.uscc, q.year)][q.key] += tpl
    clean = clean_totals(rows)
    for k, totals in clean.items():
        for key, want in totals.items():
            got_v = sums.get(k, {}).get(key, 0.0)
            if abs(got_v - want) > 1e-9 * max(abs(want), 1e-9):
                problems.append(f"{k} {key}: cells sum to {got_v}, clean {want}")
    for k in sums:
        if k not in clean:
            problems.append(f"{k}: cells for an enterprise-year not in the rows")
    # Identity cells, month headers and enterprise blocks.
    for sheet, first, last, what, want in book.block_items:
        ws = wb[sheet]
        found = any(
            want in str(ws.cell(row=rr, column=cc).value or "")
            for rr in range(first, last + 1)
            for cc in range(1, ws.max_column + 1)
        )
        if not found:
            problems.append(f"{sheet}: block item {what} {want!r} not in rows {first}-{last}")
    for sheet, r, c, what, want in book.idents:
        v = cell(sheet, r, c)
        if what == "month":
            if _month_of(v) != want:
                problems.append(f"{sheet}!{r},{c}: month {v!r} != {want}")
        elif what == "month_header":
            m = _MONTH_RE.match(str(v))
            if not m or int(m.group(2)) != int(want[5:7]) or (m.group(1) and m.group(1) != want[:4]):
                problems.append(f"{sheet}!{r},{c}: month header {v!r} != {want}")
        elif not isinstance(v, str) or v != want:
            problems.append(f"{sheet}!{r},{c}: {what} {v!r} != {want!r} (must be text)")
    for sheet, header_end, _uscc, year, source in book.blocks:
        ws = wb[sheet]
        texts = [str(ws.cell(row=rr, column=cc).value or "") for rr in range(1, header_end + 2)
                 for cc in range(1, ws.max_column + 1)]  # fmt: skip
        if not any(str(year) in t for t in texts):
            problems.append(f"{sheet}: year {year} ({source}) appears nowhere above the table")
    for sheet, r, kind in book.skip_rows:
        if kind in ("subtotal", "total"):
            ws = wb[sheet]
            labels = [ws.cell(row=r, column=cc).value for cc in range(1, ws.max_column + 1)]
            if not any(is_total_label(x) for x in labels):
                problems.append(f"{sheet}!{r}: {kind} row without a total label: {labels}")
    return problems


def _dump(data: bytes, sheet: str | None = None, n: int = 15, width: int = 14) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else next(w for w in wb.worksheets if w.max_row > 5)
    lines = [f"--- sheet '{ws.title}' of {wb.sheetnames} ({ws.max_row} rows × {ws.max_column} cols); merged: "
             + ", ".join(str(m) for m in list(ws.merged_cells.ranges)[:8])]  # fmt: skip
    for row in ws.iter_rows(min_row=1, max_row=n):
        cells = []
        for c in row:
            v = c.value
            if v is None:
                continue
            if isinstance(v, dt.datetime):
                v = f"date({v:%Y-%m-%d})"
            elif isinstance(v, str):
                v = repr(v)[: width * 3]
            cells.append(f"{c.coordinate}={v}")
        lines.append(f"{row[0].row:>3}: " + "  ".join(cells))
    return "\n".join(lines)


def _selfcheck(out_dir: Path = Path("/tmp/messy_examples"), variants: int = 30) -> int:
    from sample_inputs.generate import generate

    _, rows = generate()
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    builders = {
        "register": lambda rng, **kw: _register(
            rows, rng, "zh", 0.05, None, None, kw.get("bad", False), (0, 3)
        ),
        "english": lambda rng, **kw: _register(
            rows, rng, "en", 0.05, None, None, kw.get("bad", False), (0, 3)
        ),
        "ledger": lambda rng, **kw: _ledger(rows, rng, 0.05, None, kw.get("bad", False), None, False, None),
    }
    for name, build in builders.items():
        for seed in range(variants):
            bad = seed % 5 == 4
            book = build(random.Random(seed), bad=bad)
            data = book.to_bytes()
            again = build(random.Random(seed), bad=bad).to_bytes()
            problems = check_book(book, data, rows)
            if again != data:
                problems.append("not deterministic")
            if problems:
                failures += 1
                print(f"{name} seed {seed}: {len(problems)} problems", *problems[:10], sep="\n  ")
            if seed == 0:
                (out_dir / f"{name}.xlsx").write_bytes(data)
                print(f"\n=== {out_dir / f'{name}.xlsx'}\n{book.description()}\n{_dump(data)}")
            if seed == 4:
                (out_dir / f"{name}_bad.xlsx").write_bytes(data)
    # Public API and the ledger's optional rows.
    data, desc = ledger_layout(rows[:24], random.Random(7), derived_total_row=True, energy_total_row=True)
    (out_dir / "ledger_one_enterprise.xlsx").write_bytes(data)
    print(f"\n=== {out_dir / 'ledger_one_enterprise.xlsx'}\n{desc}\n{_dump(data, n=20)}")
    for fn in (register_layout, english_layout, ledger_layout):
        a = fn(rows, random.Random(99))
        if a != fn(rows, random.Random(99)):
            failures += 1
            print(f"{fn.__name__}: not deterministic")
    print(f"\n{3 * variants} variants checked, {failures} with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(_selfcheck())
