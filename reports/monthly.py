"""The officials' monthly report: one data dict in, xlsx or PDF bytes out.

No database here: ``carbon.services.monthly`` gathers the figures and hands over a plain
dict of JSON types laid out as follows (tCO2, tce, 万元 = 10^4 CNY; a ``*share`` is a
fraction of the region total, a ``yoy*`` the relative change against the same period of
the previous year, 0.05 = +5 %, ``None`` where there is nothing to compare with)::

    region "330800", month "2023-06", year 2023, previous_year 2022,
    generated_at  ISO datetime (optional; the PDF's creation date),
    totals: {month, ytd, previous_month, previous_ytd: PERIOD, yoy_month, yoy_ytd: {key: ratio}}
        PERIOD = {enterprises, total, fuel, process, electricity, heat, energy_tce,
                  value_added, gross_output, tax, intensity, intensity_enterprises}
    by_industry: [{division, enterprises_known, enterprises, month_tco2, month_share,
                   ytd_tco2, ytd_share, previous_month_tco2, previous_ytd_tco2,
                   yoy_month, yoy_ytd, intensity_ytd, red}]
    by_county:   the same with region_code instead of division
    ratings: {year, requested_year, fallback, enterprises, rated, not_rated,
              colours: {dark_green, light_green, yellow, red: n}, grades: {"1".."5": n},
              classes: {low, medium, high: n},
              provisional: n, provisional_rated: n (暂评, a year to date; optional),
              provisional_colours / provisional_grades / provisional_classes: {…: n},
              provisional_months: [{months: [1, 2, 3], enterprises: n}]}
    high_carbon: [{uscc, name, region_code, industry_code, division, grade, colour, score,
                   intensity, intensity_class, emissions, ytd_tco2, provisional, months}]
    largest: [{rank, uscc, name, region_code, industry_code, division, ytd_tco2,
               ytd_share, month_tco2, yoy_ytd, grade, colour, provisional, months}]
    quality: {enterprises_known, enterprises_with_data, coverage,
              missing_month: [{uscc, name, region_code, industry_code, division, latest_period}],
              missing_value_added: [{uscc, name, region_code, industry_code, division,
                                     value_added_ytd}],
              factor_proxy, factor_proxy_count,
              grid_factor: {value, unit, year, source_year, proxy} | None,
              factor_set, methodology, previous_factor_set: {id, version},
              rating_methodologies: [{id, version}]}

The rating sections (distribution, red list, largest emitters) are
``reports.monthly_ratings``; they mark every provisional rating (暂评, docs/methodology.md §6).

Every label is bilingual (中文 / English). Text cells of the workbook are stored as text,
never as formulas, whatever they start with.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from reports.cells import put
from reports.regions import division_name, region_name

PART_LABELS: dict[str, tuple[str, str]] = {
    "fuel": ("化石燃料燃烧", "Fuel combustion"),
    "process": ("工业过程", "Industrial processes"),
    "electricity": ("外购电力", "Purchased electricity"),
    "heat": ("外购热力", "Purchased heat"),
}
COLOUR_LABELS: dict[str, tuple[str, str]] = {
    "dark_green": ("深绿", "Dark green"),
    "light_green": ("浅绿", "Light green"),
    "yellow": ("黄", "Yellow"),
    "red": ("红", "Red"),
}
COLOUR_FILL: dict[str, str] = {
    "dark_green": "#1a7f37",
    "light_green": "#8cc152",
    "yellow": "#f2c200",
    "red": "#d93025",
}
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "low": ("低碳", "Low carbon"),
    "medium": ("中碳", "Medium carbon"),
    "high": ("高碳", "High carbon"),
}
SHEETS = (
    "概览 Summary",
    "行业 By industry",
    "区县 By county",
    "评价分布 Ratings",
    "高碳名单 High-carbon list",
    "排放大户 Largest emitters",
    "数据质量 Data quality",
)
# Rows of the long lists the PDF shows; the workbook has them all.
PDF_LIST_LIMIT = 40
PDF_RED_LIMIT = 100

DASH = "—"
BEIJING = timezone(timedelta(hours=8))


# ------------------------------------------------------------------ formatting


def num(v: float | None, digits: int = 2) -> str:
    return DASH if v is None else f"{v + 0.0:,.{digits}f}"


def pct(ratio: float | None, *, signed: bool = True) -> str:
    if ratio is None:
        return DASH
    return f"{ratio * 100:+.1f}%" if signed else f"{ratio * 100:.1f}%"


def colour_label(colour: str | None) -> str:
    if colour is None:
        return "未评价 Not rated"
    zh, en = COLOUR_LABELS.get(colour, (colour, colour))
    return f"{zh} {en}"


def grade_label(grade: int | None) -> str:
    return DASH if grade is None else f"{grade}级"


NBSP = "\u00a0"  # keeps a code and its name on one line in a wrapped table cell


def county_label(code: str) -> str:
    name = region_name(code)
    return code if name == code else f"{name}{NBSP}{code}"


def county_short(code: str) -> str:
    """The county's name (the code where it has none): for narrow columns."""
    return region_name(code)


