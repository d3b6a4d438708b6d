"""Workbooks as people keep them (DESIGN §6.2): title rows, merged cells, enterprise blocks,
two-row headers, months as columns, subtotal rows, statistical column numbers."""

from __future__ import annotations

import io

import pytest
from importer_testkit import IDENTITY_ZH, ident, uscc, workbook
from openpyxl import Workbook

from carbon.domain.identifiers import Period
from importers.template import read_template


def _merged(rows: list[list[object]], merges: list[str], name: str = "s") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = name
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(row=i, column=j, value=v)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _values(parsed, key: str) -> dict[Period, float | None]:
    return {r.period: r.values.get(key) for r in parsed.records}


LEDGER_BLOCK = [
    ["某某纸业有限公司2023年能源消费台账"],
    [f"企业名称：某某纸业有限公司    统一社会信用代码：{uscc(1)}"],
    ["行业代码：", "2221", None, "行政区划代码", "330802"],
]


def test_ledger_with_block_reads_months_as_columns():
    months = [f"{m}月" for m in range(1, 13)]
    rows = [
        *LEDGER_BLOCK,
        [],
        ["项目", "计量单位", *months, "全年合计"],
        ["电力", "万千瓦时", *[10.0 + m for m in range(12)], sum(10.0 + m for m in range(12))],
        ["天然气(立方米)", None, *["12,000"] * 12, None],
        ["工业增加值", "千元", *[1000.0] * 12, 12000.0],
        ["综合能源消费量合计(吨标准煤)", "吨标准煤", *[99.0] * 12, None],
    ]
    parsed = read_template(workbook({"台账": rows}), "ledger.xlsx")
    assert parsed.errors == [], parsed.errors
    assert [r.period for r in parsed.records] == [Period(2023, m) for m in range(1, 13)]
    r = parsed.records[2]
    assert (r.uscc, r.name, r.industry_code, r.region_code) == (uscc(1), "某某纸业有限公司", "2221", "330802")
    assert r.values == pytest.approx({"electricity": 120.0, "natural_gas": 1.2, "value_added": 100.0})
    assert r.originals == {"natural_gas": "12,000"}
    # each figure is traced to its own cell: row of the quantity, column of the month
    elec = [c for c in parsed.columns if c.field == "electricity" and c.period == "2023-03"]
    assert [(c.column, c.row, c.unit, c.factor) for c in elec] == [("E", 6, "万千瓦时", 10.0)]
    assert parsed.warnings == []


def test_ledger_year_from_block_month_not_reported_and_total_column_checked():
    rows = [
        [f"统一社会信用代码：{uscc(2)}", None, "年份：2022"],
        ["行业代码：2614", None, "行政区划代码：330803"],
        ["能源品种", "1月", "2月", "3月", "4月", "合计"],
        ["电力(MWh)", 5.0, 6.0, None, None, 12.0],
        ["柴油(吨)", 1.0, None, None, None, None],
    ]
    parsed = read_template(workbook({"2022": rows}), "l.xlsx")
    assert parsed.errors == []
    # March and April have no figure at all: not reported, not zero
    assert _values(parsed, "electricity") == {Period(2022, 1): 5.0, Period(2022, 2): 6.0}
    assert _values(parsed, "diesel") == {Period(2022, 1): 1.0, Period(2022, 2): 0.0}
    (w,) = parsed.warnings
    assert (w.sheet, w.row, w.column) == ("2022", 4, "F") and "11" in w.message


def test_ledger_without_a_year_is_an_error_naming_the_header():
    rows = [[f"统一社会信用代码：{uscc(2)}"], ["项目", "1月", "2月", "3月"], ["电力(MWh)", 1.0, 2.0, 3.0]]
    parsed = read_template(workbook({"s": rows}), "l.xlsx")
    assert not parsed.records
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "B")]
    assert "年份" in parsed.errors[0].message


def test_ledger_bad_block_uscc_is_named_at_its_cell():
    code = uscc(3)
    bad = code[:-1] + ("1" if code[-1] != "1" else "2")
    rows = [
        ["统一社会信用代码", bad, "年份", 2023],
        ["项目", "1月", "2月", "3月"],
        ["电力(MWh)", 1.0, 2.0, 3.0],
    ]
    parsed = read_template(workbook({"s": rows}), "l.xlsx")
    assert not parsed.records
    assert [(e.sheet, e.row, e.column) for e in parsed.errors] == [("s", 1, "B")]


