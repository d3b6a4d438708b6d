"""The monthly report renderers, from a hand-made report (no database): ``monthly_sample``
builds it through the typed shape ``reports.monthly_data``."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from monthly_sample import EVIL, USCC_A, USCC_B, make_data
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.monthly import SHEETS, render_pdf, render_xlsx
from reports.monthly_data import MonthlyReportData


@pytest.fixture
def data() -> MonthlyReportData:
    return make_data()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """The PDF of ``make_data()``, rendered once (a render embeds a font subset: ~2 s)."""
    return render_pdf(make_data())


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """Page count and text (pypdf), without whitespace.

    The CJK font is a CFF-outline CID font whose codes map to CIDs through an embedded
    CMap; pypdf reads its two-byte codes with a NUL or a space between glyphs (poppler's
    pdftotext reads them cleanly: see ``test_pdf_text_extracts_cleanly_with_poppler``),
    so the comparison drops NULs and whitespace.
    """
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    return len(reader.pages), re.sub(r"[\s\x00]+", "", text)


def test_xlsx_has_every_sheet_with_bilingual_headers_and_values(data):
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    assert wb.sheetnames == list(SHEETS)

    summary = wb[SHEETS[0]]
    assert "衢州市" in summary["A1"].value and "Quzhou City" in summary["A1"].value
    assert summary["A2"].value == "指标 / Item"
    assert summary.freeze_panes == "B3"
    total_row = [c.value for c in summary[3]]
    assert total_row[0].startswith("碳排放总量 / Total emissions")
    assert total_row[2] == pytest.approx(12345.678)
    assert total_row[3] == pytest.approx(11000.0)
    assert total_row[4] == pytest.approx(12345.678 / 11000.0 - 1)
    assert total_row[5] == pytest.approx(70000.0)
    assert summary.cell(row=3, column=3).number_format == "#,##0.00"
    assert summary.cell(row=3, column=5).number_format == "+0.0%;-0.0%;0.0%"

    industry = wb[SHEETS[1]]
    assert industry["A2"].value.startswith("行业大类代码 / Division")
    assert [industry.cell(row=3, column=j).value for j in (1, 2)] == ["26", "化学原料和化学制品制造业"]
    assert industry.cell(row=3, column=8).value == pytest.approx(45000.0)
    assert industry.freeze_panes == "C3"
    assert industry.column_dimensions["B"].width >= 30

    county = wb[SHEETS[2]]
    assert [county.cell(row=r, column=2).value for r in (3, 4)] == ["柯城区", "衢江区"]

    ratings = wb[SHEETS[3]]
    rows = [[c.value for c in r] for r in ratings.iter_rows(min_row=3, max_col=4)]
    assert ["三维四色 / Four-colour", "红 / Red", 1, pytest.approx(1 / 3)] in rows
    assert "2022" in ratings["A1"].value  # the fallback rating year is named

    red = wb[SHEETS[4]]
    assert red.cell(row=3, column=2).value == USCC_A
    assert [red.cell(row=3, column=j).value for j in (7, 8)] == [5, "红 / Red"]

    largest = wb[SHEETS[5]]
    assert [largest.cell(row=r, column=2).value for r in (3, 4)] == [USCC_A, USCC_B]
    assert largest.cell(row=4, column=9).value is None  # no data this month: blank, not zero

    quality = wb[SHEETS[6]]
    values = {r[0].value: r[1].value for r in quality.iter_rows(min_row=3, max_row=12, max_col=2)}
    assert values["登记企业数 / Enterprises known in scope"] == "4"
    assert values["因子集 / Factor set (2023)"] == "cn-default@1"


def test_xlsx_text_that_looks_like_a_formula_stays_text(data):
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    cells = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")
    ]
    found = {c.value for c in cells}
    assert {EVIL, "+江山造纸厂", "@衢江水泥"} <= found
    for c in cells:
        assert c.data_type == "s", (c.coordinate, c.value)
        assert c.quotePrefix
    # and no formula anywhere in the file
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_pdf_has_pages_region_name_and_key_figures(pdf):
    assert pdf.startswith(b"%PDF-")
    pages, text = pdf_text(pdf)
    assert pages >= 3
    for expected in (
        "衢州市工业碳账户月报",
        "QuzhouCity",
        "2023年6月",
        "12,345.68",  # emissions this month
        "70,000.00",  # year to date
        "+12.2%",  # year on year
        "柯城区",
        "化学原料和化学制品制造业",
        USCC_A,
        "2022年评价",  # the fallback rating year is stated
        "Page1of",
    ):
        assert expected in text, expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_extracts_cleanly_with_poppler(pdf, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "衢州市工业碳账户月报" in text
    assert "12,345.68" in text and "柯城区" in text


def test_pdf_is_deterministic_and_embeds_the_cjk_font(pdf, data):
    first, second = pdf, render_pdf(data)
    assert first == second
    fonts = set()
    for page in PdfReader(io.BytesIO(first)).pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile3" in desc or "/FontFile2" in desc  # embedded, not referenced
            fonts.add(str(f["/BaseFont"]))
    assert any("CJK" in f for f in fonts)


def test_pdf_without_ratings_or_red_enterprises_still_renders(data):
    data["ratings"] = {
        **data["ratings"],
        "year": None,
        "fallback": False,
        "rated": 0,
        "not_rated": 0,
        "enterprises": 0,
        "colours": dict.fromkeys(("dark_green", "light_green", "yellow", "red"), 0),
        "grades": dict.fromkeys("12345", 0),
        "classes": dict.fromkeys(("low", "medium", "high"), 0),
    }
    data["high_carbon"] = []
    data["quality"]["missing_month"] = []
    data.pop("generated_at")
    _, text = pdf_text(render_pdf(data))
    assert "本区域尚无评价结果" in text and "本期无红码企业" in text
    wb = load_workbook(io.BytesIO(render_xlsx(data)))
    assert wb[SHEETS[4]].cell(row=3, column=1).value == "本期无红码企业 / No red-rated enterprise"