def industry_label(division: str) -> str:
    name = division_name(division)
    return division if name == division else f"{division}{NBSP}{name}"


def _generated(data: Mapping[str, Any]) -> str:
    """The generation time in Beijing time, as officials read it."""
    stamp = data.get("generated_at")
    if not stamp:
        return DASH
    t = datetime.fromisoformat(str(stamp))
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M} (UTC+8)"


def _name(row: Mapping[str, Any]) -> str:
    return str(row.get("name") or row["uscc"])


def _ytd_span(data: Mapping[str, Any]) -> str:
    return f"{data['year']:04d}-01 ~ {data['month']}"


def _rating_note(r: Mapping[str, Any]) -> tuple[str, str]:
    if r["year"] is None:
        return ("本区域尚无评价结果", "no ratings yet for this region")
    if r["fallback"]:
        return (
            f"{r['requested_year']}年尚无评价结果，采用{r['year']}年评价",
            f"no ratings for {r['requested_year']} yet: the {r['year']} ratings are shown",
        )
    return (
        f"{r['year']}年当前评价（依据已报送月份）",
        f"current {r['year']} ratings (from the months reported so far)",
    )


def _provisional_fact(r: Mapping[str, Any]) -> str:
    """How many of the ratings are provisional (暂评, a year to date), over which months."""
    from reports.provisional import months_span

    spans = r.get("provisional_months") or []
    text = f"{int(r.get('provisional') or 0):,} / {r['enterprises']:,}"
    if spans:
        zh = "；".join(f"{months_span(x['months'], '、')}月 {x['enterprises']:,} 家" for x in spans)
        en = "; ".join(f"months {months_span(x['months'])}: {x['enterprises']:,}" for x in spans)
        text += f"（{zh}） provisional, year to date ({en})"
    return text


def _yoy(data: Mapping[str, Any], which: str, key: str) -> float | None:
    t = data["totals"]
    given = t[f"yoy_{which}"]
    if key in given:
        return None if given[key] is None else float(given[key])
    now, before = t[which][key], t[f"previous_{which}"][key]
    if now is None or not before or not t[f"previous_{which}"]["enterprises"]:
        return None
    return float((now - before) / abs(before))


SUMMARY_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("total", "碳排放总量 / Total emissions", "tCO2", "tco2"),
    *((p, f"  其中：{zh} / of which {en.lower()}", "tCO2", "tco2") for p, (zh, en) in PART_LABELS.items()),
    ("energy_tce", "综合能耗 / Energy consumption", "tce", "tco2"),
    ("value_added", "工业增加值 / Value added", "万元 / 10^4 CNY", "tco2"),
    ("gross_output", "工业总产值 / Gross output", "万元 / 10^4 CNY", "tco2"),
    ("tax", "税收 / Tax", "万元 / 10^4 CNY", "tco2"),
    ("intensity", "碳排放强度 / Carbon intensity", "tCO2/万元", "intensity"),
    ("enterprises", "报送企业数 / Reporting enterprises", "家 / count", "int"),
)


# ------------------------------------------------------------------------ xlsx


@dataclass(frozen=True)
class XColumn:
    heading: str
    width: float
    kind: str = "text"
    value: Callable[[Mapping[str, Any]], Any] | None = None