def test_register_with_title_group_row_units_row_and_merged_identity():
    """Title merged over the table, a group row, names over a row of units, an enterprise's
    identity merged down over its months, a 小计 per enterprise and a 合计 at the end."""
    u1, u2 = uscc(1), uscc(2)
    rows: list[list[object]] = [
        ["2023年衢州市规上工业企业分月能源消费表"],
        ["填报单位：衢州市统计局", None, None, None, None, "单位：见表头"],
        ["序号", "企业基本情况", None, None, None, "能源消费量", None, "备注"],
        [None, "统一社会信用代码", "单位名称", "行业代码", "月份", "电力", "天然气", None],
        [None, None, None, None, None, "万千瓦时", "（万立方米）", None],
        [1, u1, "甲公司", "2614", "1月", 10.0, "1,000.5", None],
        [None, None, None, None, "2月", "１２", 2.0, "估算"],
        [None, "小计", None, None, None, 22.0, 1002.5, None],
        [],
        [2, u2, "乙公司", "3011", "1月", 5.0, None, None],
        ["合计", None, None, None, None, 27.0, 1002.5, None],
        ["制表人：张三   审核人：李四"],
    ]
    merges = ["A1:H1", "B3:E3", "F3:G3", "B6:B7", "C6:C7", "D6:D7"]
    parsed = read_template(_merged(rows, merges), "register.xlsx")
    assert parsed.errors == [], parsed.errors
    got = sorted(
        (r.uscc, r.period, r.row, r.values["electricity"], r.values["natural_gas"]) for r in parsed.records
    )
    assert got == sorted(
        [
            (u1, Period(2023, 1), 6, 100.0, 1000.5),
            (u1, Period(2023, 2), 7, 120.0, 2.0),
            (u2, Period(2023, 1), 10, 50.0, 0.0),
        ]
    )
    assert {r.name for r in parsed.records if r.uscc == u1} == {"甲公司"}
    # the unknown columns are listed, the signature line is noted, the subtotals agree
    assert [(w.row, w.column) for w in parsed.warnings] == [(3, "A"), (3, "H"), (12, None)]
    assert "序号" in parsed.warnings[0].message and "备注" in parsed.warnings[1].message


def test_a_wrong_subtotal_is_a_warning_naming_its_cell():
    rows = [
        [*IDENTITY_ZH, "柴油(吨)", "电力(万千瓦时)"],
        [*ident(1, "2023-01"), 1.0, 1.0],
        [*ident(1, "2023-02"), 2.0, 1.0],
        [None, "小计", None, None, None, 3.0, 2.2],
        [*ident(2, "2023-01"), 4.0, 1.0],
        [None, "小计", None, None, None, 4.0, 1.0],
        ["总计", None, None, None, None, 7.0, 3.5],
    ]
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    assert parsed.errors == []
    assert len(parsed.records) == 3
    assert [(w.row, w.column) for w in parsed.warnings] == [(4, "G"), (7, "G")]
    assert "小计" in parsed.warnings[0].message and "2" in parsed.warnings[0].message


def test_rows_table_takes_the_enterprise_and_year_from_the_block():
    rows = [
        ["乙化工有限公司2023年分月用能情况"],
        ["企业名称", "乙化工有限公司", "统一社会信用代码", uscc(5)],
        ["行业代码", "2614", "行政区划代码", "330881"],
        ["月份", "电力(kWh)", "蒸汽(吉焦)", "热力(吉焦)"],
        ["1月", "12,000", 5, 3.0],
        ["2月", 15000.0, None, None],
        ["合计", 27000.0, None, 3.0],
    ]
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    assert parsed.errors == [], parsed.errors
    assert [(r.uscc, r.period, r.industry_code, r.region_code) for r in parsed.records] == [
        (uscc(5), Period(2023, 1), "2614", "330881"),
        (uscc(5), Period(2023, 2), "2614", "330881"),
    ]
    assert _values(parsed, "electricity") == {Period(2023, 1): 12.0, Period(2023, 2): 15.0}
    # 蒸汽 in GJ is heat (DESIGN §9.2): added to the row's 热力, and traced
    assert _values(parsed, "heat") == {Period(2023, 1): 8.0, Period(2023, 2): 0.0}
    assert parsed.records[0].originals["heat"] == "3 GJ + 蒸汽(吉焦) 5 = 5 GJ"
    assert parsed.warnings == []


def test_statistical_column_number_row_under_the_header_is_skipped():
    rows = [
        [*IDENTITY_ZH, "柴油(吨)"],
        ["甲", "乙", "丙", "丁", "戊", 1],
        [*ident(1), 1.0],
    ]
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    assert parsed.errors == [] and len(parsed.records) == 1


def test_ledger_and_register_sheets_in_one_file_may_not_give_a_month_twice():
    ledger = [
        [f"统一社会信用代码：{uscc(1)}    年份：2023"],
        ["项目", "1月", "2月", "3月"],
        ["电力(MWh)", 1.0, 2.0, 3.0],
    ]
    register = [[*IDENTITY_ZH, "电力(MWh)"], [*ident(1, "2023-02"), 9.0]]
    parsed = read_template(workbook({"ledger": ledger, "register": register}), "x.xlsx")
    assert not parsed.ok
    assert any("2023-02" in e.message for e in parsed.errors)
