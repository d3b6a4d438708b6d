"""Large messy register workbooks for benchmarks: ``make_workbook``'s rows as a statistics office keeps them.

    python bench/make_messy_workbook.py OUT.xlsx [--enterprises N] [--years 2023] [--months 12] [--seed 1]

The data are ``bench.make_workbook.make_rows`` (same arguments, same seed, so the clean
template workbook of that seed is the reference), written as DESIGN §6.2 describes a
register kept by a statistics office, streamed with xlsxwriter (``constant_memory``):

- one sheet per region (county name, e.g. 柯城区), plus a notes sheet 填表说明 first;
- a merged title row, a 填报单位 line and a blank row above the header;
- a two-row header: a group row (企业基本情况 / 能源消费量 / 经济指标, merged across their
  columns; 序号 and 备注 merged down over both header rows, text in the group row) and the
  header row ``名称(单位)``; columns shuffled within each group; header synonyms sometimes;
- units drawn per sheet and column (电力 in 万千瓦时, MWh, kWh or 亿千瓦时, coal in 吨, kg or
  万吨, gas in 万立方米 or 立方米, heat in 吉焦, MJ or 百万千焦, money in 万元, 元 or 千元),
  the value converted exactly (template value × factor, 12 significant digits);
- months as text ``2023年1月``; about 5 % of quantity cells as text (``"1,234.5"`` with
  thousands separators, or full-width digits ``"１２３４．５"``);
- a 小计 row after each enterprise (label in the name column, USCC and month blank, the
  sums of that enterprise's rows), a 合计 row per sheet, a blank row every ~50 rows, and a
  signature line under the table.

Merged ranges are written in row order, as ``constant_memory`` requires (a row cannot be
written to once a later row has been); the vertical merges of 序号/备注 carry no format, so
that padding them does not flush the group row before its other cells are written.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.make_workbook import INDUSTRIES, REGIONS, make_rows  # noqa: E402
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, FIELD_KEYS, Dimension  # noqa: E402

COUNTY = {"330802": "柯城区", "330803": "衢江区", "330822": "常山县", "330824": "开化县", "330825": "龙游县",
          "330881": "江山市"}  # fmt: skip

IDENTITY = (
    ("uscc", ("统一社会信用代码", "信用代码", "社会信用代码")),
    ("name", ("企业名称", "单位名称", "单位详细名称")),
    ("industry_code", ("行业代码", "国民经济行业代码")),
    ("region_code", ("行政区划代码", "区划代码")),
    ("month", ("月份", "统计期", "报告期")),
)

# (spelling, multiplier from the template unit); the template unit first.
UNITS: dict[Dimension, tuple[tuple[str, float], ...]] = {
    Dimension.ELECTRICITY: (("万千瓦时", 1.0), ("MWh", 10.0), ("kWh", 10000.0), ("亿千瓦时", 1e-4)),
    Dimension.MASS: (("吨", 1.0), ("kg", 1000.0), ("万吨", 1e-4)),
    Dimension.GAS_VOLUME: (("万立方米", 1.0), ("立方米", 10000.0)),
    Dimension.HEAT: (("吉焦", 1.0), ("MJ", 1000.0), ("百万千焦", 1.0)),
    Dimension.CO2: (("吨二氧化碳", 1.0),),
    Dimension.MONEY: (("万元", 1.0), ("元", 10000.0), ("千元", 10.0)),
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    "electricity": ("电力", "用电量", "外购电力"),
    "heat": ("热力", "外购热力"),
    "bituminous_coal": ("烟煤", "一般烟煤"),
    "process_co2": ("工业过程排放", "过程排放"),
    "value_added": ("工业增加值", "增加值"),
    "gross_output": ("工业总产值", "总产值"),
    "tax": ("税收", "税金"),
}

# Every quantity make_rows can produce, in template column order.
QUANTITY_KEYS: tuple[str, ...] = tuple(
    k
    for k in FIELD_KEYS
    if k in ECONOMIC_KEYS
    or k in ("electricity_green", "electricity_exported")
    or any(k in ind[5] for ind in INDUSTRIES)
)

TEXT_FRACTION = 0.05
BLANK_EVERY = (40, 60)
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _text(x: float, rng: random.Random) -> str:
    """``x`` as text: thousands separators if it has them, else full-width digits."""
    d = Decimal(repr(x))
    if x >= 1000 and rng.random() < 0.6:
        s = format(d, ",f")
        return s[:-2] if s.endswith(".0") else s
    s = format(d, "f")
    return (s[:-2] if s.endswith(".0") else s).translate(_FULLWIDTH)


@dataclass
class _SheetState:
    ws: Any
    pos: dict[str, int]  # key -> column
    mult: dict[str, float]  # quantity key -> multiplier from the template unit
    ncols: int
    row: int
    blank_in: int
    seq: int = 0
    current: str | None = None  # USCC of the enterprise block being written
    block: dict[str, float] = field(default_factory=dict)  # written units
    total: dict[str, float] = field(default_factory=dict)


def make_messy_workbook(
    path: str | Path | IO[bytes],
    enterprises: int = 20000,
    years: Sequence[int] = (2023,),
    months: int = 12,
    seed: int = 1,
) -> int:
    """Write the messy register layout of ``make_rows(enterprises, years, months, seed)``.

    Returns the number of enterprise-months written (subtotal and total rows not counted).
    """
    import xlsxwriter

    rng = random.Random(f"messy-{seed}")  # layout choices; the data come from make_rows(seed)
    target = str(path) if isinstance(path, str | Path) else path
    wb = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    group_fmt = wb.add_format({"bold": True, "align": "center", "bg_color": "#DDEBF7"})
    head_fmt = wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7"})
    notes = wb.add_worksheet("填表说明")
    for i, line in enumerate(
        (
            "填表说明",
            "1. 本表由规模以上工业企业按月填报，统计局汇总。",
            "2. 能源消费量按实物量填写，计量单位见表头，各区县计量单位可能不同。",
            "3. 小计、合计行由系统生成，请勿修改。",
        )
    ):
        notes.write_string(i, 0, line, bold if i == 0 else None)
    year_text = f"{min(years)}" if len(set(years)) == 1 else f"{min(years)}-{max(years)}"
    sheets = {
        code: _start_sheet(wb, code, year_text, rng, title_fmt, group_fmt, head_fmt) for code in REGIONS
    }
    month_text = {f"{y}-{m:02d}": f"{y}年{m}月" for y in years for m in range(1, 13)}
    energy_dims = {k: FIELD_BY_KEY[k].dimension for k in QUANTITY_KEYS}
    n = 0
    random_ = rng.random
    for data in make_rows(enterprises, years, months, seed):
        st = sheets[data["region_code"]]
        ws = st.ws
        uscc = data["uscc"]
        if uscc != st.current:
            _subtotal(st, bold, rng)
            st.current = uscc
        st.blank_in -= 1
        if st.blank_in <= 0:
            st.row += 1
            st.blank_in = rng.randint(*BLANK_EVERY)
        r = st.row
        st.seq += 1
        pos = st.pos
        ws.write_number(r, pos["seq"], st.seq)
        ws.write_string(r, pos["uscc"], uscc)
        ws.write_string(r, pos["name"], data["name"])
        ws.write_string(r, pos["industry_code"], data["industry_code"])
        ws.write_string(r, pos["region_code"], data["region_code"])
        ws.write_string(r, pos["month"], month_text[data["month"]])
        block = st.block
        for key, v in data.items():
            if key not in energy_dims or v is None:
                continue
            mult = st.mult[key]
            w = float(f"{v * mult:.12g}") if mult != 1.0 else float(v)
            if random_() < TEXT_FRACTION:
                ws.write_string(r, pos[key], _text(w, rng))
            else:
                ws.write_number(r, pos[key], w)
            block[key] = block.get(key, 0.0) + w
        st.row += 1
        n += 1
    for st in sheets.values():
        _subtotal(st, bold, rng)
        r = st.row
        st.ws.write_string(r, st.pos["name"], "合计", bold)
        for key, s in st.total.items():
            st.ws.write_number(r, st.pos[key], float(f"{s:.12g}"))
        st.ws.write_string(r + 2, 0, "制表人：张三   审核人：李四   填报日期：2024年1月10日")
    wb.close()
    return n


def _start_sheet(
    wb: Any, code: str, year_text: str, rng: random.Random, title_fmt: Any, group_fmt: Any, head_fmt: Any
) -> _SheetState:
    ws = wb.add_worksheet(COUNTY.get(code, code))
    ident = [(k, rng.choice(names) if rng.random() < 0.3 else names[0]) for k, names in IDENTITY]
    energy, economic = [], []
    mult: dict[str, float] = {}
    for key in QUANTITY_KEYS:
        f = FIELD_BY_KEY[key]
        choices = UNITS[f.dimension]
        unit, m = choices[0] if rng.random() < 0.4 else rng.choice(choices)
        names = SYNONYMS.get(key, (f.name_zh,))
        name = rng.choice(names) if rng.random() < 0.3 else names[0]
        mult[key] = m
        (economic if key in ECONOMIC_KEYS else energy).append((key, f"{name}({unit})"))
    for group in (ident, energy, economic):
        rng.shuffle(group)
    groups = [("企业基本情况", ident), ("能源消费量", energy), ("经济指标", economic)]
    if rng.random() < 0.3:
        groups[1], groups[2] = groups[2], groups[1]
    columns: list[tuple[str, str]] = [("seq", "序号")]
    for _, cols in groups:
        columns.extend(cols)
    columns.append(("remark", "备注"))
    ncols = len(columns)
    pos = {key: j for j, (key, _) in enumerate(columns)}

    ws.set_column(0, 0, 6)
    ws.set_column(1, ncols - 1, 14)
    ws.merge_range(0, 0, 0, ncols - 1, f"{year_text}年衢州市规上工业企业分月能源消费表", title_fmt)
    ws.write_string(1, 0, "填报单位：衢州市统计局    单位：见表头")
    # Row 3 (0-based): the group row, written left to right; 序号/备注 merged down without a format.
    hr = 3
    ws.merge_range(hr, 0, hr + 1, 0, "序号")
    j = 1
    for label, cols in groups:
        if len(cols) > 1:
            ws.merge_range(hr, j, hr, j + len(cols) - 1, label, group_fmt)
        else:
            ws.write_string(hr, j, label, group_fmt)
        j += len(cols)
    ws.merge_range(hr, ncols - 1, hr + 1, ncols - 1, "备注")
    for j, (key, text) in enumerate(columns):
        if key not in ("seq", "remark"):
            ws.write_string(hr + 1, j, text, head_fmt)
    ws.freeze_panes(hr + 2, 0)
    return _SheetState(ws, pos, mult, ncols, hr + 2, rng.randint(*BLANK_EVERY))


def _subtotal(st: _SheetState, bold: Any, rng: random.Random) -> None:
    """Close the current enterprise block with a 小计 row (and add it to the sheet total)."""
    if st.current is None:
        return
    r = st.row
    st.ws.write_string(r, st.pos["name"], "小计", bold)
    for key, s in st.block.items():
        w = float(f"{s:.12g}")
        if rng.random() < TEXT_FRACTION:
            st.ws.write_string(r, st.pos[key], _text(w, rng))
        else:
            st.ws.write_number(r, st.pos[key], w)
        st.total[key] = st.total.get(key, 0.0) + s
    st.block = {}
    st.current = None
    st.row += 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a large messy register-layout energy workbook.")
    parser.add_argument("out", type=Path, help="output .xlsx")
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--years", type=int, nargs="+", default=[2023])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n = make_messy_workbook(args.out, args.enterprises, years=args.years, months=args.months, seed=args.seed)
    elapsed = time.perf_counter() - start
    print(
        f"{args.out}: {n} enterprise-months ({args.enterprises} enterprises × {len(args.years)} year(s) × "
        f"{args.months} months, messy register layout) in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