class _Book:
    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb = Workbook()
        self.title_font = Font(bold=True, size=13, color="1F4E79")
        self.head_font = Font(bold=True, color="FFFFFF")
        self.head_fill = PatternFill("solid", fgColor="1F4E79")
        self.head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.bold = Font(bold=True)
        self.note_font = Font(italic=True, color="666666")
        self.border = Border(bottom=Side(style="thin", color="BBBBBB"))
        self.first = True

    def sheet(self, name: str) -> Any:
        if self.first:
            ws = self.wb.active
            ws.title = name
            self.first = False
            return ws
        return self.wb.create_sheet(name)

    def title(self, ws: Any, text: str, row: int = 1) -> None:
        put(ws, row, 1, text).font = self.title_font
        ws.row_dimensions[row].height = 22

    def note(self, ws: Any, row: int, text: str) -> None:
        put(ws, row, 1, text).font = self.note_font

    def header(self, ws: Any, row: int, columns: Sequence[XColumn]) -> None:
        from openpyxl.utils import get_column_letter

        for j, c in enumerate(columns, start=1):
            cell = put(ws, row, j, c.heading)
            cell.font = self.head_font
            cell.fill = self.head_fill
            cell.alignment = self.head_align
            dim = ws.column_dimensions[get_column_letter(j)]
            dim.width = max(dim.width or 0, c.width)
        ws.row_dimensions[row].height = 32

    def table(
        self,
        ws: Any,
        columns: Sequence[XColumn],
        rows: Sequence[Mapping[str, Any]],
        *,
        start: int = 2,
        freeze_col: int = 1,
        autofilter: bool = True,
    ) -> int:
        """Header at ``start``, rows below; returns the next free row."""
        from openpyxl.utils import get_column_letter

        self.header(ws, start, columns)
        for i, r in enumerate(rows, start=start + 1):
            for j, c in enumerate(columns, start=1):
                v = c.value(r) if c.value else None
                put(ws, i, j, v, c.kind)
        last = start + len(rows)
        ws.freeze_panes = f"{get_column_letter(freeze_col)}{start + 1}"
        if autofilter and rows:
            ws.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{last}"
        return last + 1

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.wb.properties.creator = "carbon-account"
        self.wb.save(buf)
        return buf.getvalue()


def _region_title(data: Mapping[str, Any]) -> str:
    region = data["region"]
    return f"{region_name(region)}（{region}）{data['month']}"


def render_xlsx(data: Mapping[str, Any]) -> bytes:
    """The report as a workbook of seven sheets (``SHEETS``), bilingual headers."""
    from reports.monthly_ratings import xlsx_high_carbon, xlsx_largest, xlsx_ratings

    book = _Book()
    _xlsx_summary(book, data)
    _xlsx_groups(book, data, SHEETS[1], data["by_industry"], "division")
    _xlsx_groups(book, data, SHEETS[2], data["by_county"], "region_code")
    xlsx_ratings(book, data)
    xlsx_high_carbon(book, data)
    xlsx_largest(book, data)
    _xlsx_quality(book, data)
    return book.save()


