"""The ledger layout (months as columns, one sheet per enterprise and year)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, FIELD_KEYS, Kind

from .book import (
    HeaderCheck,
    QtyCell,
    _Book,
    _group_rows,
    _num,
    _Numbers,
    _pick_name,
    _pick_unit,
    _Sheet,
    _spoil,
)
from .vocabulary import _NOT_ENERGY_USE, _TCE, PEOPLE_ZH, QUANTITY_NAMES, Row

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
