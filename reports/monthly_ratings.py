"""The rating sections of the officials' monthly report: the rating distribution, the
high-carbon (red) list and the largest emitters, in the workbook and in the PDF.

The data is ``reports.monthly``'s dict. Every rating shown here that is provisional (暂评:
a year to date, docs/methodology.md §6) says so: a status column in the workbook naming its months,
``暂评`` under its grade in the PDF, the provisional part of each count, and a note giving
how many ratings are provisional and what that means (``reports.provisional``). The rows
carry ``provisional`` and ``months``; ``ratings`` carries ``provisional`` (the count),
``provisional_rated`` and ``provisional_colours`` / ``_grades`` / ``_classes`` (counts by
colour, grade and class) and ``provisional_months`` ([{months, enterprises}]). Data
without these keys (made before ratings could be provisional) shows no marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports import provisional as prov
from reports.monthly import (
    CLASS_LABELS,
    COLOUR_FILL,
    COLOUR_LABELS,
    DASH,
    PDF_RED_LIMIT,
    SHEETS,
    XColumn,
    _Book,
    _name,
    _rating_note,
    _region_title,
    _who_columns,
    _ytd_span,
    colour_label,
    county_short,
    grade_label,
    industry_label,
    num,
    pct,
)

WHOLE_YEAR = "全年 / whole year"


# ------------------------------------------------------------------------ text


def _status(x: Mapping[str, Any]) -> str | None:
    """The status cell of a rated row: 暂评 with its months, or whole year; None unrated
    (or in data that does not say)."""
    if "provisional" not in x or (x.get("grade") is None and x.get("colour") is None):
        return None
    return prov.status(x) or WHOLE_YEAR


def _grade_cell(x: Mapping[str, Any]) -> str:
    """The grade in a PDF table, ``暂评`` under it when provisional."""
    text = grade_label(x["grade"])
    return f"{text}\n{prov.LABEL_ZH}" if x.get("provisional") else text


def _count_note(r: Mapping[str, Any]) -> tuple[str, str]:
    """How many of the ratings shown are provisional, over which months, and the meaning."""
    n = int(r.get("provisional") or 0)
    return prov.count_note(n, r.get("enterprises"), r.get("provisional_months") or [])


def _list_note(items: Sequence[Mapping[str, Any]]) -> str | None:
    n = sum(1 for x in items if x.get("provisional"))
    if not n:
        return None
    en = prov.meaning("en")
    return (
        f"本表中暂评 {n:,} 家。{prov.meaning('zh')} / {n:,} of these ratings provisional (暂评). "
        f"{en[0].upper()}{en[1:]}"
    )


def _part(r: Mapping[str, Any], key: str, k: str) -> int:
    return int((r.get(key) or {}).get(k, 0))


# ------------------------------------------------------------------------ xlsx


def xlsx_ratings(book: _Book, data: Mapping[str, Any]) -> None:
    ws = book.sheet(SHEETS[3])
    r = data["ratings"]
    zh, en = _rating_note(r)
    book.title(ws, f"{_region_title(data)} 评价分布 / Rating distribution — {zh} / {en}")
    rated = r["rated"] or None
    entries: list[dict[str, Any]] = []
    for c, (czh, cen) in COLOUR_LABELS.items():
        entries.append(
            {
                "k": "三维四色 / Four-colour",
                "v": f"{czh} / {cen}",
                "n": r["colours"][c],
                "of": rated,
                "p": _part(r, "provisional_colours", c),
            }
        )
    entries.append(
        {
            "k": "三维四色 / Four-colour",
            "v": "未评价 / Not rated",
            "n": r["not_rated"],
            "of": None,
            "p": int(r.get("provisional") or 0) - int(r.get("provisional_rated") or 0),
        }
    )
    for g, n in r["grades"].items():
        entries.append(
            {
                "k": "碳效等级 / Carbon-efficiency grade",
                "v": f"{g}级 / grade {g}",
                "n": n,
                "of": rated,
                "p": _part(r, "provisional_grades", g),
            }
        )
    for c, (czh, cen) in CLASS_LABELS.items():
        entries.append(
            {
                "k": "强度分类 / Intensity class",
                "v": f"{czh} / {cen}",
                "n": r["classes"][c],
                "of": rated,
                "p": _part(r, "provisional_classes", c),
            }
        )
    for e in entries:
        e["share"] = e["n"] / e["of"] if e["of"] else None
    columns = [
        XColumn("维度 / Dimension", 30, value=lambda e: e["k"]),
        XColumn("类别 / Category", 22, value=lambda e: e["v"]),
        XColumn("企业数 / Enterprises", 13, "int", lambda e: e["n"]),
        XColumn("占已评价 / Share of rated", 14, "share", lambda e: e["share"]),
        XColumn("其中暂评 / Of which provisional (暂评)", 16, "int", lambda e: e["p"]),
    ]
    nxt = book.table(ws, columns, entries, autofilter=False)
    book.note(ws, nxt + 1, f"评价年份 / Rating year: {r['year'] or DASH}；已评价 / rated: {r['rated']}")
    book.note(ws, nxt + 2, " / ".join(_count_note(r)))


def _colour_text(c: str | None) -> str | None:
    return None if c is None else "{} / {}".format(*COLOUR_LABELS.get(c, (c, c)))


def _status_column() -> XColumn:
    return XColumn("评价状态 / Rating status", 30, value=_status)


def xlsx_high_carbon(book: _Book, data: Mapping[str, Any]) -> None:
    ws = book.sheet(SHEETS[4])
    r = data["ratings"]
    book.title(
        ws,
        f"{_region_title(data)} 高碳（红码）企业名单 / High-carbon (red) list — 评价年份 {r['year'] or DASH}",
    )
    rows = [{**x, "no": i} for i, x in enumerate(data["high_carbon"], start=1)]
    columns = [
        XColumn("序号 / No.", 7, "int", lambda x: x["no"]),
        *_who_columns(),
        XColumn("碳效等级 / Grade", 10, "int", lambda x: x["grade"]),
        XColumn("三维四色 / Colour", 12, value=lambda x: _colour_text(x["colour"])),
        _status_column(),
        XColumn("综合得分 / Score", 10, "score", lambda x: x["score"]),
        XColumn("排放强度 / Intensity (tCO2/万元)", 15, "intensity", lambda x: x["intensity"]),
        XColumn("评价年排放 / Rated-year emissions (tCO2)", 18, "tco2", lambda x: x["emissions"]),
        XColumn("本年累计排放 / YTD (tCO2)", 16, "tco2", lambda x: x["ytd_tco2"]),
    ]
    nxt = book.table(ws, columns, rows, freeze_col=4)
    if not rows:
        book.note(ws, nxt, "本期无红码企业 / No red-rated enterprise")
    elif note := _list_note(rows):
        book.note(ws, nxt + 1, note)


def xlsx_largest(book: _Book, data: Mapping[str, Any]) -> None:
    ws = book.sheet(SHEETS[5])
    book.title(
        ws, f"{_region_title(data)} 本年累计排放前{len(data['largest'])}名 / Largest emitters, year to date"
    )
    columns = [
        XColumn("排名 / Rank", 7, "int", lambda x: x["rank"]),
        *_who_columns(),
        XColumn(f"本年累计排放 / YTD (tCO2) {_ytd_span(data)}", 18, "tco2", lambda x: x["ytd_tco2"]),
        XColumn("占区域 / Share of region", 11, "share", lambda x: x["ytd_share"]),
        XColumn("本月排放 / Month (tCO2)", 15, "tco2", lambda x: x["month_tco2"]),
        XColumn("累计同比 / YTD YoY", 11, "pct", lambda x: x["yoy_ytd"]),
        XColumn("碳效等级 / Grade", 10, "int", lambda x: x["grade"]),
        XColumn("三维四色 / Colour", 12, value=lambda x: _colour_text(x["colour"])),
        _status_column(),
    ]
    nxt = book.table(ws, columns, data["largest"], freeze_col=4)
    if note := _list_note(data["largest"]):
        book.note(ws, nxt + 1, note)


# ------------------------------------------------------------------------- PDF


def pdf_ratings(doc: Any, data: Mapping[str, Any]) -> None:
    from reports.charts import COLOUR_IDS, colour_distribution_chart
    from reports.pdf import Column

    r = data["ratings"]
    zh, en = _rating_note(r)
    doc.section(150)
    doc.heading("评价分布", "Rating distribution")
    doc.paragraph(f"评价年份 Rating year: {r['year'] or DASH} — {zh} / {en}", size=8.8)
    doc.ln(2)
    chart = colour_distribution_chart(
        {c: int(r["colours"].get(c, 0)) for c in COLOUR_IDS},
        provisional={c: _part(r, "provisional_colours", c) for c in COLOUR_IDS},
        title=f"三维四色评价分布 Four-colour distribution ({r['year'] or DASH})",
        lang="zh",
        fmt="svg",
    )
    doc.svg(chart, width=doc.content_width * 0.78)
    rated = r["rated"]

    def share(n: int) -> str:
        return pct(n / rated, signed=False) if rated else DASH

    def partial(key: str, k: str) -> str:
        return f"{_part(r, key, k):,}"

    doc.subheading("三维四色 Four-colour rating")
    doc.data_table(
        [
            Column("颜色 Colour", 40, "C"),
            Column("企业数 Enterprises", 30, "R"),
            Column("占比 Share", 30, "R"),
            Column("其中暂评 Provisional", 30, "R"),
        ],
        [
            [
                (colour_label(c), COLOUR_FILL[c]),
                f"{r['colours'][c]:,}",
                share(r["colours"][c]),
                partial("provisional_colours", c),
            ]
            for c in COLOUR_LABELS
        ]
        + [
            [
                "未评价 Not rated",
                f"{r['not_rated']:,}",
                DASH,
                f"{int(r.get('provisional') or 0) - int(r.get('provisional_rated') or 0):,}",
            ]
        ],
        size=7.8,
    )
    doc.subheading("碳效等级与强度分类 Carbon-efficiency grade and intensity class")
    grade_rows = [
        [f"{g}级 Grade {g}", f"{n:,}", share(n), partial("provisional_grades", g)]
        for g, n in r["grades"].items()
    ]
    class_rows = [
        [f"{CLASS_LABELS[c][0]} {CLASS_LABELS[c][1]}", f"{n:,}", share(n), partial("provisional_classes", c)]
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
            " ".join(_count_note(r)),
        ]
    )


def pdf_high_carbon(doc: Any, data: Mapping[str, Any]) -> None:
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
            _name(x),
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
    notes = [n for n in (_list_note(items),) if n]
    if len(items) > PDF_RED_LIMIT:
        notes.append(f"仅列前 {PDF_RED_LIMIT} 家，完整名单见 xlsx。Full list in the workbook.")
    if notes:
        doc.notes(notes)


def pdf_largest(doc: Any, data: Mapping[str, Any]) -> None:
    from reports.pdf import Column

    items = data["largest"]
    doc.section(70)
    doc.heading("排放大户", f"Largest emitters, year to date ({_ytd_span(data)})")
    rows = [
        [
            str(x["rank"]),
            x["uscc"],
            _name(x),
            county_short(x["region_code"]),
            industry_label(x["division"]),
            num(x["ytd_tco2"]),
            pct(x["ytd_share"], signed=False),
            num(x["month_tco2"]),
            pct(x["yoy_ytd"]),
            _grade_cell(x),
            (COLOUR_LABELS[x["colour"]][0], COLOUR_FILL[x["colour"]]) if x["colour"] in COLOUR_FILL else DASH,
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
    if note := _list_note(items):
        doc.notes([note])
