"""The rating sections of the officials' monthly report: the rating distribution, the
high-carbon (red) list and the largest emitters, in the workbook (``xlsx_*``, called by
``reports.monthly_xlsx``) and in the PDF (``pdf_*``, called by ``reports.monthly_pdf``).

The data is ``reports.monthly_data.MonthlyReportData``. Every rating shown here that is
provisional (暂评: a year to date, docs/methodology.md §6) says so: a status column in the
workbook naming its months, ``暂评`` under its grade in the PDF, the provisional part of each
count, and a note giving how many ratings are provisional and what that means
(``reports.provisional``). Data without the provisional keys (made before ratings could be
provisional) shows no marker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from carbon.domain.vocabulary import CLASSES, COLOURS
from reports import provisional as prov
from reports.labels import COLOUR_HEX, COLOUR_LABELS, class_text, colour_text, grade_text
from reports.monthly_data import HighCarbonRow, LargestRow
from reports.monthly_data import MonthlyReportData as Data
from reports.monthly_text import (
    DASH,
    PDF_RED_LIMIT,
    SHEETS,
    PartKey,
    colour_label,
    colour_pair,
    count_note,
    county_short,
    enterprise_name,
    grade_label,
    industry_label,
    list_note,
    num,
    pct,
    provisional_not_rated,
    provisional_part,
    rating_note,
    rating_status,
    region_title,
    who_columns,
    ytd_span,
)
from reports.xlsx_book import Book, XColumn

if TYPE_CHECKING:
    from reports.pdf import ReportDocument


class _Entry(TypedDict):
    """A row of the rating distribution sheet."""

    k: str  # dimension
    v: str  # category
    n: int  # enterprises
    of: int | None  # rated enterprises (the base of the share), None for "not rated"
    p: int  # of which provisional
    share: float | None


class _Numbered(HighCarbonRow):
    no: int


# ------------------------------------------------------------------------ text


def _grade_cell(x: HighCarbonRow | LargestRow) -> str:
    """The grade in a PDF table, ``暂评`` under it when provisional."""
    text = grade_label(x["grade"])
    return f"{text}\n{prov.LABEL_ZH}" if x.get("provisional") else text


def _status_column() -> XColumn[HighCarbonRow | LargestRow]:
    return XColumn("评价状态 / Rating status", 30, value=rating_status)


# ------------------------------------------------------------------------ xlsx


def xlsx_ratings(book: Book, data: Data) -> None:
    ws = book.sheet(SHEETS[3])
    r = data["ratings"]
    zh, en = rating_note(r)
    book.title(ws, f"{region_title(data)} 评价分布 / Rating distribution — {zh} / {en}")
    rated = r["rated"] or None

    def part(key: PartKey, k: str) -> int:
        return provisional_part(r, key, k)

    colour_dim, grade_dim, class_dim = (
        "三维四色 / Four-colour",
        "碳效等级 / Carbon-efficiency grade",
        "强度分类 / Intensity class",
    )
    entries: list[_Entry] = [
        _entry(colour_dim, colour_text(c, " / "), r["colours"][c], rated, part("provisional_colours", c))
        for c in COLOURS
    ]
    entries.append(_entry(colour_dim, "未评价 / Not rated", r["not_rated"], None, provisional_not_rated(r)))
    entries += [
        _entry(grade_dim, grade_text(g, " / "), n, rated, part("provisional_grades", g))
        for g, n in r["grades"].items()
    ]
    entries += [
        _entry(class_dim, class_text(c, " / "), r["classes"][c], rated, part("provisional_classes", c))
        for c in CLASSES
    ]
    columns: list[XColumn[_Entry]] = [
        XColumn("维度 / Dimension", 30, value=lambda e: e["k"]),
        XColumn("类别 / Category", 22, value=lambda e: e["v"]),
        XColumn("企业数 / Enterprises", 13, "int", lambda e: e["n"]),
        XColumn("占已评价 / Share of rated", 14, "share", lambda e: e["share"]),
        XColumn("其中暂评 / Of which provisional (暂评)", 16, "int", lambda e: e["p"]),
    ]
    nxt = book.table(ws, columns, entries, autofilter=False)
    book.note(ws, nxt + 1, f"评价年份 / Rating year: {r['year'] or DASH}；已评价 / rated: {r['rated']}")
    book.note(ws, nxt + 2, " / ".join(count_note(r)))


def _entry(k: str, v: str, n: int, of: int | None, p: int) -> _Entry:
    return {"k": k, "v": v, "n": n, "of": of, "p": p, "share": n / of if of else None}


def xlsx_high_carbon(book: Book, data: Data) -> None:
    ws = book.sheet(SHEETS[4])
    r = data["ratings"]
    book.title(
        ws,
        f"{region_title(data)} 高碳（红码）企业名单 / High-carbon (red) list — 评价年份 {r['year'] or DASH}",
    )
    rows: list[_Numbered] = [{**x, "no": i} for i, x in enumerate(data["high_carbon"], start=1)]
    columns: list[XColumn[_Numbered]] = [
        XColumn("序号 / No.", 7, "int", lambda x: x["no"]),
        *who_columns(),
        XColumn("碳效等级 / Grade", 10, "int", lambda x: x["grade"]),
        XColumn("三维四色 / Colour", 12, value=lambda x: colour_pair(x["colour"])),
        _status_column(),
        XColumn("综合得分 / Score", 10, "score", lambda x: x["score"]),
        XColumn("排放强度 / Intensity (tCO2/万元)", 15, "intensity", lambda x: x["intensity"]),
        XColumn("评价年排放 / Rated-year emissions (tCO2)", 18, "tco2", lambda x: x["emissions"]),
        XColumn("本年累计排放 / YTD (tCO2)", 16, "tco2", lambda x: x["ytd_tco2"]),
    ]
    nxt = book.table(ws, columns, rows, freeze_col=4)
    if not rows:
        book.note(ws, nxt, "本期无红码企业 / No red-rated enterprise")
    elif note := list_note(rows):
        book.note(ws, nxt + 1, note)


def xlsx_largest(book: Book, data: Data) -> None:
    ws = book.sheet(SHEETS[5])
    book.title(
        ws, f"{region_title(data)} 本年累计排放前{len(data['largest'])}名 / Largest emitters, year to date"
    )
    columns: list[XColumn[LargestRow]] = [
        XColumn("排名 / Rank", 7, "int", lambda x: x["rank"]),
        *who_columns(),
        XColumn(f"本年累计排放 / YTD (tCO2) {ytd_span(data)}", 18, "tco2", lambda x: x["ytd_tco2"]),
        XColumn("占区域 / Share of region", 11, "share", lambda x: x["ytd_share"]),
        XColumn("本月排放 / Month (tCO2)", 15, "tco2", lambda x: x["month_tco2"]),
        XColumn("累计同比 / YTD YoY", 11, "pct", lambda x: x["yoy_ytd"]),
        XColumn("碳效等级 / Grade", 10, "int", lambda x: x["grade"]),
        XColumn("三维四色 / Colour", 12, value=lambda x: colour_pair(x["colour"])),
        _status_column(),
    ]
    nxt = book.table(ws, columns, data["largest"], freeze_col=4)
    if note := list_note(data["largest"]):
        book.note(ws, nxt + 1, note)


# ------------------------------------------------------------------------- PDF


def pdf_ratings(doc: ReportDocument, data: Data) -> None:
    from reports.charts import colour_distribution_chart
    from reports.pdf import Column

    r = data["ratings"]
    zh, en = rating_note(r)
    doc.section(150)
    doc.heading("评价分布", "Rating distribution")
    doc.paragraph(f"评价年份 Rating year: {r['year'] or DASH} — {zh} / {en}", size=8.8)
    doc.ln(2)
    chart = colour_distribution_chart(
        {c: int(r["colours"].get(c, 0)) for c in COLOURS},
        provisional={c: provisional_part(r, "provisional_colours", c) for c in COLOURS},
        title=f"三维四色评价分布 Four-colour distribution ({r['year'] or DASH})",
        lang="zh",
        fmt="png",
    )
    doc.png(chart, width=doc.content_width * 0.78)
    rated = r["rated"]

    def share(n: int) -> str:
        return pct(n / rated, signed=False) if rated else DASH

    doc.subheading("三维四色 Four-colour rating")
    colour_rows: list[list[Any]] = [
        [
            (colour_label(c), COLOUR_HEX[c]),
            f"{r['colours'][c]:,}",
            share(r["colours"][c]),
            f"{provisional_part(r, 'provisional_colours', c):,}",
        ]
        for c in COLOURS
    ]
    colour_rows.append(["未评价 Not rated", f"{r['not_rated']:,}", DASH, f"{provisional_not_rated(r):,}"])
    doc.data_table(
        [
            Column("颜色 Colour", 40, "C"),
            Column("企业数 Enterprises", 30, "R"),
            Column("占比 Share", 30, "R"),
            Column("其中暂评 Provisional", 30, "R"),
        ],
        colour_rows,
        size=7.8,
    )
    doc.subheading("碳效等级与强度分类 Carbon-efficiency grade and intensity class")
    grade_rows = [
        [grade_text(g, capital=True), f"{n:,}", share(n), f"{provisional_part(r, 'provisional_grades', g):,}"]
        for g, n in r["grades"].items()
    ]
    class_rows = [
        [class_text(c), f"{n:,}", share(n), f"{provisional_part(r, 'provisional_classes', c):,}"]
        for c, n in r["classes"].items()
    ]
    doc.data_table(
        [
            Column("类别 Category", 40),
            Column("企业数 Enterprises", 30, "R"),
            Column("占比 Share", 30, "R"),
            Column("其中暂评 Provisional", 30, "R"),
        ],
        grade_rows + class_rows,
        size=7.8,
        width=150,
    )
    doc.notes(
        [
            "碳效等级 1级最优、5级最差（K = L / 行业平均强度）；"
            "强度分类 低碳 L ≤ 0.6，中碳 0.6 < L ≤ 2.0，高碳 L > 2.0 tCO2/万元。"
            "Grade 1 best, 5 worst; class by intensity L.",
            "未评价：缺少工业增加值等原因无法计算强度。"
            "Not rated: intensity not computable (e.g. no value added).",
            " ".join(count_note(r)),
        ]
    )


def pdf_high_carbon(doc: ReportDocument, data: Data) -> None:
    from reports.pdf import Column

    items = data["high_carbon"]
    doc.section(70)
    doc.heading("高碳（红码）企业名单", "High-carbon (red) list")
    doc.paragraph(
        f"评价年份 Rating year {data['ratings']['year'] or DASH}；共 {len(items):,} 家，按评价年排放量排序。"
        f" {len(items):,} red-rated enterprises, ordered by emissions of the rating year.",
        size=8.5,
    )
    doc.ln(2)
    if not items:
        doc.paragraph("本期无红码企业。No red-rated enterprise.", size=9)
        return
    rows = [
        [
            str(i),
            x["uscc"],
            enterprise_name(x),
            county_short(x["region_code"]),
            industry_label(x["division"]),
            _grade_cell(x),
            num(x["score"], 1),
            num(x["intensity"], 4),
            num(x["emissions"]),
            num(x["ytd_tco2"]),
        ]
        for i, x in enumerate(items[:PDF_RED_LIMIT], start=1)
    ]
    doc.data_table(
        [
            Column("序号\nNo.", 9, "R"),
            Column("统一社会信用代码\nUSCC", 34),
            Column("企业名称\nName", 31),
            Column("区县\nCounty", 13),
            Column("行业\nIndustry", 28),
            Column("等级\nGrade", 10.5, "C"),
            Column("得分\nScore", 10, "R"),
            Column("强度\ntCO2/万元", 15, "R"),
            Column("评价年排放\ntCO2", 18, "R"),
            Column("本年累计\nYTD tCO2", 18, "R"),
        ],
        rows,
        size=6.6,
    )
    notes = [n for n in (list_note(items),) if n]
    if len(items) > PDF_RED_LIMIT:
        notes.append(f"仅列前 {PDF_RED_LIMIT} 家，完整名单见 xlsx。Full list in the workbook.")
    if notes:
        doc.notes(notes)


def pdf_largest(doc: ReportDocument, data: Data) -> None:
    from reports.pdf import Column

    items = data["largest"]
    doc.section(70)
    doc.heading("排放大户", f"Largest emitters, year to date ({ytd_span(data)})")
    rows = [
        [
            str(x["rank"]),
            x["uscc"],
            enterprise_name(x),
            county_short(x["region_code"]),
            industry_label(x["division"]),
            num(x["ytd_tco2"]),
            pct(x["ytd_share"], signed=False),
            num(x["month_tco2"]),
            pct(x["yoy_ytd"]),
            _grade_cell(x),
            _colour_cell(x["colour"]),
        ]
        for x in items
    ]
    doc.data_table(
        [
            Column("排名\nRank", 10, "R"),
            Column("统一社会信用代码\nUSCC", 34),
            Column("企业名称\nName", 30),
            Column("区县\nCounty", 13),
            Column("行业\nIndustry", 27),
            Column("累计排放\nYTD tCO2", 18, "R"),
            Column("占比\nShare", 11, "R"),
            Column("本月排放\nMonth tCO2", 19, "R"),
            Column("同比\nYoY", 12, "R"),
            Column("等级\nGrade", 10.5, "C"),
            Column("颜色\nColour", 12, "C"),
        ],
        rows,
        size=6.6,
    )
    if note := list_note(items):
        doc.notes([note])


def _colour_cell(colour: str | None) -> tuple[str, str] | str:
    """A PDF table cell in the rating colour, named in Chinese; a dash for none."""
    if colour is None or colour not in COLOUR_HEX:
        return DASH
    return (COLOUR_LABELS[colour][0], COLOUR_HEX[colour])
