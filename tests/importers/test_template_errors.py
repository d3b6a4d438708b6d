"""read_template on bad input: every error names its sheet, row and column, and all are kept."""

from __future__ import annotations

import datetime as dt

import pytest
from importer_testkit import IDENTITY_ZH, bad_check, ident, one_sheet, uscc, workbook

from importers.template import read_template

HEADER = [*IDENTITY_ZH, "电力(万千瓦时)", "绿电(万千瓦时)", "柴油(吨)", "工业增加值(万元)"]
#          A          B        C          D            E      F                 G                H          I


def where(parsed):
    return [(e.sheet, e.row, e.column) for e in parsed.errors]


def bilingual(message: str) -> bool:
    return " / " in message and any("\u4e00" <= ch <= "\u9fff" for ch in message.split(" / ")[-1])


def read_rows(*rows, header=HEADER):
    return read_template(one_sheet(header, *rows, name="能源数据"), "x.xlsx")


@pytest.mark.parametrize(
    ("cell", "column", "words"),
    [
        ("abc", "F", "expected a non-negative number, got 'abc'"),
        (-5.0, "F", "expected a non-negative number, got -5"),
        ("-5", "F", "expected a non-negative number, got '-5'"),
        ("1,23", "F", "expected a non-negative number, got '1,23'"),
        ("12吨", "F", "got '12吨'"),
        (dt.datetime(2023, 1, 1), "F", "expected a number, got the date"),
        (True, "F", "expected a non-negative number"),
    ],
)
def test_bad_number_is_an_error_naming_the_cell(cell, column, words):
    parsed = read_rows([*ident(1), cell, None, 1.0, 2.0])
    assert where(parsed) == [("能源数据", 2, column)]
    message = parsed.errors[0].message
    assert words in message
    assert "电力(万千瓦时)" in message
    assert bilingual(message)
    assert parsed.records == []


def test_every_error_of_every_row_is_collected():
    parsed = read_rows(
        [bad_check(uscc(1)), "甲", "99", "12345", "2023-13", "x", None, -1.0, "y"],
        [*ident(2), 1.0, None, 2.0, 3.0],
        [*ident(3), "bad", None, "worse", None],
    )
    assert where(parsed) == [
        ("能源数据", 2, "A"),
        ("能源数据", 2, "C"),
        ("能源数据", 2, "D"),
        ("能源数据", 2, "E"),
        ("能源数据", 2, "F"),
        ("能源数据", 2, "H"),
        ("能源数据", 2, "I"),
        ("能源数据", 4, "F"),
        ("能源数据", 4, "H"),
    ]
    assert all(bilingual(e.message) for e in parsed.errors)
    assert [r.row for r in parsed.records] == [3]
    assert parsed.rows_read == 3


def test_bad_uscc_check_character():
    code = bad_check(uscc(7))
    parsed = read_rows([code, "甲", "2614", "330802", "2023-01", 1.0, None, None, None])
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("能源数据", 2, "A")
    assert code in e.message and "check character" in e.message and "校验码" in e.message


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (None, "USCC is empty"),
        ("91330800", "18 characters"),
        ("91330800000000001I", "invalid character"),
        (913308000000000000.0, "number cell"),
    ],
)
def test_other_uscc_problems(cell, words):
    parsed = read_rows([cell, "甲", "2614", "330802", "2023-01", 1.0, None, None, None])
    (e,) = parsed.errors
    assert (e.row, e.column) == (2, "A")
    assert words in e.message and bilingual(e.message)


@pytest.mark.parametrize("cell", ["2023-13", "13/2023", "Jan 2023", 2023.5, 12.0, "", dt.time(10, 0)])
def test_bad_month(cell):
    parsed = read_rows([uscc(1), "甲", "2614", "330802", cell, 1.0, None, None, None])
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("能源数据", 2, "E")
    assert bilingual(e.message)


def test_bad_industry_and_region_codes():
    parsed = read_rows([uscc(1), "甲", "B26", "33080", "2023-01", 1.0, None, None, None])
    assert where(parsed) == [("能源数据", 2, "C"), ("能源数据", 2, "D")]
    assert "GB/T 4754" in parsed.errors[0].message or "section" in parsed.errors[0].message
    assert "GB/T 2260" in parsed.errors[1].message


def test_green_electricity_above_purchased():
    parsed = read_rows([*ident(1), 10.0, 12.0, None, None], [*ident(1, "2023-02"), 10.0, 10.0, None, None])
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("能源数据", 2, "G")
    assert "绿电不能大于外购电力" in e.message
    assert [r.row for r in parsed.records] == [3]


