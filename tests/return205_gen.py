"""205-1 statistical returns (能源购进、消费与库存) as enterprises file them, for tests.

``write_205`` writes one sheet per month in the layout of the real form: the merged title,
表号 / 制定机关 / 有效期 lines, the enterprise block (统一社会信用代码：…, 单位详细名称：…, 报告期),
a header of two or three rows with merged cells (or one flat row), the 甲 乙 丙 1 2 3 …
column-number row, the energy rows (原煤 with its breakdown 无烟煤 / 一般烟煤, 焦炭, 天然气, 汽油,
柴油, 其他石油制品, 热力, 电力, 其他燃料), 能源合计 in 吨标准煤 (code 40), and the signature and
notes lines under the table.

Figures are given per month (``monthly[month][energy name]`` = 消费量合计 of that month, in the
row's form unit: 吨, 万立方米, 百万千焦, 万千瓦时) and written cumulative (1–本月), computed in
decimal so the written figures are exactly the sums. 购进量 and 期末库存量 are consistent with
期初 (the year-start stock) and 合计, and 合计 = 工业生产消费 + 非工业生产消费, so the reader's
checks pass unless ``cells`` overrides a cell.

``calamine_sheets`` reads a workbook back as the workbook dispatcher hands sheets to
``importers.return205.read_205``: every row from Excel row 1, cells from column A.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# The printed energy rows: (能源名称 as printed, 计量单位, 代码). The name without its prefix
# (其中：, indentation) is the key used in ``monthly`` and ``cells``.
FORM_ROWS: tuple[tuple[str, str, str], ...] = (
    ("原煤", "吨", "01"),
    ("其中：无烟煤", "吨", "02"),
    ("      一般烟煤", "吨", "04"),
    ("焦炭", "吨", "09"),
    ("天然气", "万立方米", "15"),
    ("汽油", "吨", "18"),
    ("柴油", "吨", "20"),
    ("其他石油制品", "吨", "30"),
    ("热力", "百万千焦", "31"),
    ("电力", "万千瓦时", "32"),
    ("其他燃料", "吨标准煤", "33"),
)
TOTAL_ROW = ("能源合计", "吨标准煤", "40")

# Units of energies that are not printed by default (added before 能源合计 when used).
EXTRA_UNITS: dict[str, str] = {
    "炼焦烟煤": "吨",
    "褐煤": "吨",
    "洗精煤": "吨",
    "其他洗煤": "吨",
    "煤矸石": "吨",
    "原油": "吨",
    "燃料油": "吨",
    "煤油": "吨",
    "液化石油气": "吨",
    "石油焦": "吨",
    "液化天然气": "吨",
    "焦炉煤气": "万立方米",
    "高炉煤气": "万立方米",
    "转炉煤气": "万立方米",
    "其他焦化产品": "吨",
}

# tce per unit (采用折标系数), only to make the sheet look right: the reader ignores it.
TCE: dict[str, str] = {
    "原煤": "0.7143",
    "无烟煤": "0.9",
    "一般烟煤": "0.7143",
    "炼焦烟煤": "0.9",
    "焦炭": "0.9714",
    "天然气": "13.3",
    "汽油": "1.4714",
    "柴油": "1.4571",
    "热力": "0.03412",
    "电力": "1.229",
    "其他燃料": "1",
}

# Column roles in the form's order.
ROLES: tuple[str, ...] = (
    "name", "unit", "code", "opening", "purchase", "amount", "total", "industrial", "feedstock",
    "non_industrial", "transport", "closing", "coef", "ref_coef",
)  # fmt: skip
FLAT_HEADERS: dict[str, str] = {
    "name": "能源名称",
    "unit": "计量单位",
    "code": "代码",
    "opening": "期初库存量",
    "purchase": "购进量",
    "amount": "购进金额（千元）",
    "total": "消费量合计",
    "industrial": "工业生产消费",
    "feedstock": "用于原材料",
    "non_industrial": "非工业生产消费",
    "transport": "运输工具消费",
    "closing": "期末库存量",
    "coef": "采用折标系数",
    "ref_coef": "参考折标系数",
}
SIGNATURE = (
    "单位负责人：王某某    统计负责人：李某某    填表人：张某某    联系电话：0570-8888888    报出日期：{date}"
)
NOTES = "说明：1. 本表由规模以上工业法人单位填报。2. 能源合计按采用折标系数折算为标准煤。"

DEFAULT_STOCK: dict[str, float] = {"原煤": 800, "焦炭": 120, "柴油": 6, "汽油": 3}
_STOCKLESS_UNITS = ("万千瓦时", "百万千焦", "万立方米", "吨标准煤")
_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def bare_name(printed: str) -> str:
    """'其中：无烟煤' -> '无烟煤', '      一般烟煤' -> '一般烟煤'."""
    t = printed.strip()
    for prefix in ("其中：", "其中:"):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    return t.strip()


def _d(x: float | int | str | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(x) if isinstance(x, float) else str(x))


def _cum(series: Mapping[int, Mapping[str, float]] | None, name: str, month: int) -> Decimal:
    if not series:
        return Decimal(0)
    return sum((_d(series.get(k, {}).get(name, 0)) for k in range(1, month + 1)), Decimal(0))


def _period_text(year: int, month: int, style: str) -> str:
    if style == "month":
        return f"{year}年{month}月"
    if month == 1:
        return f"{year}年1月"
    sep = {"range": "-", "tilde": "～", "title": "—"}.get(style, "-")
    return f"{year}年1{sep}{month}月"


def _sheet_name(year: int, month: int, style: str, index: int, prefix: str) -> str:
    name = {
        "zh": f"{year}年{month}月",
        "short": f"{month}月",
        "compact": f"{year}{month:02d}",
        "generic": f"Sheet{index}",
    }[style]
    return f"{prefix}{name}"


def _cell_value(d: Decimal | None, style: str, zeros_blank: bool) -> object:
    if d is None or (zeros_blank and d == 0):
        return None
    if style == "text":
        return format(d, ",f")
    if style == "fullwidth":
        return format(d, "f").translate(_FULLWIDTH)
    return float(d)


COAL_BREAKDOWN = frozenset({"无烟煤", "炼焦烟煤", "一般烟煤", "褐煤"})


def _written(v: object) -> Decimal | None:
    """A figure as written in a cell (a number, or text with separators / full-width digits)."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int | float | Decimal):
        return _d(v)
    t = str(v).translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,"))
    try:
        return Decimal(t.replace(",", ""))
    except ArithmeticError:
        return None


