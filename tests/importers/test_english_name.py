"""The enterprise's English name (企业英文名称): an optional column or block item, read like
the name, never part of the template."""

from __future__ import annotations

import io

import pytest
from importer_testkit import IDENTITY_ZH, ident, one_sheet, uscc, workbook
from openpyxl import load_workbook
from return205_gen import calamine_sheets, write_205

from importers.layout import OPTIONAL_COLUMNS, TEMPLATE_COLUMNS, match_header
from importers.return205 import looks_like_205, read_205
from importers.template import read_template, write_template

EN_NAME = "Quzhou Jia Chemical Co., Ltd."


@pytest.mark.parametrize(
    "header",
    [
        "企业英文名称",
        "英文名称",
        "Enterprise name (English)",
        "Enterprise name(English)",
        "English name",
        "name_en",
        "NAME_EN",
        "企业名称（英文）",
        "单位名称(英文)",
        "Company name [English]",
        "Name in English",
    ],
)
def test_english_name_headers_are_recognised(header):
    assert match_header(header) == ("name_en", None)


def test_the_name_headers_still_mean_the_name():
    for header in ("企业名称", "Name", "Enterprise name", "单位名称", "Company name (中文)"):
        assert match_header(header) == ("name", None), header


def test_the_template_does_not_list_the_english_name():
    (column,) = OPTIONAL_COLUMNS
    assert column.key == "name_en"
    assert "name_en" not in {c.key for c in TEMPLATE_COLUMNS}
    for lang in ("zh", "en"):
        headers = [
            c.value
            for c in next(load_workbook(io.BytesIO(write_template(lang=lang))).active.iter_rows(max_row=1))
        ]
        assert all(match_header(h) != ("name_en", None) for h in headers)


@pytest.mark.parametrize("header", ["企业英文名称", "Enterprise name (English)"])
def test_a_csv_column_gives_the_english_name_a_blank_cell_gives_none(header):
    text = (
        f"统一社会信用代码,企业名称,行业代码,行政区划代码,月份,{header},电力(万千瓦时)\r\n"
        f"{uscc(1)},衢州甲公司,2614,330802,2023-01,,1\r\n"
        f'{uscc(1)},衢州甲公司,2614,330802,2023-02,"  {EN_NAME} ",2\r\n'
        f"{uscc(2)},衢州乙公司,2614,330802,2023-01,,3\r\n"
    )
    parsed = read_template(text.encode(), "能源.csv")
    assert parsed.errors == [] and parsed.warnings == []
    got = {(r.uscc, str(r.period)): (r.name, r.name_en) for r in parsed.records}
    assert got[(uscc(1), "2023-02")] == ("衢州甲公司", EN_NAME)  # whitespace collapsed
    assert got[(uscc(2), "2023-01")] == ("衢州乙公司", None)
    assert {r.name_en for r in parsed.records if r.uscc == uscc(1)} <= {None, EN_NAME}