def test_duplicate_enterprise_month_names_the_first_row():
    parsed = read_rows(
        [*ident(1, "2023-01"), 1.0, None, None, None],
        [*ident(2, "2023-01"), 1.0, None, None, None],
        [*ident(1, "2023年1月"), 2.0, None, None, None],
        [*ident(1, dt.datetime(2023, 1, 1)), 3.0, None, None, None],
    )
    assert where(parsed) == [("能源数据", 4, "E"), ("能源数据", 5, "E")]
    assert all("row 2" in e.message and "第2行" in e.message for e in parsed.errors)
    assert [r.row for r in parsed.records] == [2, 3]


def test_duplicate_across_sheets_names_the_sheet():
    data = workbook(
        {
            "A表": [HEADER, [*ident(1), 1.0, None, None, None]],
            "B表": [HEADER, [*ident(1), 1.0, None, None, None]],
        }
    )
    parsed = read_template(data, "x.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("B表", 2, "E")
    assert "row 2 of sheet 'A表'" in e.message and "工作表“A表”第2行" in e.message


def test_same_uscc_with_different_name_industry_or_region():
    parsed = read_rows(
        [uscc(1), "甲公司", "2614", "330802", "2023-01", 1.0, None, None, None],
        [uscc(1), "乙公司", "2614", "330802", "2023-02", 1.0, None, None, None],
        [uscc(1), "甲公司", "3011", "330803", "2023-03", 1.0, None, None, None],
        [uscc(1), "甲公司", "2614", "330802", "2023-04", 1.0, None, None, None],
    )
    assert where(parsed) == [("能源数据", 3, "B"), ("能源数据", 4, "C"), ("能源数据", 4, "D")]
    assert "'乙公司' differs from '甲公司' in row 2" in parsed.errors[0].message
    assert [r.row for r in parsed.records] == [2, 5]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("电力(吨)", "expected electricity"),
        ("电力(furlongs)", "unknown unit 'furlongs'"),
        ("电力", "has no unit"),
        ("Natural gas", "has no unit"),
    ],
)
def test_header_unit_errors_name_the_header_cell(header, words):
    parsed = read_template(one_sheet([*IDENTITY_ZH, "柴油(吨)", header], [*ident(1), 1.0, 2.0]), "x.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("data", 1, "G")
    assert words in e.message and bilingual(e.message)
    # the column is left out; the rest of the sheet is still read and checked
    assert [c.field for c in parsed.columns] == ["diesel"]
    assert parsed.records[0].values == {"diesel": 1.0}


def test_missing_unit_message_says_which_unit_is_expected():
    parsed = read_template(one_sheet([*IDENTITY_ZH, "天然气"], [*ident(1), 1.0]), "x.xlsx")
    (e,) = parsed.errors
    assert "天然气(万立方米)" in e.message and "Natural gas (10^4 Nm3)" in e.message


def test_a_column_given_twice_is_an_error():
    parsed = read_template(
        one_sheet([*IDENTITY_ZH, "柴油(吨)", "Diesel (kg)"], [*ident(1), 1.0, 2.0]), "x.xlsx"
    )
    (e,) = parsed.errors
    assert (e.row, e.column) == (1, "G")
    assert "column F" in e.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"this is not a spreadsheet at all", "cannot read"),
        (b"PK\x03\x04" + b"\x00" * 200, "cannot read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "cannot read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "password"),
    ],
    ids=["empty", "text", "broken-zip", "broken-ole", "encrypted"],
)
def test_unreadable_file_is_one_clear_error(data, words):
    parsed = read_template(data, "upload.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("", None, None)
    assert words in e.message and bilingual(e.message)
    assert parsed.records == [] and parsed.columns == []


def test_truncated_workbook_is_one_clear_error():
    good = one_sheet(HEADER, [*ident(1), 1.0, None, None, None])
    parsed = read_template(good[: len(good) // 2], "upload.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("", None, None)


def test_csv_in_an_unknown_encoding():
    parsed = read_template("统一社会信用代码,月份\r\n".encode("utf-16"), "x.csv")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("", None, None)


def test_no_sheet_with_a_header_says_which_headers_are_required():
    data = workbook({"Sheet1": [["企业名称", "电力(万千瓦时)"], ["甲", 1.0]], "说明": [["notes"]]})
    parsed = read_template(data, "x.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("", None, None)
    assert "统一社会信用代码 (USCC)" in e.message and "月份 (Month)" in e.message
    assert bilingual(e.message)


def test_header_only_file_is_rejected_for_having_no_data():
    parsed = read_template(one_sheet(HEADER), "x.xlsx")
    assert parsed.records == [] and parsed.warnings == []
    (e,) = parsed.errors  # DESIGN §9.2: a file with no data rows is rejected
    assert (e.sheet, e.row, e.column) == ("data", None, None)
    assert "no data rows found" in e.message and "未找到数据行" in e.message