def _xlsx_summary(book: _Book, data: Mapping[str, Any]) -> None:
    ws = book.sheet(SHEETS[0])
    region = data["region"]
    book.title(
        ws,
        f"{region_name(region)}工业碳账户月报 {data['month']} / "
        f"{region_name(region, 'en')} industrial carbon account monthly report, {data['month']}",
    )
    t = data["totals"]
    columns = [
        XColumn("指标 / Item", 38),
        XColumn("单位 / Unit", 16),
        XColumn(f"本月 / Month\n{data['month']}", 16),
        XColumn("上年同月 / Same month\nlast year", 16),
        XColumn("同比 / YoY", 11),
        XColumn(f"本年累计 / Year to date\n{_ytd_span(data)}", 18),
        XColumn("上年同期 / Same period\nlast year", 16),
        XColumn("同比 / YoY", 11),
    ]
    book.header(ws, 2, columns)
    for i, (key, label, unit, kind) in enumerate(SUMMARY_ROWS, start=3):
        put(ws, i, 1, label)
        put(ws, i, 2, unit)
        put(ws, i, 3, t["month"][key], kind)
        put(ws, i, 4, t["previous_month"][key] if t["previous_month"]["enterprises"] else None, kind)
        put(ws, i, 5, _yoy(data, "month", key), "pct")
        put(ws, i, 6, t["ytd"][key], kind)
        put(ws, i, 7, t["previous_ytd"][key] if t["previous_ytd"]["enterprises"] else None, kind)
        put(ws, i, 8, _yoy(data, "ytd", key), "pct")
        if key == "total":
            for j in range(1, 9):
                ws.cell(row=i, column=j).font = book.bold
    ws.freeze_panes = "B3"
    row = 3 + len(SUMMARY_ROWS) + 1
    q, r = data["quality"], data["ratings"]
    rating_zh, rating_en = _rating_note(r)
    facts = [
        ("统计范围 / Scope", f"{region} {region_name(region)} / {region_name(region, 'en')}"),
        ("报告月份 / Month", data["month"]),
        ("本年累计期间 / Year-to-date period", _ytd_span(data)),
        (
            "报送企业 / Reporting enterprises",
            f"{q['enterprises_with_data']} / {q['enterprises_known']} ({pct(q['coverage'], signed=False)})",
        ),
        ("评价年份 / Rating year", f"{r['year'] or DASH}（{rating_zh} / {rating_en}）"),
        ("红码企业 / Red-rated enterprises", r["colours"]["red"]),
        ("暂评企业 / Provisional ratings (暂评)", _provisional_fact(r)),
        ("因子集 / Factor set", _ref(q["factor_set"])),
        ("方法学 / Methodology", _ref(q["methodology"])),
        ("生成时间 / Generated", _generated(data)),
    ]
    for label, value in facts:
        put(ws, row, 1, label).font = book.bold
        put(ws, row, 2, value, "int")
        row += 1
    book.note(
        ws,
        row + 1,
        "注：碳排放强度 = 排放 / 工业增加值，仅计报送增加值的企业；"
        "同比按当年与上年同期范围内全部企业合计比较。 / Note: intensity = emissions / value added "
        "over the enterprises reporting value added; year-on-year compares all enterprises in scope "
        "with the same period last year.",
    )


def _group_columns(key: str) -> list[XColumn]:
    if key == "division":
        first = [
            XColumn("行业大类代码 / Division (GB/T 4754)", 14, value=lambda r: r["division"]),
            XColumn("行业名称 / Industry", 34, value=lambda r: division_name(r["division"])),
        ]
    else:
        first = [
            XColumn("区划代码 / Region code", 12, value=lambda r: r["region_code"]),
            XColumn("区县 / County", 14, value=lambda r: region_name(r["region_code"])),
        ]
    return [
        *first,
        XColumn("登记企业数 / Enterprises", 12, "int", lambda r: r["enterprises_known"]),
        XColumn("本月报送 / Reporting", 11, "int", lambda r: r["enterprises"]),
        XColumn("本月排放 / Month (tCO2)", 16, "tco2", lambda r: r["month_tco2"]),
        XColumn("本月占比 / Month share", 11, "share", lambda r: r["month_share"]),
        XColumn("本月同比 / Month YoY", 11, "pct", lambda r: r["yoy_month"]),
        XColumn("累计排放 / YTD (tCO2)", 16, "tco2", lambda r: r["ytd_tco2"]),
        XColumn("累计占比 / YTD share", 11, "share", lambda r: r["ytd_share"]),
        XColumn("上年同期 / Prev. YTD (tCO2)", 16, "tco2", lambda r: r["previous_ytd_tco2"]),
        XColumn("累计同比 / YTD YoY", 11, "pct", lambda r: r["yoy_ytd"]),
        XColumn("累计强度 / YTD intensity (tCO2/万元)", 15, "intensity", lambda r: r["intensity_ytd"]),
        XColumn("红码企业 / Red", 9, "int", lambda r: r["red"]),
    ]


def _xlsx_groups(
    book: _Book, data: Mapping[str, Any], name: str, rows: Sequence[Mapping[str, Any]], key: str
) -> None:
    ws = book.sheet(name)
    what = ("分行业", "by industry division") if key == "division" else ("分区县", "by county")
    book.title(ws, f"{_region_title(data)} 碳排放{what[0]} / Emissions {what[1]}")
    book.table(ws, _group_columns(key), rows, freeze_col=3)