def _row_tce(label: str, name: str, written: Mapping[str, object], raw_coal: Decimal) -> Decimal:
    """A row's part of 能源合计 as the form computes it: 消费量合计 × 采用折标系数 of the rows that
    are not a breakdown (其中：…, indented) of another; the coal types count only when 原煤 is
    not filled."""
    sub = label != label.lstrip() or label.lstrip().startswith("其中")
    counts = raw_coal == 0 if name in COAL_BREAKDOWN else not sub
    total, coef = _written(written.get("total")), _written(written.get("coef"))
    if not counts or total is None or coef is None:
        return Decimal(0)
    return total * coef


def add_205_sheets(
    wb: Workbook,
    enterprise: Mapping[str, str],
    monthly: Mapping[int, Mapping[str, float]],
    year: int,
    *,
    months: Sequence[int] | None = None,
    feedstock: Mapping[int, Mapping[str, float]] | None = None,
    non_industrial: Mapping[int, Mapping[str, float]] | None = None,
    transport: Mapping[int, Mapping[str, float]] | None = None,
    stock: Mapping[str, float] | None = None,
    rows: Sequence[tuple[str, str, str]] | None = None,
    layout: str = "two_rows",
    flat_order: Sequence[str] | None = None,
    column_numbers: bool = True,
    start_col: int = 1,
    period: str = "range",
    period_label: str = "报告期",
    sheet_names: str = "zh",
    sheet_prefix: str = "",
    uscc_style: str = "colon",
    title_year: bool = False,
    number_style: str = "number",
    zeros_blank: bool = True,
    cells: Mapping[tuple[int, str, str], object] | None = None,
) -> list[str]:
    """Add one 205-1 sheet per month of ``months`` (default: every month of ``monthly``) to
    ``wb``; returns the sheet names.

    - ``monthly[m][name]``: the month's 消费量合计 in the row's unit (name without 其中：);
      ``feedstock``, ``non_industrial``, ``transport`` likewise give the month's parts
      (用于原材料, 非工业生产消费, 运输工具消费); 工业生产消费 = 合计 − 非工业生产消费.
      Cumulative figures count every month of ``monthly`` up to the sheet's month, whether
      or not that month has a sheet.
    - ``stock[name]``: 期初 (year-start) stock of a solid or liquid; 期末 grows by 1 a month
      and 购进 is what balances. Default: 原煤 800, 焦炭 120, 柴油 6, 汽油 3.
    - ``rows``: the printed rows (default ``FORM_ROWS``); energies used but not printed are
      added before 能源合计.
    - ``layout``: "two_rows" (group row over sub-headers), "three_rows" (用于原材料 a level
      deeper, under 工业生产消费) or "flat" (one header row, columns in ``flat_order``).
    - ``period``: how 报告期 is written: "range" (2023年1-3月), "tilde" (2023年1～3月),
      "month" (2023年3月), "title" (unlabelled 2023年1—3月 under the title) or "none".
    - ``sheet_names``: "zh" (2023年3月), "short" (3月), "compact" (202303), "generic" (Sheet1).
    - ``uscc_style``: "colon" (统一社会信用代码：…), "cells" (label, then one character per
      cell), or "none". Missing keys of ``enterprise`` are left out of the block.
    - ``title_year``: the title reads 2023年能源购进、消费与库存 (a year without a month).
    - ``number_style``: "number", "text" ("1,234.5") or "fullwidth" (full-width digits).
    - ``cells[(month, name, role)]``: a value written as is in that cell (None = blank); roles
      are those of ``ROLES`` (name, unit, code, opening, purchase, total, feedstock, …).
    """
    months = list(months if months is not None else sorted(monthly))
    cells = dict(cells or {})
    stock = {k: _d(v) for k, v in (DEFAULT_STOCK if stock is None else stock).items()}
    printed = list(rows if rows is not None else FORM_ROWS)
    names = [bare_name(p) for p, _, _ in printed]
    used = {n for m in monthly.values() for n in m} | set(stock)
    for n in sorted(used - set(names)):
        printed.append((n, EXTRA_UNITS.get(n, "吨"), ""))
        names.append(n)
    printed.append(TOTAL_ROW)
    order = list(ROLES) if layout != "flat" else list(flat_order or ROLES)
    col = {role: start_col + i for i, role in enumerate(order)}
    width = len(order)
    out: list[str] = []
    for index, month in enumerate(months, start=1):
        title = _sheet_name(year, month, sheet_names, index, sheet_prefix)
        ws = wb.create_sheet(title)
        out.append(title)
        r = _write_top(
            ws, enterprise, year, month, start_col, width, period, period_label, uscc_style, title_year
        )
        r = _write_header(ws, r, col, order, layout, column_numbers)
        tce_total = Decimal(0)
        raw_coal = Decimal(0)  # 原煤's 消费量合计 as written: its breakdown rows then do not count
        for (label, unit, code), name in zip(printed, [*names, TOTAL_ROW[0]], strict=True):
            values: dict[str, object] = {"name": label, "unit": unit, "code": code}
            if name == TOTAL_ROW[0]:
                values["total"] = _cell_value(
                    tce_total.quantize(Decimal("0.0001")), number_style, zeros_blank
                )
            else:
                total = _cum(monthly, name, month)
                non_ind = _cum(non_industrial, name, month)
                figures: dict[str, Decimal | None] = {
                    "total": total,
                    "industrial": total - non_ind,
                    "feedstock": _cum(feedstock, name, month),
                    "non_industrial": non_ind,
                    "transport": _cum(transport, name, month),
                }
                opening = stock.get(name)
                if unit in _STOCKLESS_UNITS or opening is None:
                    figures["purchase"] = total if unit != "吨标准煤" else None
                else:
                    closing = opening + month
                    figures.update(opening=opening, closing=closing, purchase=total + closing - opening)
                coef = _d(TCE.get(name, "1"))
                purchase = figures.get("purchase")
                figures["amount"] = (
                    (purchase * Decimal("1.2")).quantize(Decimal("0.01")) if purchase else None
                )
                figures["coef"] = figures["ref_coef"] = coef
                for role, d in figures.items():
                    values[role] = _cell_value(d, number_style, zeros_blank)
            written: dict[str, object] = {}
            for role, value in values.items():
                v = cells.get((month, name, role), value)
                written[role] = v
                if v is not None and role in col:
                    ws.cell(row=r, column=col[role], value=v)
            if name != TOTAL_ROW[0]:
                tce_total += _row_tce(label, name, written, raw_coal)
                if name == "原煤":
                    raw_coal = _written(written.get("total")) or Decimal(0)
            r += 1
        r += 1
        ws.cell(row=r, column=start_col, value=SIGNATURE.format(date=f"{year}年{month % 12 + 1}月5日"))
        ws.cell(row=r + 1, column=start_col, value=NOTES)
        ws.column_dimensions["A"].width = 16
    return out