def test_an_xlsx_column_in_english_headers():
    data = one_sheet(
        ["USCC", "Name", "English name", "Industry code", "Region code", "Month", "Electricity (MWh)"],
        [uscc(1), "衢州甲公司", EN_NAME, "2614", "330802", "2023-01", 5.0],
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    (r,) = parsed.records
    assert (r.name, r.name_en, r.values) == ("衢州甲公司", EN_NAME, {"electricity": 5.0})


@pytest.mark.parametrize("label", ["企业英文名称：", "英文名称:", "English name: "])
def test_the_block_above_the_table_gives_it(label):
    rows = [
        [f"企业名称：衢州甲公司    {label}{EN_NAME}"],
        [f"统一社会信用代码：{uscc(3)}"],
        ["行业代码", "2614", None, "行政区划代码", "330802"],
        ["月份", "电力(万千瓦时)"],
        ["2023-01", 1.0],
        ["2023-02", 2.0],
    ]
    parsed = read_template(workbook({"s": rows}), "b.xlsx")
    assert parsed.errors == []
    assert {(r.name, r.name_en) for r in parsed.records} == {("衢州甲公司", EN_NAME)}


def test_a_label_cell_then_its_value():
    rows = [
        ["统一社会信用代码", uscc(3), None, "企业英文名称", EN_NAME],
        ["月份", "电力(万千瓦时)"],
        ["2023-01", 1.0],
    ]
    parsed = read_template(workbook({"s": rows}), "b.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].name_en == EN_NAME


def test_too_long_or_control_characters_are_cell_errors():
    text = (
        "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,企业英文名称,电力(万千瓦时)\r\n"
        f"{uscc(1)},衢州甲公司,2614,330802,2023-01,{'x' * 201},1\r\n"
        f"{uscc(2)},衢州乙公司,2614,330802,2023-01,Bell\x07Co,1\r\n"
        f"{uscc(3)},衢州丙公司,2614,330802,2023-01,{'y' * 200},1\r\n"
    )
    parsed = read_template(text.encode(), "能源.csv")
    assert not parsed.ok and [r.name_en for r in parsed.records] == ["y" * 200]  # 200 is the limit
    errors = {(e.sheet, e.row, e.column): e.message for e in parsed.errors}
    assert set(errors) == {("能源", 2, "F"), ("能源", 3, "F")}
    too_long = errors[("能源", 2, "F")]
    assert "201 characters, more than 200" in too_long and "企业英文名称过长" in too_long
    assert "U+0007" in errors[("能源", 3, "F")]


def test_a_too_long_block_value_is_named_at_its_own_cell():
    rows = [
        [f"统一社会信用代码：{uscc(3)}"],
        [None, f"英文名称：{'z' * 201}"],
        [],
        ["月份", "电力(万千瓦时)"],
        ["2023-01", 1.0],
    ]
    parsed = read_template(workbook({"s": rows}), "b.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("s", 2, "B") and "企业英文名称过长" in e.message


def test_two_english_names_for_one_enterprise_is_an_error():
    data = one_sheet(
        [*IDENTITY_ZH, "English name", "电力(万千瓦时)"],
        [*ident(1, "2023-01"), "Jia Co.", 1.0],
        [*ident(1, "2023-02"), "Another Co.", 1.0],
    )
    parsed = read_template(data, "x.xlsx")
    (e,) = parsed.errors
    assert (e.row, e.column) == (3, "F") and "同一统一社会信用代码的企业英文名称" in e.message


def test_a_ledger_block_gives_it():
    rows = [
        [f"企业名称：衢州甲公司  企业英文名称：{EN_NAME}"],
        [f"统一社会信用代码：{uscc(4)}", None, "年份：2023"],
        ["项目", "计量单位", "1月", "2月", "3月"],
        ["电力", "万千瓦时", 1, 2, 3],
    ]
    parsed = read_template(workbook({"台账": rows}), "ledger.xlsx")
    assert parsed.errors == []
    assert len(parsed.records) == 3 and {r.name_en for r in parsed.records} == {EN_NAME}


def test_a_205_return_block_gives_it():
    ent = {
        "uscc": uscc(205),
        "name": "衢州测试化工有限公司",
        "industry_code": "2614",
        "region_code": "330802",
    }
    wb = load_workbook(io.BytesIO(write_205(ent, {1: {"电力": 10.0}, 2: {"电力": 12.0}}, 2023)))
    for ws in wb.worksheets:
        ws.cell(row=4, column=1, value=f"企业英文名称：{EN_NAME}")
    buf = io.BytesIO()
    wb.save(buf)
    sheets = [(n, rows) for n, rows in calamine_sheets(buf.getvalue()) if looks_like_205(rows[:40])]
    parsed = read_205(sheets, "205.xlsx")
    assert parsed.errors == [], parsed.errors
    assert [r.name_en for r in parsed.records] == [EN_NAME, EN_NAME]
