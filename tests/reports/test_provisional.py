"""Provisional ratings (暂评, a year to date) in the labels, charts, monthly report and open
data files: each one says so, in Chinese and English, naming its months (DESIGN §9.4)."""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from test_monthly_render import USCC_A, USCC_B, make_data

from reports import provisional as prov
from reports.charts import colour_distribution_chart, grade_history_chart, intensity_chart
from reports.monthly import SHEETS, render_pdf, render_xlsx
from reports.opendata import render_csv
from reports.opendata import render_xlsx as opendata_xlsx

YEARS = [2022, 2023, 2024]
PARTIAL = [None, None, [1, 2, 3]]
CJK = re.compile(r"[\u4e00-\u9fff]")


def svg_text(data: bytes) -> str:
    """The texts of a chart: matplotlib writes each, drawn as paths, in an SVG comment."""
    return "\n".join(re.findall(r"<!-- (.*?) -->", data.decode(), re.S))


def pdf_text(data: bytes) -> str:
    return re.sub(
        r"[\s\x00]+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    )


# ----------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    "months, zh, en",
    [
        ([1, 2, 3], "暂评（1–3月）", "provisional (year to date, months 1–3)"),
        ([1], "暂评（1月）", "provisional (year to date, month 1)"),
        ([1, 2, 5], "暂评（1、2、5月）", "provisional (year to date, months 1, 2, 5)"),
        (None, "暂评", "provisional (year to date)"),
    ],
)
def test_labels_name_the_months(months, zh, en):
    assert prov.label(months, "zh") == zh
    assert prov.label(months, "en") == en
    assert prov.bilingual(months) == f"{zh} / {en}"


def test_row_status_and_count_note():
    assert prov.status({"provisional": True, "months": [1, 2]}) == prov.bilingual([1, 2])
    assert prov.status({"provisional": False, "months": list(range(1, 13))}) is None
    assert prov.suffix({"provisional": True}) == "（暂评）" and prov.suffix({}) == ""
    zh, en = prov.count_note(2, 5, [{"months": [1, 2, 3], "enterprises": 2}])
    assert zh.startswith("其中暂评 2 家（共5家；1–3月 2 家）。暂评：")
    assert en.startswith("2 of 5 ratings are provisional (暂评) (months 1–3: 2). Provisional: ")
    assert prov.count_note(0, 5)[0] == "暂评 0 家（共5家）：均为全年评价。"


# ----------------------------------------------------------------------- charts


def grades(**kw: Any) -> bytes:
    return grade_history_chart(YEARS, [3, 2, 2], ["yellow", "light_green", "light_green"], **kw)


def intensity(**kw: Any) -> bytes:
    return intensity_chart(YEARS, [1.9, 1.7, 1.6], [2.0, 1.9, 1.8], [1.2, 1.1, 1.0], **kw)


def colours(**kw: Any) -> bytes:
    counts = {"dark_green": 13, "light_green": 41, "yellow": 25, "red": 7}
    return colour_distribution_chart(counts, provisional={"light_green": 10, "red": 2}, **kw)


@pytest.mark.parametrize("chart", [grades, intensity])
def test_year_charts_mark_the_provisional_year(chart):
    zh = svg_text(chart(provisional=PARTIAL, lang="zh", fmt="svg"))
    assert "2024\n暂评 1–3月" in zh  # the tick
    assert "暂评（年初至今）" in zh  # the legend
    assert "暂评（浅色）：2024年（1–3月）为年初至今数据" in zh  # the note
    en = svg_text(chart(provisional=PARTIAL, lang="en", fmt="svg"))
    assert "2024\nprovisional" in en and "Provisional (year to date)" in en
    assert "2024 provisional (year to date, months 1–3)" in en
    assert not CJK.search(pdf_text(chart(provisional=PARTIAL, lang="en", fmt="pdf")))
    # a year that is not provisional is drawn as before
    plain = chart(lang="zh", fmt="svg")
    assert plain == chart(provisional=[None, None, None], lang="zh", fmt="svg")
    assert "暂评" not in svg_text(plain)


def test_colour_chart_hatches_and_counts_provisional_ratings():
    assert "其中暂评 12 家" in svg_text(colours(lang="zh", fmt="svg"))
    assert "12 provisional ratings" in svg_text(colours(lang="en", fmt="svg"))
    assert "暂评" not in svg_text(colour_distribution_chart({"red": 3}, lang="zh", fmt="svg"))


@pytest.mark.parametrize("chart", [grades, intensity])
def test_provisional_charts_are_deterministic_without_missing_glyphs(chart):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = chart(provisional=PARTIAL, lang="zh", fmt="png")
    assert first.startswith(b"\x89PNG") and first == chart(provisional=PARTIAL, lang="zh", fmt="png")
    assert not [w for w in caught if "Glyph" in str(w.message) or "missing" in str(w.message)]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: grades(provisional=[None, [1]]), "expected 3"),
        (lambda: intensity(provisional=[None, None, [0, 1]]), "1..12"),
        (lambda: colour_distribution_chart({"red": 1}, provisional={"red": 2}), "exceed"),
        (lambda: colour_distribution_chart({"red": 1}, provisional={"green": 1}), "colour id"),
    ],
)
def test_bad_provisional_data_is_a_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------------------------- monthly report


