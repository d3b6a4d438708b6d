"""write_template / write_template_fast: layout, validations, notes, formula-safe text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from importer_testkit import uscc
from openpyxl import load_workbook

from carbon.domain.identifiers import Period
from importers.layout import TEMPLATE_COLUMNS, TEMPLATE_HEADERS
from importers.template import read_template, write_template, write_template_fast


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(
    ("lang", "data_sheet", "notes_sheet"), [("zh", "能源数据", "说明"), ("en", "Energy data", "Notes")]
)
def test_sheets_header_and_frozen_panes(lang, data_sheet, notes_sheet):
    wb = load(write_template(lang=lang))
    assert wb.sheetnames == [data_sheet, notes_sheet]
    ws = wb[data_sheet]
    assert tuple(c.value for c in ws[1]) == TEMPLATE_HEADERS[lang]
    assert ws.freeze_panes == "C2"
    assert ws.max_row == 1
    assert all(ws.column_dimensions[c.column_letter].width >= 10 for c in ws[1])


def test_every_header_explains_its_unit_and_meaning():
    ws = load(write_template())["能源数据"]
    for cell, col in zip(ws[1], TEMPLATE_COLUMNS, strict=True):
        assert cell.comment is not None
        assert col.meaning_zh in cell.comment.text and col.meaning_en in cell.comment.text
        if col.is_quantity:
            assert col.unit_zh in cell.comment.text and col.unit_en in cell.comment.text


def test_data_validations():
    ws = load(write_template())["能源数据"]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    assert len(by_column) == len(TEMPLATE_COLUMNS)
    uscc_dv = by_column["A"]
    assert (uscc_dv.type, uscc_dv.operator, uscc_dv.formula1) == ("textLength", "equal", "18")
    for letter in ("F", "Z", "AD"):  # electricity, converter gas, tax
        dv = by_column[letter]
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        assert dv.showInputMessage and dv.prompt
    assert "万千瓦时" in by_column["F"].prompt
    assert by_column["E"].prompt.startswith("数据所属月份")


def test_notes_sheet_explains_every_column_in_both_languages():
    ws = load(write_template(lang="en"))["Notes"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for col in TEMPLATE_COLUMNS:
        assert col.header_zh in text and col.header_en in text
        assert col.meaning_zh in text and col.meaning_en in text
    assert "留空表示0" in text and "Blank energy and emission cells mean zero" in text
    assert "YYYY年M月" in text


def test_text_that_looks_like_a_formula_is_stored_as_text():
    names = ['=HYPERLINK("http://x","y")', "+86 570", "-甲-", "@risk"]
    rows = [
        {"uscc": uscc(i), "name": name, "month": "2023-01", "diesel": 1.0} for i, name in enumerate(names)
    ]
    data = write_template(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    ws = load(data)["能源数据"]
    assert [ws.cell(row=i + 2, column=2).value for i in range(4)] == names
    assert all(ws.cell(row=i + 2, column=2).data_type == "s" for i in range(4))
    assert all(ws.cell(row=i + 2, column=2).quotePrefix for i in range(4))
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert [r.name for r in parsed.records] == names


def test_rows_are_written_with_formats_and_read_back():
    rows = [
        {"uscc": uscc(1), "name": "甲", "industry_code": "0610", "region_code": "330802",
         "month": dt.date(2023, 5, 1), "electricity": 1.5, "tax": 2},
        {"uscc": uscc(1), "name": "甲", "industry_code": "0610", "region_code": "330802",
         "month": Period(2023, 6), "electricity": "1,000"},
    ]  # fmt: skip
    data = write_template(rows)
    ws = load(data)["能源数据"]
    assert ws["C2"].value == "0610" and ws["C2"].number_format == "@"
    assert ws["E2"].number_format == "yyyy-mm"
    assert ws["E3"].value == "2023-06"
    assert ws["F2"].number_format == "#,##0.00##"
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert [
        (r.period, r.industry_code, r.values["electricity"], r.values["tax"]) for r in parsed.records
    ] == [
        (Period(2023, 5), "0610", 15.0, 2.0),
        (Period(2023, 6), "0610", 10_000.0, None),
    ]


def test_fast_writer_layout(tmp_path):
    buf = io.BytesIO()
    write_template_fast(
        [{"uscc": uscc(1), "name": "=cmd", "month": "2023-01", "diesel": 2.5, "lpg": "3"}], buf, lang="en"
    )
    wb = load(buf.getvalue())
    assert wb.sheetnames == ["Energy data", "Notes"]
    ws = wb["Energy data"]
    assert tuple(c.value for c in ws[1]) == TEMPLATE_HEADERS["en"]
    assert ws.freeze_panes == "C2"
    assert ws["B2"].value == "=cmd" and ws["B2"].data_type == "s"
    parsed = read_template(buf.getvalue(), "x.xlsx")
    assert parsed.errors == []
    (rec,) = parsed.records
    assert (rec.name, rec.values["diesel"], rec.values["lpg"], rec.originals) == (
        "=cmd",
        2.5,
        3.0,
        {"lpg": "3"},
    )
