"""The monthly report renderers, from a hand-made data dict (no database)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.monthly import SHEETS, render_pdf, render_xlsx

USCC_A = "91330802MA2XXXXX01"  # not validated here: the renderers only display it
USCC_B = "91330803MA2YYYYY02"
USCC_C = "91330881MA2ZZZZZ03"
EVIL = '=HYPERLINK("http://x","click")'


def period(total: float, n: int, va: float) -> dict[str, Any]:
    return {
        "enterprises": n,
        "total": total,
        "fuel": total * 0.5,
        "process": total * 0.1,
        "electricity": total * 0.35,
        "heat": total * 0.05,
        "energy_tce": total * 0.4,
        "value_added": va,
        "gross_output": va * 4,
        "tax": va * 0.3,
        "intensity": total / va if va else None,
        "intensity_enterprises": n,
    }


def who(uscc: str, name: str | None, region: str, industry: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": name,
        "region_code": region,
        "industry_code": industry,
        "division": industry[:2],
    }


def group(key: str, value: str, month: float, ytd: float, prev_ytd: float | None, red: int) -> dict[str, Any]:
    return {
        key: value,
        "enterprises_known": 2,
        "enterprises": 1,
        "month_tco2": month,
        "month_share": month / 12345.678,
        "ytd_tco2": ytd,
        "ytd_share": ytd / 70000.0,
        "previous_month_tco2": None if prev_ytd is None else month * 0.9,
        "previous_ytd_tco2": prev_ytd,
        "yoy_month": None if prev_ytd is None else 0.111,
        "yoy_ytd": None if prev_ytd is None else (ytd - prev_ytd) / prev_ytd,
        "intensity_ytd": 1.2345,
        "red": red,
    }


@pytest.fixture
def data() -> dict[str, Any]:
    return make_data()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """The PDF of ``make_data()``, rendered once (a render embeds a font subset: ~2 s)."""
    return render_pdf(make_data())


def make_data() -> dict[str, Any]:
    month, ytd = period(12345.678, 3, 5000.0), period(70000.0, 3, 29000.0)
    prev_month, prev_ytd = period(11000.0, 3, 4800.0), period(65000.0, 3, 28000.0)
    return {
        "region": "330800",
        "month": "2023-06",
        "year": 2023,
        "previous_year": 2022,
        "generated_at": "2023-07-05T08:00:00+00:00",
        "totals": {
            "month": month,
            "ytd": ytd,
            "previous_month": prev_month,
            "previous_ytd": prev_ytd,
            "yoy_month": {"total": 12345.678 / 11000.0 - 1, "intensity": None},
            "yoy_ytd": {"total": 70000.0 / 65000.0 - 1},
        },
        "by_industry": [
            group("division", "26", 8000.0, 45000.0, 40000.0, 1),
            group("division", "30", 4345.678, 25000.0, None, 0),
        ],
        "by_county": [
            group("region_code", "330802", 9000.0, 50000.0, 47000.0, 1),
            group("region_code", "330803", 3345.678, 20000.0, 18000.0, 0),
        ],
        "ratings": {
            "year": 2022,
            "requested_year": 2023,
            "fallback": True,
            "enterprises": 4,
            "rated": 3,
            "not_rated": 1,
            "colours": {"dark_green": 1, "light_green": 1, "yellow": 0, "red": 1},
            "grades": {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1},
            "classes": {"low": 1, "medium": 1, "high": 1},
        },
        "high_carbon": [
            {
                **who(USCC_A, EVIL, "330802", "2614"),
                "grade": 5,
                "colour": "red",
                "score": 28.0,
                "intensity": 3.5,
                "intensity_class": "high",
                "emissions": 90000.0,
                "ytd_tco2": 45000.0,
            }
        ],
        "largest": [
            {
                "rank": 1,
                **who(USCC_A, EVIL, "330802", "2614"),
                "ytd_tco2": 45000.0,
                "ytd_share": 45000.0 / 70000.0,
                "month_tco2": 8000.0,
                "yoy_ytd": 0.125,
                "grade": 5,
                "colour": "red",
            },
            {
                "rank": 2,
                **who(USCC_B, "衢江水泥有限公司", "330803", "3011"),
                "ytd_tco2": 20000.0,
                "ytd_share": 20000.0 / 70000.0,
                "month_tco2": None,
                "yoy_ytd": None,
                "grade": None,
                "colour": None,
            },
        ],
        "quality": {
            "enterprises_known": 4,
            "enterprises_with_data": 3,
            "coverage": 0.75,
            "missing_month": [{**who(USCC_C, "+江山造纸厂", "330881", "2221"), "latest_period": "2023-04"}],
            "missing_value_added": [{**who(USCC_B, "@衢江水泥", "330803", "3011"), "value_added_ytd": None}],
            "factor_proxy": False,
            "factor_proxy_count": 0,
            "grid_factor": {
                "value": 0.5306,
                "unit": "tCO2/MWh",
                "year": 2023,
                "source_year": 2023,
                "proxy": False,
            },
            "factor_set": {"id": "cn-default", "version": 1},
            "methodology": {"id": "quzhou-3d", "version": 1},
            "previous_factor_set": {"id": "cn-default", "version": 1},
            "rating_methodologies": [{"id": "quzhou-3d", "version": 1}],
        },
    }


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
