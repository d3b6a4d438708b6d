"""read_template on .xls (BIFF8, read by calamine): the same records as the xlsx template,
and errors named by sheet, Excel row and column letter."""

from __future__ import annotations

import datetime as dt
import io
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from unittest import mock

import pytest
import xlwt
import xlwt.BIFFRecords
from importer_testkit import uscc

from carbon.domain.identifiers import Period
from carbon.domain.quantities import FIELDS
from carbon.domain.records import MonthlyRecord
from importers.layout import TEMPLATE_COLUMNS, TEMPLATE_HEADERS
from importers.template import column_letter, read_template, write_template

KEYS = [c.key for c in TEMPLATE_COLUMNS]
ZH = list(TEMPLATE_HEADERS["zh"])
MONTH_STYLE = xlwt.easyxf(num_format_str="yyyy-mm")
DATETIME_STYLE = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")


def xls(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xls whose sheets hold the given rows from A1 (None = no cell; dates get a date
    format, as a month typed into Excel would)."""
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write(i, j, v, DATETIME_STYLE)
                elif isinstance(v, dt.date):
                    ws.write(i, j, v, MONTH_STYLE)
                else:
                    ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_rows(first: int, n_enterprises: int, months: Sequence[object]) -> list[dict[str, object]]:
    """Rows keyed by template column, in template units: plain numbers, whole numbers
    (stored by xlwt as integers), blanks, and a number written as text."""
    rows: list[dict[str, object]] = []
    for e in range(first, first + n_enterprises):
        for m, month in enumerate(months):
            row: dict[str, object] = {
                "uscc": uscc(e),
                "name": f"衢州测试{e}有限公司",
                "industry_code": ["2614", "3011", "1713"][e % 3],
                "region_code": "330802",
                "month": month,
            }
            for k, f in enumerate(FIELDS):
                if (e + m + k) % 3 == 0:
                    row[f.key] = round(12.5 * (e + 1) + m + k / 8, 3)
                elif (e + m + k) % 3 == 1:
                    row[f.key] = float(10 * e + k)  # a whole number
            row["electricity"] = "1,234.5" if (e + m) % 4 == 0 else 100.0 + e + m / 4
            row["electricity_green"] = 10.0
            rows.append(row)
    return rows


def as_cells(rows: Sequence[Mapping[str, object]]) -> list[list[object]]:
    return [ZH, *([r.get(k) for k in KEYS] for r in rows)]


def same_records(xls_records: Sequence[MonthlyRecord], xlsx_records: Sequence[MonthlyRecord]) -> None:
    def key(r: MonthlyRecord) -> tuple[object, ...]:
        return (r.uscc, r.period, r.row, r.name, r.industry_code, r.region_code, r.originals)

    assert [key(r) for r in xls_records] == [key(r) for r in xlsx_records]
    assert [r.values for r in xls_records] == [pytest.approx(r.values) for r in xlsx_records]


def test_xls_gives_the_same_records_as_the_xlsx_template():
    months: list[object] = [dt.date(2023, 1, 1), "2023-02", "2023年3月", dt.datetime(2023, 4, 1, 0, 0)]
    first = template_rows(0, 3, months)
    second = template_rows(3, 2, [dt.date(2023, 5, 1), "2023/06"])
    data = xls({"能源数据": as_cells(first), "柯城区（二）": as_cells(second), "说明": [["填表说明"]]})

    parsed = read_template(data, "x.xls")
    assert parsed.errors == []
    assert parsed.warnings == []
    assert parsed.rows_read == len(first) + len(second)
    from_xlsx = [
        *read_template(write_template(first), "x.xlsx").records,
        *read_template(write_template(second), "y.xlsx").records,
    ]
    same_records(parsed.records, from_xlsx)
    assert [r.sheet for r in parsed.records] == ["能源数据"] * len(first) + ["柯城区（二）"] * len(second)
    assert [r.period for r in parsed.records[:4]] == [Period(2023, m) for m in (1, 2, 3, 4)]
    text_number = parsed.records[0]
    assert text_number.values["electricity"] == pytest.approx(12_345.0)  # 1,234.5 万千瓦时 = 12,345 MWh
    assert text_number.originals == {"electricity": "1,234.5"}
    assert [(c.sheet, c.column, c.field) for c in parsed.columns][:2] == [
        ("能源数据", "F", "electricity"),
        ("能源数据", "G", "electricity_exported"),
    ]


def test_xls_with_title_rows_and_a_few_columns():
    header = [
        "统一社会信用代码",
        "企业名称",
        "行业代码",
        "行政区划代码",
        "月份",
        "电力(万千瓦时)",
        "天然气(万立方米)",
        "工业增加值(万元)",
    ]
    rows = [
        ["2023年 衢州市 企业能源数据"],
        [],
        header,
        [uscc(1), "甲公司", "2614", "330802", dt.date(2023, 7, 1), 12.5, 3, "880"],
        [uscc(1), "甲公司", "2614", "330802", "2023-08", None, 0.25, None],
        ["合计", None, None, None, None, 12.5, 3.25, 880],
    ]
    parsed = read_template(xls({"二〇二三": rows}), "x.xls")
    assert parsed.errors == []
    assert [(r.sheet, r.row, r.uscc, r.period) for r in parsed.records] == [
        ("二〇二三", 4, uscc(1), Period(2023, 7)),
        ("二〇二三", 5, uscc(1), Period(2023, 8)),
    ]
    assert parsed.records[0].values == pytest.approx(
        {"electricity": 125.0, "natural_gas": 3.0, "value_added": 880.0}
    )
    assert parsed.records[1].values == pytest.approx(
        {"electricity": 0.0, "natural_gas": 0.25, "value_added": None}
    )


def test_bad_xls_cells_are_named_by_sheet_excel_row_and_column_letter():
    good = template_rows(0, 1, ["2023-01", "2023-02", "2023-03"])
    bad = template_rows(5, 1, ["2023-01", "2023-02", "2023-03"])
    bad[1]["electricity"] = "abc"  # row 3, column F
    bad[2]["value_added"] = -5.0  # row 4
    bad[2]["month"] = "2023-13"  # row 4, column E
    value_added = column_letter(KEYS.index("value_added"))
    assert len(value_added) == 2  # beyond Z: the letters are computed, not looked up
    data = xls({"能源数据": as_cells(good), "第二页 柯城": as_cells(bad)})

    parsed = read_template(data, "x.xls")
    assert [(e.sheet, e.row, e.column) for e in parsed.errors] == [
        ("第二页 柯城", 3, "F"),
        ("第二页 柯城", 4, "E"),
        ("第二页 柯城", 4, value_added),
    ]
    assert "abc" in parsed.errors[0].message and "电力(万千瓦时)" in parsed.errors[0].message
    # The same mistakes in the xlsx template are reported at the same places.
    xlsx_errors = read_template(write_template(bad), "x.xlsx").errors
    assert [(e.row, e.column, e.message) for e in xlsx_errors] == [
        (e.row, e.column, e.message) for e in parsed.errors
    ]


@contextmanager
def excel_cached_formula_results(result: bytes) -> Iterator[None]:
    """xlwt stores every formula's result as an empty string; Excel stores the value it
    computed. Write ``result`` (the 8 bytes of a BIFF8 FORMULA record) instead."""

    def init(self, row, col, xf_index, rpn, calc_flags=0):  # type: ignore[no-untyped-def]
        head = struct.pack("<3H", row, col, xf_index)
        self._rec_data = head + result + struct.pack("<HL", calc_flags & 3, 0) + rpn

    with mock.patch.object(xlwt.BIFFRecords.FormulaRecord, "__init__", init):
        yield


def test_xls_formula_cells_read_their_cached_values():
    header = ["统一社会信用代码", "月份", "电力(万千瓦时)", "天然气(万立方米)"]
    rows = [header, [uscc(2), "2023-03", xlwt.Formula("1+1"), 4.0]]
    with excel_cached_formula_results(struct.pack("<d", 7.5)):
        data = xls({"S": rows})
    parsed = read_template(data, "x.xls")
    assert parsed.errors == []
    assert parsed.records[0].values == pytest.approx({"electricity": 75.0, "natural_gas": 4.0})


def test_xls_error_cells_and_formulas_with_error_results_are_cell_errors():
    """Excel saves #DIV/0! as an error cell, or as a formula whose result is an error:
    both are an error for that cell, never a blank read as zero."""
    header = ["统一社会信用代码", "月份", "电力(万千瓦时)", "天然气(万立方米)"]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("S")
    for j, v in enumerate(header):
        ws.write(0, j, v)
    for i in (1, 2):
        ws.write(i, 0, uscc(i))
        ws.write(i, 1, f"2023-0{i}")
        ws.write(i, 3, 1.0)
    ws.row(1).set_cell_error(2, 0x07)  # #DIV/0!
    # a formula whose saved result is #N/A (BIFF8: type 2 = error, code 0x2A)
    with excel_cached_formula_results(struct.pack("<BBB3BH", 2, 0, 0x2A, 0, 0, 0, 0xFFFF)):
        ws.write(2, 2, xlwt.Formula("NA()"))
        buf = io.BytesIO()
        wb.save(buf)
    parsed = read_template(buf.getvalue(), "x.xls")
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "C"), (3, "C")]
    assert "#DIV/0!" in parsed.errors[0].message and "#N/A" in parsed.errors[1].message
    assert not parsed.records