def _write_top(
    ws: Any,
    enterprise: Mapping[str, str],
    year: int,
    month: int,
    c0: int,
    width: int,
    period: str,
    period_label: str,
    uscc_style: str,
    title_year: bool,
) -> int:
    """Title, form lines and the enterprise block; returns the header's row."""
    last = c0 + width - 1
    title = (f"{year}年" if title_year else "") + "能源购进、消费与库存"
    ws.cell(row=1, column=c0, value=title).font = Font(bold=True, size=16)
    ws.cell(row=1, column=c0).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=c0, end_row=1, end_column=last)
    ws.cell(row=2, column=last - 2, value="表    号：205-1表")
    ws.cell(row=3, column=last - 2, value="制定机关：国家统计局")
    ws.cell(row=4, column=last - 2, value="批准文号：国统制〔2022〕100号")
    ws.cell(row=5, column=last - 2, value="有效期至：2025年1月")
    if period == "title":
        ws.cell(row=2, column=c0 + 5, value=_period_text(year, month, "title"))
    uscc = enterprise.get("uscc")
    if uscc is not None and uscc_style == "colon":
        ws.cell(row=3, column=c0, value=f"统一社会信用代码：{uscc}")
        ws.merge_cells(start_row=3, start_column=c0, end_row=3, end_column=c0 + 3)
    elif uscc is not None and uscc_style == "cells":  # the form's boxes: one character per cell
        ws.cell(row=7, column=c0, value="统一社会信用代码")
        for k, ch in enumerate(uscc):
            ws.cell(row=7, column=c0 + 1 + k, value=ch)
    if enterprise.get("name"):
        ws.cell(row=3, column=c0 + 4, value=f"单位详细名称：{enterprise['name']}")
    if enterprise.get("industry_code"):
        ws.cell(row=5, column=c0, value=f"行业代码：{enterprise['industry_code']}")
    if enterprise.get("region_code"):
        ws.cell(row=5, column=c0 + 3, value=f"行政区划代码：{enterprise['region_code']}")
    if period in ("range", "tilde", "month"):
        ws.cell(row=6, column=c0, value=f"{period_label}：{_period_text(year, month, period)}")
    return 8


