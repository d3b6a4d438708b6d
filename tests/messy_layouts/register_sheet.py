"""One sheet of the register layout: its columns, title rows, header rows, data rows,
小计/合计 rows and footer."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain.quantities import FIELD_BY_KEY, Kind

from .book import HeaderCheck, QtyCell, _Book, _group_rows, _num, _Numbers, _pick_name, _pick_unit, _Sheet
from .vocabulary import _LANG, IDENTITY_KEYS, IDENTITY_NAMES, PEOPLE_EN, PEOPLE_ZH, QUANTITY_NAMES, Row


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
