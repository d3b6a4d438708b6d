"""The officials' monthly report as a workbook: seven sheets (``SHEETS``), bilingual
headers, numbers as numbers with their number formats, text never a formula.

The data is ``reports.monthly_data.MonthlyReportData`` (made by ``carbon.services.monthly``);
the rating sheets are ``reports.monthly_ratings``'.
"""

from __future__ import annotations

from typing import TypeVar

from carbon.domain.vocabulary import Colour
from reports.cells import put
from reports.monthly_data import CountyRow, GroupFigures, IndustryRow, MissingMonthRow, MissingValueAddedRow
from reports.monthly_data import MonthlyReportData as Data
from reports.monthly_ratings import xlsx_high_carbon, xlsx_largest, xlsx_ratings
from reports.monthly_text import (
    DASH,
    SHEETS,
    SUMMARY_ROWS,
    generated,
    pct,
    provisional_fact,
    quality_facts,
    rating_note,
    ref_text,
    region_title,
    who_columns,
    yoy,
    ytd_span,
)
from reports.regions import division_name, region_name
from reports.xlsx_book import Book, XColumn

__all__ = ["SHEETS", "render_monthly_xlsx"]

G = TypeVar("G", bound=GroupFigures)


def render_monthly_xlsx(data: Data) -> bytes:
    """The report as a workbook of seven sheets (``SHEETS``), bilingual headers."""
    book = Book()
    _summary(book, data)
    _groups(
        book, data, SHEETS[1], _industry_columns(), data["by_industry"], ("分行业", "by industry division")
    )
    _groups(book, data, SHEETS[2], _county_columns(), data["by_county"], ("分区县", "by county"))
    xlsx_ratings(book, data)
    xlsx_high_carbon(book, data)
    xlsx_largest(book, data)
    _quality(book, data)
    return book.save()


def _summary(book: Book, data: Data) -> None:
    ws = book.sheet(SHEETS[0])
    region = data["region"]
    book.title(
        ws,
        f"{region_name(region)}工业碳账户月报 {data['month']} / "
        f"{region_name(region, 'en')} industrial carbon account monthly report, {data['month']}",
    )
    t = data["totals"]
    columns: list[XColumn[object]] = [
        XColumn("指标 / Item", 38),
        XColumn("单位 / Unit", 16),
        XColumn(f"本月 / Month\n{data['month']}", 16),
        XColumn("上年同月 / Same month\nlast year", 16),
        XColumn("同比 / YoY", 11),
        XColumn(f"本年累计 / Year to date\n{ytd_span(data)}", 18),
        XColumn("上年同期 / Same period\nlast year", 16),
        XColumn("同比 / YoY", 11),
    ]
    book.header(ws, 2, columns)
    for i, (key, label, unit, kind) in enumerate(SUMMARY_ROWS, start=3):
        put(ws, i, 1, label)
        put(ws, i, 2, unit)
        put(ws, i, 3, t["month"][key], kind)
        put(ws, i, 4, t["previous_month"][key] if t["previous_month"]["enterprises"] else None, kind)
        put(ws, i, 5, yoy(data, "month", key), "pct")
        put(ws, i, 6, t["ytd"][key], kind)
        put(ws, i, 7, t["previous_ytd"][key] if t["previous_ytd"]["enterprises"] else None, kind)
        put(ws, i, 8, yoy(data, "ytd", key), "pct")
        if key == "total":
            for j in range(1, 9):
                ws.cell(row=i, column=j).font = book.bold
    ws.freeze_panes = "B3"
    row = 3 + len(SUMMARY_ROWS) + 1
    q, r = data["quality"], data["ratings"]
    rating_zh, rating_en = rating_note(r)
    facts: list[tuple[str, object]] = [
        ("统计范围 / Scope", f"{region} {region_name(region)} / {region_name(region, 'en')}"),
        ("报告月份 / Month", data["month"]),
        ("本年累计期间 / Year-to-date period", ytd_span(data)),
        (
            "报送企业 / Reporting enterprises",
            f"{q['enterprises_with_data']} / {q['enterprises_known']} ({pct(q['coverage'], signed=False)})",
        ),
        ("评价年份 / Rating year", f"{r['year'] or DASH}（{rating_zh} / {rating_en}）"),
        ("红码企业 / Red-rated enterprises", r["colours"][Colour.RED]),
        ("暂评企业 / Provisional ratings (暂评)", provisional_fact(r)),
        ("因子集 / Factor set", ref_text(q["factor_set"])),
        ("方法学 / Methodology", ref_text(q["methodology"])),
        ("生成时间 / Generated", generated(data)),
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


def _industry_columns() -> list[XColumn[IndustryRow]]:
    return [
        XColumn("行业大类代码 / Division (GB/T 4754)", 14, value=lambda r: r["division"]),
        XColumn("行业名称 / Industry", 34, value=lambda r: division_name(r["division"])),
        *_figure_columns(),
    ]


def _county_columns() -> list[XColumn[CountyRow]]:
    return [
        XColumn("区划代码 / Region code", 12, value=lambda r: r["region_code"]),
        XColumn("区县 / County", 14, value=lambda r: region_name(r["region_code"])),
        *_figure_columns(),
    ]


def _figure_columns() -> list[XColumn[GroupFigures]]:
    return [
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


def _groups(
    book: Book, data: Data, name: str, columns: list[XColumn[G]], rows: list[G], what: tuple[str, str]
) -> None:
    ws = book.sheet(name)
    book.title(ws, f"{region_title(data)} 碳排放{what[0]} / Emissions {what[1]}")
    book.table(ws, columns, rows, freeze_col=3)


def _quality(book: Book, data: Data) -> None:
    ws = book.sheet(SHEETS[6])
    book.title(ws, f"{region_title(data)} 数据覆盖与质量 / Data coverage and quality")
    facts: list[XColumn[tuple[str, str]]] = [
        XColumn("项目 / Item", 46, value=lambda x: x[0]),
        XColumn("值 / Value", 30, value=lambda x: x[1]),
    ]
    row = book.table(ws, facts, quality_facts(data), autofilter=False)
    q = data["quality"]
    row += 1
    put(ws, row, 1, f"本月未报送企业 / Enterprises without data for {data['month']}").font = book.bold
    missing: list[XColumn[MissingMonthRow]] = [
        *who_columns(),
        XColumn("最近数据月份 / Latest data", 13, value=lambda x: x["latest_period"]),
    ]
    row = book.plain_table(ws, row + 1, missing, q["missing_month"]) + 1
    put(ws, row, 1, "缺少工业增加值的企业 / Enterprises missing value added this month").font = book.bold
    no_va: list[XColumn[MissingValueAddedRow]] = [
        *who_columns(),
        XColumn("本年累计增加值 / YTD value added (万元)", 16, "tco2", lambda x: x["value_added_ytd"]),
    ]
    book.plain_table(ws, row + 1, no_va, q["missing_value_added"])
    ws.freeze_panes = "A3"