def _write_header(
    ws: Any, r: int, col: Mapping[str, int], order: Sequence[str], layout: str, column_numbers: bool
) -> int:
    """The header rows and the column-number row; returns the first data row."""
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row: int, role: str, text: str, rows: int = 1, to: str | None = None) -> None:
        c = ws.cell(row=row, column=col[role], value=text)
        c.font, c.alignment = bold, center
        end_col = col[to] if to else col[role]
        if rows > 1 or end_col != col[role]:
            ws.merge_cells(start_row=row, start_column=col[role], end_row=row + rows - 1, end_column=end_col)

    if layout == "flat":
        for role in order:
            put(r, role, FLAT_HEADERS[role])
        depth = 1
    else:
        depth = 2 if layout == "two_rows" else 3
        for role, text in (
            ("name", "能源名称"), ("unit", "计量单位"), ("code", "代码"), ("opening", "年初库存量"),
            ("closing", "期末库存量"), ("coef", "采用折标系数"), ("ref_coef", "参考折标系数"),
        ):  # fmt: skip
            put(r, role, text, rows=depth)
        put(r, "purchase", "1-本月购进量", to="amount")
        put(r, "total", "1-本月消费量", to="transport")
        if layout == "two_rows":
            for role, text in (
                ("purchase", "实物量"), ("amount", "金额（千元）"), ("total", "合计"),
                ("industrial", "1.工业生产消费"), ("feedstock", "其中：用于原材料"),
                ("non_industrial", "2.非工业生产消费"), ("transport", "合计中：运输工具消费"),
            ):  # fmt: skip
                put(r + 1, role, text)
        else:
            for role, text in (
                ("purchase", "实物量"), ("amount", "金额（千元）"), ("total", "合计"),
                ("non_industrial", "非工业生产消费"), ("transport", "合计中：运输工具消费"),
            ):  # fmt: skip
                put(r + 1, role, text, rows=2)
            put(r + 1, "industrial", "工业生产消费", to="feedstock")
            put(r + 2, "feedstock", "其中：用于原材料")
    r += depth
    if column_numbers:
        labels = ["甲", "乙", "丙"]
        n = 0
        for role in order:
            if role in ("name", "unit", "code"):
                text: object = labels[("name", "unit", "code").index(role)]
            else:
                n += 1
                text = n
            ws.cell(row=r, column=col[role], value=text)
        r += 1
    return r


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed) for ``add_205_sheets``."""
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    return wb


def write_205(
    enterprise: Mapping[str, str],
    monthly: Mapping[int, Mapping[str, float]],
    year: int,
    *,
    months: Sequence[int] | None = None,
    **options: Any,
) -> bytes:
    """An xlsx with one 205-1 sheet per month of ``months``; see ``add_205_sheets``."""
    wb = new_workbook()
    add_205_sheets(wb, enterprise, monthly, year, months=months, **options)
    return workbook_bytes(wb)


def calamine_sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet as python-calamine reads it: rows from Excel row 1, cells from column A."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: list[tuple[str, list[list[Any]]]] = []
    try:
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            pad = [""] * (sheet.start[1] if sheet.start else 0)
            out.append((name, [pad + list(row) for row in sheet.iter_rows()]))
    finally:
        wb.close()
    return out