def provisional_data() -> dict[str, Any]:
    """``make_data()`` with its red enterprise (A) rated provisionally over January–May."""
    data = make_data()
    data["ratings"].update(
        provisional=1,
        provisional_rated=1,
        provisional_colours={"dark_green": 0, "light_green": 0, "yellow": 0, "red": 1},
        provisional_grades={"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
        provisional_classes={"low": 0, "medium": 0, "high": 1},
        provisional_months=[{"months": [1, 2, 3, 4, 5], "enterprises": 1}],
    )
    for row in (*data["high_carbon"], *data["largest"]):
        mine = row["uscc"] == USCC_A
        row.update(provisional=mine, months=[1, 2, 3, 4, 5] if mine else None)
    return data


def test_xlsx_marks_provisional_rows_and_counts_them():
    wb = load_workbook(io.BytesIO(render_xlsx(provisional_data())))
    status = "暂评（1–5月） / provisional (year to date, months 1–5)"
    for name in (SHEETS[4], SHEETS[5]):
        ws = wb[name]
        header = [c.value for c in ws[2]]
        col = header.index("评价状态 / Rating status")
        rows = {r[header.index("统一社会信用代码 / USCC")].value: r for r in ws.iter_rows(min_row=3)}
        assert rows[USCC_A][col].value == status, name
        notes = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
        assert any(n.startswith("本表中暂评 1 家。暂评：") for n in notes), name
    largest = wb[SHEETS[5]]
    col = [c.value for c in largest[2]].index("评价状态 / Rating status")
    assert largest.cell(row=4, column=col + 1).value is None  # B has no rating: no status
    ratings = wb[SHEETS[3]]
    rows = [[c.value for c in r] for r in ratings.iter_rows(min_row=3, max_col=5)]
    assert ["三维四色 / Four-colour", "红 / Red", 1, pytest.approx(1 / 3), 1] in rows
    texts = [c.value for r in ratings.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("其中暂评 1 家（共4家；1–5月 1 家）") for t in texts)
    facts = {r[0].value: r[1].value for r in wb[SHEETS[0]].iter_rows() if r[0].value}
    assert facts["暂评企业 / Provisional ratings (暂评)"] == (
        "1 / 4（1–5月 1 家） provisional, year to date (months 1–5: 1)"
    )


def test_xlsx_of_whole_year_ratings_says_whole_year():
    data = provisional_data()
    data["high_carbon"][0].update(provisional=False, months=list(range(1, 13)))
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    ws = wb[SHEETS[4]]
    col = [c.value for c in ws[2]].index("评价状态 / Rating status")
    assert ws.cell(row=3, column=col + 1).value == "全年 / whole year"


def test_pdf_marks_provisional_grades_and_counts_them():
    text = pdf_text(render_pdf(provisional_data()))
    assert "5级暂评" in text  # under the grade of A, in the red list and the largest emitters
    assert "本表中暂评1家" in text
    assert "其中暂评1家（共4家；1–5月1家）" in text
    assert "暂评Provisional1/4（1–5月1家）provisional,yeartodate(months1–5:1)" in text  # title page
    assert USCC_B in text


# ------------------------------------------------------------------------ open data


def test_open_data_files_count_provisional_ratings():
    group = {
        "level": "city",
        "code": "330800",
        "parent": None,
        "name_zh": "衢州市",
        "name_en": "Quzhou",
        "enterprises": 5,
        "red": 1,
        "provisional": 2,
        "suppressed": False,
        "suppression": None,
    }
    entries = [
        {"uscc": "91330802**********", "name": "柯城****公司", "section": "C", "county": "330802",
         "grade": 2, "colour": "yellow", "provisional": True},
        {"uscc": "91330802**********", "name": "柯城****公司", "section": "C", "county": "330802",
         "grade": 1, "colour": "dark_green", "provisional": False},
    ]  # fmt: skip
    stats = {
        "year": 2024,
        "rule": {"zh": "规则", "en": "rule"},
        "regions": [group],
        "industries": [],
        "enterprises": entries,
    }
    wb = load_workbook(io.BytesIO(opendata_xlsx(stats)))
    regions = wb.worksheets[0]
    header = [c.value for c in regions[1]]
    assert regions.cell(row=2, column=header.index("其中暂评 Of which provisional") + 1).value == 2
    listed = wb.worksheets[2]
    header = [c.value for c in listed[1]]
    col = header.index("暂评 Provisional") + 1
    assert [listed.cell(row=r, column=col).value for r in (2, 3)] == ["暂评 provisional (year to date)", None]
    notes = {r[0].value: r[1].value for r in wb.worksheets[3].iter_rows()}
    assert "共 1 家" in notes["暂评 Provisional"]
    csv = render_csv(stats, "enterprises").decode("utf-8-sig").splitlines()
    assert csv[0].endswith("暂评 provisional") and csv[1].endswith(",true")
    assert render_csv(stats, "regions").decode("utf-8-sig").splitlines()[0].count("其中暂评 provisional") == 1


def test_a_colour_without_provisional_ratings_keeps_the_headroom_for_its_label():
    """Only bars with a provisional part get an overlay: a zero-height one on top of the
    tallest bar used to cancel the space above it, and its label ran into the title."""
    import matplotlib.axes

    seen: list[tuple[float, float]] = []
    real = matplotlib.axes.Axes.set_title

    def spy(self, *a, **kw):  # record the y-limits the chart ends with
        seen.append(self.get_ylim())
        return real(self, *a, **kw)

    matplotlib.axes.Axes.set_title = spy
    try:
        colour_distribution_chart({"dark_green": 40, "red": 3}, fmt="svg")
        colour_distribution_chart({"dark_green": 40, "red": 3}, provisional={"red": 2}, fmt="svg")
    finally:
        matplotlib.axes.Axes.set_title = real
    assert seen[0] == seen[1] and seen[0][1] > 40 * 1.1
