"""The officials' monthly report as an A4 PDF: a title page with the key figures, then
emissions by county and by industry (with charts), the rating sections
(``reports.monthly_ratings``) and data coverage and quality.

The data is ``reports.monthly_data.MonthlyReportData`` (made by ``carbon.services.monthly``).
Every label is bilingual (中文 English). With a stated ``generated_at`` (else the first day of
the month reported) the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from carbon.domain.vocabulary import Colour, IntensityClass
from reports.monthly_data import GroupFigures, PeriodKey, Which, Who
from reports.monthly_data import MonthlyReportData as Data
from reports.monthly_ratings import pdf_high_carbon, pdf_largest, pdf_ratings
from reports.monthly_text import (
    DASH,
    PDF_LIST_LIMIT,
    SUMMARY_ROWS,
    county_label,
    county_short,
    enterprise_name,
    generated,
    industry_label,
    num,
    pct,
    provisional_fact,
    quality_facts,
    rating_note,
    ref_text,
    short,
    yoy,
    ytd_span,
)
from reports.regions import region_name

if TYPE_CHECKING:
    from reports.pdf import Column, ReportDocument

__all__ = ["render_monthly_pdf"]

G = TypeVar("G", bound=GroupFigures)
W = TypeVar("W", bound=Who)


def render_monthly_pdf(data: Data) -> bytes:
    """The report as an A4 PDF: title page with key figures, then one section a page.

    The CJK faces are first cut down to the characters the report can hold
    (``reports.pdf_fonts``); should a character still fall outside, the whole faces are used.
    """
    from reports.pdf_fonts import cut_fonts, strings, whole_fonts

    with cut_fonts(strings(data)) as fonts:
        doc = _document(data, fonts.files)
        try:
            # Every page but the last footer (fixed words only) is laid out by now.
            if fonts.whole or not doc.missing_glyphs():
                return bytes(doc.output())
        finally:
            doc.release_fonts()
    doc = _document(data, whole_fonts().files)
    try:
        return bytes(doc.output())
    finally:
        doc.release_fonts()


def _document(data: Data, fonts: Mapping[str, tuple[str, int]]) -> ReportDocument:
    from reports.pdf import Column, ReportDocument

    region = data["region"]
    zh_name, en_name = region_name(region), region_name(region, "en")
    doc = ReportDocument(
        title=f"{zh_name}工业碳账户月报 {data['month']}",
        running_head=f"{zh_name} {region} · 工业碳账户月报 {data['month']} · "
        f"{en_name} industrial carbon account monthly report",
        footer=f"碳账户月报 {region} {data['month']}",
        created=_created(data),
        fonts=fonts,
    )
    _title_page(doc, data, zh_name, en_name)
    doc.add_page()
    doc.heading("分区县碳排放", "Emissions by county")
    counties = data["by_county"]
    _groups(
        doc,
        data,
        counties,
        counties,
        [region_name(r["region_code"]) for r in counties],
        lambda r: county_label(r["region_code"]),
        Column("区县\nCounty", 30),
    )
    doc.section(130)
    doc.heading("分行业碳排放", "Emissions by industry division (GB/T 4754)")
    industries = data["by_industry"]
    top = sorted(industries, key=lambda r: -r["ytd_tco2"])[:12]
    _groups(
        doc,
        data,
        industries,
        top,
        [short(industry_label(r["division"]), 22) for r in top],
        lambda r: industry_label(r["division"]),
        Column("行业大类\nIndustry division", 46),
    )
    pdf_ratings(doc, data)
    pdf_high_carbon(doc, data)
    pdf_largest(doc, data)
    _quality(doc, data)
    return doc


def _created(data: Data) -> datetime:
    """The stated generation time, else the first day of the month reported (so the same
    data always gives the same bytes)."""
    stamp = data.get("generated_at")
    if stamp:
        t = datetime.fromisoformat(str(stamp))
        return t if t.tzinfo else t.replace(tzinfo=UTC)
    year, month = (int(x) for x in str(data["month"]).split("-"))
    return datetime(year, month, 1, tzinfo=UTC)


def _title_page(doc: ReportDocument, data: Data, zh_name: str, en_name: str) -> None:
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
    rating_zh, rating_en = rating_note(r)
    doc.set_font("cjk", "", 8.8)
    for label, value in (
        ("统计范围 Scope", scope),
        ("报告月份 Month", f"{data['month']}；本年累计 Year to date: {ytd_span(data)}"),
        (
            "数据覆盖 Coverage",
            f"{q['enterprises_with_data']:,} / {q['enterprises_known']:,} 家企业报送本月数据"
            f"（{pct(q['coverage'], signed=False)}） enterprises reported this month",
        ),
        ("评价年份 Rating year", f"{r['year'] or DASH} — {rating_zh} / {rating_en}"),
        ("暂评 Provisional", provisional_fact(r)),
        ("生成时间 Generated", generated(data)),
    ):
        doc.set_x(PAGE_MARGIN)
        doc.set_font("cjk", "B", 8.8)
        doc.cell(34, 5.2, label)
        doc.set_font("cjk", "", 8.8)
        doc.multi_cell(0, 5.2, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)

    doc.heading("关键指标", "Key figures")
    m, y = t["month"], t["ytd"]
    classes = r["classes"]
    doc.tiles(
        [
            ("本月碳排放\nEmissions this month", num(m["total"]), "tCO2", _yoy_text(data, "month", "total")),
            (
                "本年累计碳排放\nEmissions year to date",
                num(y["total"]),
                "tCO2",
                _yoy_text(data, "ytd", "total"),
            ),
            (
                "本月综合能耗\nEnergy this month",
                num(m["energy_tce"]),
                "tce",
                _yoy_text(data, "month", "energy_tce"),
            ),
            (
                "本月工业增加值\nValue added this month",
                num(m["value_added"]),
                "万元 10^4 CNY",
                _yoy_text(data, "month", "value_added"),
            ),
            (
                "累计碳排放强度\nIntensity year to date",
                num(y["intensity"], 4),
                "tCO2/万元",
                _yoy_text(data, "ytd", "intensity"),
            ),
            (
                "本月报送企业\nReporting enterprises",
                f"{m['enterprises']:,}",
                f"登记 known {q['enterprises_known']:,}",
                f"覆盖率 coverage {pct(q['coverage'], signed=False)}",
            ),
            (
                "红码企业\nRed-rated enterprises",
                f"{r['colours'][Colour.RED]:,}",
                f"已评价 rated {r['rated']:,}",
                f"评价年份 rating year {r['year'] or DASH}",
            ),
            (
                "高碳类企业\nHigh-intensity class",
                f"{classes[IntensityClass.HIGH]:,}",
                "强度 L > 2.0 tCO2/万元",
                f"低碳 low {classes[IntensityClass.LOW]:,} · 中碳 medium {classes[IntensityClass.MEDIUM]:,}",
            ),
        ]
    )
    doc.ln(2)

    doc.heading("排放构成与同比", "Emissions by part, year on year")
    pm, py = t["previous_month"], t["previous_ytd"]
    rows: list[list[str]] = []
    for key, label, unit, kind in SUMMARY_ROWS:
        if key in ("gross_output", "tax"):
            continue
        digits = 4 if kind == "intensity" else 0 if kind == "int" else 2
        rows.append(
            [
                f"{label.strip()}（{unit}）",
                num(m[key], digits),
                num(pm[key], digits) if pm["enterprises"] else DASH,
                pct(yoy(data, "month", key)),
                num(y[key], digits),
                num(py[key], digits) if py["enterprises"] else DASH,
                pct(yoy(data, "ytd", key)),
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
            f"因子集 Factor set {ref_text(q['factor_set'])}；"
            f"方法学 Methodology {ref_text(q['methodology'])}。",
        ]
    )


def _yoy_text(data: Data, which: Which, key: PeriodKey) -> str:
    return f"同比 YoY {pct(yoy(data, which, key))}"


def _groups(
    doc: ReportDocument,
    data: Data,
    rows_in: Sequence[G],
    chart_rows: Sequence[G],
    chart_labels: list[str],
    label: Callable[[G], str],
    first: Column,
) -> None:
    """A chart of the year-to-date emissions of ``chart_rows`` (with last year's), then the
    table of every group of ``rows_in`` and the region's total."""
    from reports.pdf import Column
    from reports.report_charts import emissions_bar_chart

    chart = emissions_bar_chart(
        chart_labels,
        [r["ytd_tco2"] for r in chart_rows],
        [r["previous_ytd_tco2"] for r in chart_rows],
        title=f"本年累计碳排放 Emissions year to date ({ytd_span(data)})"
        + (f" · 前{len(chart_rows)} top {len(chart_rows)}" if len(rows_in) > len(chart_rows) else ""),
        axis_label="吨二氧化碳 tCO2",
        current_label=f"{data['year']} 累计 YTD",
        previous_label=f"{data['previous_year']} 同期 same period",
        fmt="png",
    )
    doc.png(chart, width=doc.content_width * 0.92)
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
            pct(yoy(data, "month", "total")),
            num(total["ytd"]["total"]),
            "100.0%",
            pct(yoy(data, "ytd", "total")),
            num(total["ytd"]["intensity"], 4),
            f"{data['ratings']['colours'][Colour.RED]:,}",
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


def _quality(doc: ReportDocument, data: Data) -> None:
    from reports.pdf import Column

    q = data["quality"]
    doc.section(90)
    doc.heading("数据覆盖与质量", "Data coverage and quality")
    doc.data_table(
        [Column("项目 Item", 80), Column("值 Value", 60)],
        [[k, v] for k, v in quality_facts(data)],
        size=7.8,
        width=140,
    )
    _who_list(
        doc,
        f"本月未报送企业 Enterprises without data for {data['month']}",
        q["missing_month"],
        Column("最近数据月份\nLatest data", 18, "C"),
        lambda x: x["latest_period"] or DASH,
    )
    _who_list(
        doc,
        "缺少工业增加值的企业 Enterprises missing value added this month",
        q["missing_value_added"],
        Column("累计增加值\nYTD VA 万元", 18, "R"),
        lambda x: num(x["value_added_ytd"]),
    )


def _who_list(
    doc: ReportDocument, title: str, items: Sequence[W], extra: Column, value: Callable[[W], str]
) -> None:
    """A list of enterprises with one more column, the first ``PDF_LIST_LIMIT`` of them."""
    from reports.pdf import Column

    doc.subheading(f"{title}（{len(items):,}）")
    if not items:
        doc.paragraph("无 None", size=8.5)
        doc.ln(2)
        return
    who = [
        Column("统一社会信用代码\nUSCC", 30),
        Column("企业名称\nName", 44),
        Column("区县\nCounty", 20),
        Column("行业\nIndustry", 34),
    ]
    doc.data_table(
        [*who, extra],
        [
            [
                x["uscc"],
                enterprise_name(x),
                county_short(x["region_code"]),
                industry_label(x["division"]),
                value(x),
            ]
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