def _who_columns() -> list[XColumn]:
    return [
        XColumn("统一社会信用代码 / USCC", 22, value=lambda r: r["uscc"]),
        XColumn("企业名称 / Name", 32, value=lambda r: r["name"]),
        XColumn("区县 / County", 16, value=lambda r: county_label(r["region_code"])),
        XColumn("行业代码 / Industry code", 11, value=lambda r: r["industry_code"]),
        XColumn("行业 / Industry", 26, value=lambda r: division_name(r["division"])),
    ]


def _ref(ref: Mapping[str, Any] | None) -> str:
    return DASH if not ref else f"{ref['id']}@{ref['version']}"


def _quality_facts(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    q = data["quality"]
    g = q["grid_factor"]
    grid = DASH
    if g:
        grid = f"{g['value']} {g['unit']}（{g['source_year']}）"
        if g["proxy"]:
            grid += f" 替代 proxy for {g['year']}"
    return [
        ("登记企业数 / Enterprises known in scope", f"{q['enterprises_known']:,}"),
        (
            "本月报送企业数 / With data this month",
            f"{q['enterprises_with_data']:,}（{pct(q['coverage'], signed=False)}）",
        ),
        ("本月未报送 / Without data this month", f"{len(q['missing_month']):,}"),
        ("缺少工业增加值 / Missing value added (this month)", f"{len(q['missing_value_added']):,}"),
        ("采用替代电网因子 / Results with a proxy grid factor", f"{q['factor_proxy_count']:,}"),
        ("电网排放因子 / Grid emission factor", grid),
        (f"因子集 / Factor set ({data['year']})", _ref(q["factor_set"])),
        (f"因子集 / Factor set ({data['previous_year']})", _ref(q["previous_factor_set"])),
        ("方法学 / Methodology", _ref(q["methodology"])),
        (
            "评价所用方法学 / Methodology of the ratings",
            ", ".join(_ref(m) for m in q["rating_methodologies"]) or DASH,
        ),
    ]


def _xlsx_quality(book: _Book, data: Mapping[str, Any]) -> None:
    ws = book.sheet(SHEETS[6])
    book.title(ws, f"{_region_title(data)} 数据覆盖与质量 / Data coverage and quality")
    facts = [{"k": k, "v": v} for k, v in _quality_facts(data)]
    row = book.table(
        ws,
        [
            XColumn("项目 / Item", 46, value=lambda x: x["k"]),
            XColumn("值 / Value", 30, value=lambda x: x["v"]),
        ],
        facts,
        autofilter=False,
    )
    q = data["quality"]
    row += 1
    put(ws, row, 1, f"本月未报送企业 / Enterprises without data for {data['month']}").font = book.bold
    columns = [*_who_columns(), XColumn("最近数据月份 / Latest data", 13, value=lambda x: x["latest_period"])]
    row = _plain_table(book, ws, row + 1, columns, q["missing_month"]) + 1
    put(ws, row, 1, "缺少工业增加值的企业 / Enterprises missing value added this month").font = book.bold
    columns = [
        *_who_columns(),
        XColumn("本年累计增加值 / YTD value added (万元)", 16, "tco2", lambda x: x["value_added_ytd"]),
    ]
    _plain_table(book, ws, row + 1, columns, q["missing_value_added"])
    ws.freeze_panes = "A3"


def _plain_table(
    book: _Book, ws: Any, start: int, columns: Sequence[XColumn], rows: Sequence[Mapping[str, Any]]
) -> int:
    """A secondary table further down a sheet (no freeze, no filter)."""
    book.header(ws, start, columns)
    for i, r in enumerate(rows, start=start + 1):
        for j, c in enumerate(columns, start=1):
            put(ws, i, j, c.value(r) if c.value else None, c.kind)
    if not rows:
        put(ws, start + 1, 1, "无 / None")
        return start + 2
    return start + 1 + len(rows)


# ------------------------------------------------------------------------- PDF


def render_pdf(data: Mapping[str, Any]) -> bytes:
    """The report as an A4 PDF: title page with key figures, then one section a page."""
    from reports.monthly_ratings import pdf_high_carbon, pdf_largest, pdf_ratings
    from reports.pdf import ReportDocument

    region = data["region"]
    zh_name, en_name = region_name(region), region_name(region, "en")
    doc = ReportDocument(
        title=f"{zh_name}工业碳账户月报 {data['month']}",
        running_head=f"{zh_name} {region} · 工业碳账户月报 {data['month']} · "
        f"{en_name} industrial carbon account monthly report",
        footer=f"碳账户月报 {region} {data['month']}",
        created=_created(data),
    )
    _pdf_title_page(doc, data, zh_name, en_name)
    _pdf_groups(doc, data, "region_code")
    _pdf_groups(doc, data, "division")
    pdf_ratings(doc, data)
    pdf_high_carbon(doc, data)
    pdf_largest(doc, data)
    _pdf_quality(doc, data)
    return bytes(doc.output())


def _created(data: Mapping[str, Any]) -> datetime:
    """The stated generation time, else the first day of the month reported (so the same
    data always gives the same bytes)."""
    stamp = data.get("generated_at")
    if stamp:
        t = datetime.fromisoformat(str(stamp))
        return t if t.tzinfo else t.replace(tzinfo=UTC)
    year, month = (int(x) for x in str(data["month"]).split("-"))
    return datetime(year, month, 1, tzinfo=UTC)


def _pdf_title_page(doc: Any, data: Mapping[str, Any], zh_name: str, en_name: str) -> None:
    from reports.pdf import ACCENT, PAGE_MARGIN, Column

    doc.add_page()
    year, month = (int(x) for x in str(data["month"]).split("-"))
    doc.set_fill_color(*ACCENT)
    doc.rect(0, 0, doc.w, 46, style="F")
    doc.set_text_color(255, 255, 255)
    doc.set_xy(PAGE_MARGIN, 12)
    doc.set_font("cjk", "B", 22)
    doc.cell(0, 10, f"{zh_name}工业碳账户月报")
    doc.set_xy(PAGE_MARGIN, 24)
    doc.set_font("cjk", "", 11.5)
    doc.cell(0, 6, f"{en_name} · Industrial Carbon Account Monthly Report")
    doc.set_xy(PAGE_MARGIN, 32)
    doc.set_font("cjk", "B", 12)
    doc.cell(0, 7, f"{year}年{month}月 · {datetime(year, month, 1):%B %Y}")
    doc.set_text_color(0)
    doc.set_xy(PAGE_MARGIN, 52)

    region = data["region"]
    scope = (
        f"{region} {zh_name}（含所辖全部区县 / all counties {region[:4]}xx）"
        if region.endswith("00")
        else f"{region} {zh_name}"
    )
    q, r, t = data["quality"], data["ratings"], data["totals"]
    rating_zh, rating_en = _rating_note(r)
    doc.set_font("cjk", "", 8.8)
    for label, value in (
        ("统计范围 Scope", scope),
        ("报告月份 Month", f"{data['month']}；本年累计 Year to date: {_ytd_span(data)}"),
        (
            "数据覆盖 Coverage",
            f"{q['enterprises_with_data']:,} / {q['enterprises_known']:,} 家企业报送本月数据"
            f"（{pct(q['coverage'], signed=False)}） enterprises reported this month",
        ),
        ("评价年份 Rating year", f"{r['year'] or DASH} — {rating_zh} / {rating_en}"),
        ("暂评 Provisional", _provisional_fact(r)),
        ("生成时间 Generated", _generated(data)),
    ):
        doc.set_x(PAGE_MARGIN)
        doc.set_font("cjk", "B", 8.8)
        doc.cell(34, 5.2, label)
        doc.set_font("cjk", "", 8.8)
        doc.multi_cell(0, 5.2, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)

    doc.heading("关键指标", "Key figures")
    m, y = t["month"], t["ytd"]

    def yoy(which: str, key: str) -> str:
        return f"同比 YoY {pct(_yoy(data, which, key))}"

    classes = r["classes"]
    doc.tiles(
        [
            ("本月碳排放\nEmissions this month", num(m["total"]), "tCO2", yoy("month", "total")),
            ("本年累计碳排放\nEmissions year to date", num(y["total"]), "tCO2", yoy("ytd", "total")),
            ("本月综合能耗\nEnergy this month", num(m["energy_tce"]), "tce", yoy("month", "energy_tce")),
            (
                "本月工业增加值\nValue added this month",
                num(m["value_added"]),
                "万元 10^4 CNY",
                yoy("month", "value_added"),
            ),
            (
                "累计碳排放强度\nIntensity year to date",
                num(y["intensity"], 4),
                "tCO2/万元",
                yoy("ytd", "intensity"),
            ),
            (
                "本月报送企业\nReporting enterprises",
                f"{m['enterprises']:,}",
                f"登记 known {q['enterprises_known']:,}",
                f"覆盖率 coverage {pct(q['coverage'], signed=False)}",
            ),
            (
                "红码企业\nRed-rated enterprises",
                f"{r['colours']['red']:,}",
                f"已评价 rated {r['rated']:,}",
                f"评价年份 rating year {r['year'] or DASH}",
            ),
            (
                "高碳类企业\nHigh-intensity class",
                f"{classes['high']:,}",
                "强度 L > 2.0 tCO2/万元",
                f"低碳 low {classes['low']:,} · 中碳 medium {classes['medium']:,}",
            ),
        ]
    )
    doc.ln(2)

    doc.heading("排放构成与同比", "Emissions by part, year on year")
    pm, py = t["previous_month"], t["previous_ytd"]
    rows: list[list[Any]] = []
    for key, label, unit, kind in SUMMARY_ROWS:
        if key in ("gross_output", "tax"):
            continue
        digits = 4 if kind == "intensity" else 0 if kind == "int" else 2
        rows.append(
            [
                f"{label.strip()}（{unit}）",
                num(m[key], digits),
                num(pm[key], digits) if pm["enterprises"] else DASH,
                pct(_yoy(data, "month", key)),
                num(y[key], digits),
                num(py[key], digits) if py["enterprises"] else DASH,
                pct(_yoy(data, "ytd", key)),
            ]
        )
    doc.data_table(
        [
            Column("指标（单位）\nItem (unit)", 62),
            Column(f"本月\n{data['month']}", 21, "R"),
            Column(f"上年同月\n{data['previous_year']}-{month:02d}", 21, "R"),
            Column("同比\nYoY", 13, "R"),
            Column(f"本年累计\nYTD {data['year']}", 22, "R"),
            Column(f"上年同期\nYTD {data['previous_year']}", 22, "R"),
            Column("同比\nYoY", 13, "R"),
        ],
        rows,
        size=7.2,
    )
    doc.notes(
        [
            "碳排放 = 化石燃料燃烧 + 工业过程 + 外购电力 + 外购热力（tCO2）。Emissions = fuel + process + "
            "purchased electricity + purchased heat.",
            "碳排放强度 = 碳排放 / 工业增加值，仅计报送增加值的企业。Intensity = emissions / value added, "
            "over the enterprises that report value added.",
            "同比：当年与上年同期范围内全部企业合计之比，各年按各自因子集核算。Year on year: all enterprises "
            "in scope against the same period last year, each year with its own factor set.",
            f"因子集 Factor set {_ref(q['factor_set'])}；方法学 Methodology {_ref(q['methodology'])}。",
        ]
    )


def _pdf_groups(doc: Any, data: Mapping[str, Any], key: str) -> None:
    from reports.pdf import Column
    from reports.report_charts import emissions_bar_chart

    rows_in: Sequence[Mapping[str, Any]] = data["by_county" if key == "region_code" else "by_industry"]
    if key == "region_code":
        doc.add_page()
    else:
        doc.section(130)
    if key == "region_code":
        doc.heading("分区县碳排放", "Emissions by county")
        label = lambda r: county_label(r["region_code"])  # noqa: E731
        chart_rows = list(rows_in)
        first = Column("区县\nCounty", 30)
    else:
        doc.heading("分行业碳排放", "Emissions by industry division (GB/T 4754)")
        label = lambda r: industry_label(r["division"])  # noqa: E731
        chart_rows = sorted(rows_in, key=lambda r: -r["ytd_tco2"])[:12]
        first = Column("行业大类\nIndustry division", 46)
    labels = [
        (region_name(r["region_code"]) if key == "region_code" else _short(industry_label(r["division"]), 22))
        for r in chart_rows
    ]
    chart = emissions_bar_chart(
        labels,
        [r["ytd_tco2"] for r in chart_rows],
        [r["previous_ytd_tco2"] for r in chart_rows],
        title=f"本年累计碳排放 Emissions year to date ({_ytd_span(data)})"
        + (f" · 前{len(chart_rows)} top {len(chart_rows)}" if len(rows_in) > len(chart_rows) else ""),
        axis_label="吨二氧化碳 tCO2",
        current_label=f"{data['year']} 累计 YTD",
        previous_label=f"{data['previous_year']} 同期 same period",
        fmt="svg",
    )
    doc.svg(chart, width=doc.content_width * 0.92)
    total = data["totals"]
    rows = [
        [
            label(r),
            f"{r['enterprises']:,} / {r['enterprises_known']:,}",
            num(r["month_tco2"]),
            pct(r["month_share"], signed=False),
            pct(r["yoy_month"]),
            num(r["ytd_tco2"]),
            pct(r["ytd_share"], signed=False),
            pct(r["yoy_ytd"]),
            num(r["intensity_ytd"], 4),
            f"{r['red']:,}",
        ]
        for r in rows_in
    ]
    rows.append(
        [
            "合计 Total",
            f"{total['month']['enterprises']:,} / {data['quality']['enterprises_known']:,}",
            num(total["month"]["total"]),
            "100.0%",
            pct(_yoy(data, "month", "total")),
            num(total["ytd"]["total"]),
            "100.0%",
            pct(_yoy(data, "ytd", "total")),
            num(total["ytd"]["intensity"], 4),
            f"{data['ratings']['colours']['red']:,}",
        ]
    )
    doc.data_table(
        [
            first,
            Column("报送/登记\nReporting", 20, "R"),
            Column("本月排放\nMonth tCO2", 21, "R"),
            Column("占比\nShare", 12, "R"),
            Column("同比\nYoY", 12, "R"),
            Column("累计排放\nYTD tCO2", 22, "R"),
            Column("占比\nShare", 12, "R"),
            Column("同比\nYoY", 12, "R"),
            Column("累计强度\ntCO2/万元", 15, "R"),
            Column("红码\nRed", 9, "R"),
        ],
        rows,
        size=6.9,
        bold_last=True,
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pdf_quality(doc: Any, data: Mapping[str, Any]) -> None:
    from reports.pdf import Column

    q = data["quality"]
    doc.section(90)
    doc.heading("数据覆盖与质量", "Data coverage and quality")
    doc.data_table(
        [Column("项目 Item", 80), Column("值 Value", 60)],
        [[k, v] for k, v in _quality_facts(data)],
        size=7.8,
        width=140,
    )
    who = [
        Column("统一社会信用代码\nUSCC", 30),
        Column("企业名称\nName", 44),
        Column("区县\nCounty", 20),
        Column("行业\nIndustry", 34),
    ]
    for title, items, extra, value in (
        (
            f"本月未报送企业 Enterprises without data for {data['month']}",
            q["missing_month"],
            Column("最近数据月份\nLatest data", 18, "C"),
            lambda x: x["latest_period"] or DASH,
        ),
        (
            "缺少工业增加值的企业 Enterprises missing value added this month",
            q["missing_value_added"],
            Column("累计增加值\nYTD VA 万元", 18, "R"),
            lambda x: num(x["value_added_ytd"]),
        ),
    ):
        doc.subheading(f"{title}（{len(items):,}）")
        if not items:
            doc.paragraph("无 None", size=8.5)
            doc.ln(2)
            continue
        doc.data_table(
            [*who, extra],
            [
                [x["uscc"], _name(x), county_short(x["region_code"]), industry_label(x["division"]), value(x)]
                for x in items[:PDF_LIST_LIMIT]
            ],
            size=6.8,
        )
        if len(items) > PDF_LIST_LIMIT:
            doc.notes(
                [
                    f"仅列前 {PDF_LIST_LIMIT} 家，完整名单见 xlsx。"
                    f"First {PDF_LIST_LIMIT} shown; full list in the workbook."
                ]
            )
