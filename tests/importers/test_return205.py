"""read_205: the 205-1 return (能源购进、消费与库存), monthly sheets of cumulative figures."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from importer_testkit import bad_check, uscc

# tests/ is on sys.path (pytest's rootdir conftest), like importer_testkit's folder
from return205_gen import (
    add_205_sheets,
    bare_name,
    calamine_sheets,
    new_workbook,
    workbook_bytes,
    write_205,
)

from carbon.domain.identifiers import Period
from carbon.domain.records import ParsedFile
from importers.return205 import looks_like_205, read_205
from importers.template import write_template

ENT = {"uscc": uscc(205), "name": "衢州测试化工有限公司", "industry_code": "2614", "region_code": "330802"}
ENT2 = {"uscc": uscc(206), "name": "衢州测试水泥有限公司", "industry_code": "3011", "region_code": "330803"}

# 205-1 row -> (field, factor from the form's unit to the canonical unit)
FORM_FIELD = {
    "原煤": ("raw_coal", "1"),
    "无烟煤": ("anthracite", "1"),
    "一般烟煤": ("bituminous_coal", "1"),
    "焦炭": ("coke", "1"),
    "天然气": ("natural_gas", "1"),
    "汽油": ("gasoline", "1"),
    "柴油": ("diesel", "1"),
    "其他石油制品": ("other_petroleum_products", "1"),
    "热力": ("heat", "1"),
    "电力": ("electricity", "10"),
}
PRINTED_FIELDS = {f for f, _ in FORM_FIELD.values()}
TOTAL = "G"  # the 消费量合计 column of the default layout
FEEDSTOCK, OPENING, CLOSING = "I", "D", "L"


def read(data: bytes) -> ParsedFile:
    """As the workbook dispatcher will: the sheets looks_like_205 accepts, to read_205."""
    sheets = [(n, rows) for n, rows in calamine_sheets(data) if looks_like_205(rows[:40])]
    return read_205(sheets, "205.xlsx")


def canonical(v: float, factor: str = "1") -> float:
    return float(Decimal(repr(v)) * Decimal(factor))


def row_of(data: bytes, sheet: str, name: str) -> int:
    """The Excel row of an energy row (by its name without 其中：) on a sheet."""
    rows = dict(calamine_sheets(data))[sheet]
    for i, row in enumerate(rows, start=1):
        if any(isinstance(v, str) and bare_name(v) == name for v in row[:3]):
            return i
    raise AssertionError(f"no row {name} on {sheet}")


def where(cells: list[Any]) -> list[tuple[str, int | None, str | None]]:
    return [(e.sheet, e.row, e.column) for e in cells]


def bilingual(message: str) -> bool:
    return " / " in message and any("\u4e00" <= ch <= "\u9fff" for ch in message.split(" / ")[-1])


def by_period(parsed: ParsedFile) -> dict[str, dict[str, float | None]]:
    return {str(r.period): r.values for r in parsed.records}


def clean(parsed: ParsedFile) -> None:
    assert parsed.errors == [], parsed.errors
    assert parsed.warnings == [], parsed.warnings


# ---------------------------------------------------------------------------------------
# Figures


def twelve_months(seed: int = 205) -> dict[int, dict[str, float]]:
    rnd = random.Random(seed)
    return {
        m: {
            "电力": round(rnd.uniform(10, 900), 4),
            "天然气": round(rnd.uniform(0, 50), 4),
            "柴油": round(rnd.uniform(0, 9), 3),
            "汽油": round(rnd.uniform(0, 2), 3),
            "焦炭": round(rnd.uniform(0, 300), 2),
            "原煤": round(rnd.uniform(0, 5000), 2),
            "热力": round(rnd.uniform(0, 9000), 2),
        }
        for m in range(1, 13)
    }


def test_twelve_cumulative_sheets_difference_into_the_exact_monthly_figures():
    monthly = twelve_months()
    data = write_205(ENT, monthly, 2023)
    parsed = read(data)
    clean(parsed)
    assert [r.period for r in parsed.records] == [Period(2023, m) for m in range(1, 13)]
    for rec in parsed.records:
        m = rec.period.month
        expected: dict[str, float] = {f: 0.0 for f in PRINTED_FIELDS}
        for name, v in monthly[m].items():
            field, factor = FORM_FIELD[name]
            expected[field] = canonical(v, factor)
        assert rec.values == expected  # exact: differenced in decimal
        assert (rec.uscc, rec.name, rec.industry_code, rec.region_code) == (
            ENT["uscc"], ENT["name"], "2614", "330802",
        )  # fmt: skip
        assert rec.sheet == f"2023年{m}月"
        assert rec.row == row_of(data, rec.sheet, "原煤")  # the first energy row
    assert parsed.accepted == 12
    assert parsed.rows_read == 12 * 11  # the printed energy rows, 能源合计 not counted
    # one mapping per carrier row read, at the 消费量合计 column; 能源合计 is not one
    first = [c for c in parsed.columns if c.sheet == "2023年1月"]
    assert {c.header for c in first} == {
        "原煤",
        "其中：无烟煤",
        "一般烟煤",
        "焦炭",
        "天然气",
        "汽油",
        "柴油",
        "其他石油制品",
        "热力",
        "电力",
    }
    elec = next(c for c in first if c.field == "electricity")
    assert (elec.column, elec.unit, elec.factor, elec.row, elec.period) == (
        TOTAL, "万千瓦时", 10.0, row_of(data, "2023年1月", "电力"), "2023-01",
    )  # fmt: skip


def test_units_convert_to_canonical():
    monthly = {1: {"电力": 12.3456, "热力": 1000.5, "天然气": 3.25}}
    cells = {
        (1, "天然气", "unit"): "立方米",
        (1, "天然气", "total"): 32500.0,
        (1, "天然气", "industrial"): 32500.0,
        (1, "天然气", "purchase"): 32500.0,
    }
    parsed = read(write_205(ENT, monthly, 2023, cells=cells))
    clean(parsed)
    (rec,) = parsed.records
    assert rec.values["electricity"] == 123.456  # 万千瓦时 × 10 = MWh
    assert rec.values["heat"] == 1000.5  # 百万千焦 = GJ
    assert rec.values["natural_gas"] == 3.25  # 立方米 → 10^4 Nm3
    gas = next(c for c in parsed.columns if c.field == "natural_gas")
    assert (gas.unit, gas.factor) == ("立方米", 0.0001)


def test_unit_after_the_name_and_blank_unit():
    rows = [("电力(千瓦时)", "", "32"), ("柴油", "", "20")]
    data = write_205(ENT, {1: {"电力(千瓦时)": 5000.0, "柴油": 2.0}}, 2023, rows=rows, stock={})
    parsed = read(data)
    assert parsed.errors == []
    (rec,) = parsed.records
    assert rec.values == {"electricity": 5.0, "diesel": 2.0}
    (w,) = parsed.warnings  # 柴油's blank unit is read as the form's 吨
    assert (w.sheet, w.row, w.column) == ("2023年1月", row_of(data, "2023年1月", "柴油"), "B")
    assert "吨" in w.message and bilingual(w.message)


def test_unknown_unit_is_an_error_naming_the_unit_cell():
    data = write_205(ENT, {1: {"柴油": 2.0}}, 2023, cells={(1, "柴油", "unit"): "桶"})
    parsed = read(data)
    assert where(parsed.errors) == [("2023年1月", row_of(data, "2023年1月", "柴油"), "B")]
    assert "桶" in parsed.errors[0].message and bilingual(parsed.errors[0].message)
    assert parsed.records == []


def test_feedstock_subtracted_transport_memo_not_added_non_industrial_counted():
    monthly = {
        1: {"天然气": 10.0, "柴油": 5.0, "电力": 100.0},
        2: {"天然气": 10.0, "柴油": 5.0, "电力": 80.0},
    }
    parsed = read(
        write_205(
            ENT, monthly, 2023,
            feedstock={1: {"天然气": 4.0}, 2: {"天然气": 1.5}},
            transport={1: {"柴油": 3.0}, 2: {"柴油": 2.0}},
            non_industrial={1: {"电力": 20.0}, 2: {"电力": 5.0}},
        )
    )  # fmt: skip
    clean(parsed)
    jan, feb = by_period(parsed)["2023-01"], by_period(parsed)["2023-02"]
    assert (jan["natural_gas"], feb["natural_gas"]) == (6.0, 8.5)
    assert (jan["diesel"], feb["diesel"]) == (5.0, 5.0)
    assert (jan["electricity"], feb["electricity"]) == (1000.0, 800.0)


def test_feedstock_above_consumption_is_an_error():
    data = write_205(ENT, {1: {"天然气": 10.0}}, 2023, feedstock={1: {"天然气": 12.0}})
    parsed = read(data)
    assert where(parsed.errors) == [("2023年1月", row_of(data, "2023年1月", "天然气"), FEEDSTOCK)]
    assert "用于原材料" in parsed.errors[0].message and bilingual(parsed.errors[0].message)
    assert parsed.records == []


def test_months_feedstock_above_its_consumption_is_an_error():
    # cumulative 1-2月: consumption 10 -> 11, feedstock 2 -> 5: February burned -2
    data = write_205(
        ENT,
        {1: {"天然气": 10.0}, 2: {"天然气": 1.0}},
        2023,
        feedstock={1: {"天然气": 2.0}, 2: {"天然气": 3.0}},
    )
    parsed = read(data)
    assert where(parsed.errors) == [("2023年2月", row_of(data, "2023年2月", "天然气"), FEEDSTOCK)]
    assert not parsed.ok and parsed.records == []


# ---------------------------------------------------------------------------------------
# Coal and its breakdown


def test_breakdown_rows_count_and_raw_coal_does_not():
    monthly = {m: {"原煤": 130.0, "无烟煤": 60.0, "一般烟煤": 40.0, "炼焦烟煤": 30.0} for m in (1, 2)}
    parsed = read(write_205(ENT, monthly, 2023))
    clean(parsed)
    for values in by_period(parsed).values():
        assert values["raw_coal"] == 0.0
        assert values["anthracite"] == 60.0
        assert values["bituminous_coal"] == 70.0  # 一般烟煤 + 炼焦烟煤


def test_raw_coal_counts_when_no_breakdown_is_filled():
    parsed = read(write_205(ENT, {m: {"原煤": 100.0} for m in (1, 2)}, 2023))
    clean(parsed)
    for values in by_period(parsed).values():
        assert (values["raw_coal"], values["anthracite"], values["bituminous_coal"]) == (100.0, 0.0, 0.0)


def test_raw_coal_not_equal_to_its_breakdown_warns_and_the_breakdown_is_used():
    data = write_205(ENT, {1: {"原煤": 150.0, "无烟煤": 60.0, "一般烟煤": 40.0}}, 2023)
    parsed = read(data)
    assert parsed.errors == []
    assert where(parsed.warnings) == [("2023年1月", row_of(data, "2023年1月", "原煤"), TOTAL)]
    assert "breakdown" in parsed.warnings[0].message and bilingual(parsed.warnings[0].message)
    (rec,) = parsed.records
    assert (rec.values["raw_coal"], rec.values["anthracite"], rec.values["bituminous_coal"]) == (
        0.0,
        60.0,
        40.0,
    )


def test_switching_between_raw_coal_and_its_breakdown_within_a_year_is_an_error():
    # January gives 原煤 only; February (cumulative) breaks the same coal down by type.
    monthly = {1: {"原煤": 100.0}, 2: {"原煤": 100.0}}
    cells = {(2, "无烟煤", "total"): 200.0, (2, "无烟煤", "industrial"): 200.0}
    data = write_205(ENT, monthly, 2023, cells=cells)
    parsed = read(data)
    assert where(parsed.errors) == [("2023年2月", row_of(data, "2023年2月", "无烟煤"), TOTAL)]
    message = parsed.errors[0].message
    assert "原煤" in message and "2023年1月" in message and bilingual(message)
    assert parsed.records == []


# ---------------------------------------------------------------------------------------
# Rows that are skipped or warned about


def test_energy_total_row_is_skipped():
    monthly = {1: {"电力": 10.0}}
    data = write_205(ENT, monthly, 2023, cells={(1, "能源合计", "total"): 99999.0})
    parsed = read(data)
    assert parsed.errors == []
    assert all(c.header != "能源合计" for c in parsed.columns)
    assert parsed.records[0].values["electricity"] == 100.0
    # not read as a carrier, but compared with the carriers' tce (DESIGN §9.6): 10 × 1.229 ≠ 99999
    (w,) = parsed.warnings
    assert where([w]) == [("2023年1月", row_of(data, "2023年1月", "能源合计"), TOTAL)]
    assert "99999" in w.message and "12.29" in w.message and bilingual(w.message)


def test_unknown_energy_with_consumption_is_a_warning_naming_its_cell():
    # 其他燃料 in 吨标准煤 is a carrier given in tce, not a total: refused at its 消费量合计 cell
    # (docs/methodology.md §2.3); 煤矸石 names a carrier but is 0: nothing
    data = write_205(ENT, {1: {"电力": 10.0, "其他燃料": 5.0, "煤矸石": 0.0}}, 2023)
    parsed = read(data)
    assert where(parsed.errors) == [("2023年1月", row_of(data, "2023年1月", "其他燃料"), TOTAL)]
    message = parsed.errors[0].message
    assert "其他燃料" in message and "physical units" in message and "请按实物量填报" in message
    assert bilingual(message) and parsed.records == []
    zero = read(write_205(ENT, {1: {"电力": 10.0, "其他燃料": 0.0}}, 2023))
    assert zero.errors == []
    (rec,) = zero.records
    assert set(rec.values) == PRINTED_FIELDS  # nothing for 其他燃料, 煤矸石


def test_a_sheet_of_unknown_energies_only_gives_no_record_but_is_a_base():
    rows = [("其他燃料", "吨标准煤", "33")]
    parsed = read(write_205(ENT, {1: {"其他燃料": 1.0}, 2: {"其他燃料": 1.0}}, 2023, rows=rows, stock={}))
    assert parsed.records == []
    assert [e.sheet for e in parsed.errors] == ["2023年1月", "2023年2月"]  # 其他燃料 in tce: refused


def test_blank_row_is_zero_and_unprinted_carriers_are_absent():
    rows = [("电力", "万千瓦时", "32"), ("柴油", "吨", "20")]
    parsed = read(write_205(ENT, {1: {"电力": 10.0}}, 2023, rows=rows, stock={}))
    clean(parsed)
    assert parsed.records[0].values == {"electricity": 100.0, "diesel": 0.0}


def test_second_row_for_the_same_field_is_a_breakdown_not_added_again():
    rows = [("电力", "万千瓦时", "32"), ("其中：外购电力", "万千瓦时", "")]
    data = write_205(ENT, {1: {"电力": 10.0, "外购电力": 8.0}}, 2023, rows=rows, stock={})
    parsed = read(data)
    assert parsed.errors == []
    assert where(parsed.warnings) == [("2023年1月", row_of(data, "2023年1月", "外购电力"), "A")]
    assert parsed.records[0].values == {"electricity": 100.0}


def test_same_energy_twice_is_an_error():
    rows = [("电力", "万千瓦时", "32"), ("电力", "万千瓦时", "32")]
    data = write_205(ENT, {1: {"电力": 10.0}}, 2023, rows=rows, stock={})
    parsed = read(data)
    assert where(parsed.errors) == [("2023年1月", 12, "A")]
    assert parsed.records == []


# ---------------------------------------------------------------------------------------
# Cumulative series


def test_decreasing_cumulative_consumption_is_an_error_naming_the_cell():
    monthly = {m: {"电力": 10.0, "柴油": 1.0} for m in range(1, 6)}
    # 1-4月 电力 written as 29 (1-3月 is 30)
    cells = {(4, "电力", "total"): 29.0, (4, "电力", "industrial"): 29.0}
    data = write_205(ENT, monthly, 2023, cells=cells)
    parsed = read(data)
    assert where(parsed.errors) == [("2023年4月", row_of(data, "2023年4月", "电力"), TOTAL)]
    message = parsed.errors[0].message
    assert (
        "电力 cumulative consumption 2023 1–4月 (29 万千瓦时) is less than 2023 1–3月 (30 万千瓦时)"
        in message
    )
    assert "sheet '2023年3月'" in message and "累计消费量不能小于上月累计" in message
    assert bilingual(message)
    assert not parsed.ok and parsed.records == [] and parsed.accepted == 0


def test_decrease_across_a_gap_is_still_an_error():
    monthly = {m: {"柴油": 2.0} for m in range(1, 5)}
    data = write_205(ENT, monthly, 2023, months=[1, 2, 4], cells={(4, "柴油", "total"): 3.0})
    parsed = read(data)
    assert ("2023年4月", row_of(data, "2023年4月", "柴油"), TOTAL) in where(parsed.errors)


def test_a_row_missing_from_a_later_sheet_is_a_decrease():
    wb = new_workbook()
    add_205_sheets(wb, ENT, {1: {"电力": 10.0, "柴油": 1.0}}, 2023, stock={})
    only_power = [("电力", "万千瓦时", "32")]
    add_205_sheets(
        wb, ENT, {1: {"电力": 10.0}, 2: {"电力": 10.0}}, 2023, months=[2], rows=only_power, stock={}
    )
    parsed = read(workbook_bytes(wb))
    assert where(parsed.errors) == [("2023年2月", None, TOTAL)]
    assert "柴油" in parsed.errors[0].message and bilingual(parsed.errors[0].message)


def test_a_missing_month_in_the_middle_leaves_the_next_month_as_a_base_only():
    monthly = {m: {"电力": float(m), "柴油": 0.5} for m in range(1, 6)}
    parsed = read(write_205(ENT, monthly, 2023, months=[1, 2, 4, 5]))
    assert parsed.errors == []
    assert list(by_period(parsed)) == ["2023-01", "2023-02", "2023-05"]
    assert by_period(parsed)["2023-05"]["electricity"] == 50.0  # 1-5月 − 1-4月, not 1-5月 − 1-2月
    (w,) = parsed.warnings
    assert w.sheet == "2023年4月" and "2023-03" in w.message and "base" in w.message and bilingual(w.message)


def test_a_first_sheet_after_january_is_a_base_only():
    monthly = {m: {"电力": float(m)} for m in range(1, 5)}
    parsed = read(write_205(ENT, monthly, 2023, months=[3, 4]))
    assert parsed.errors == []
    assert by_period(parsed) == {"2023-04": {**{f: 0.0 for f in PRINTED_FIELDS}, "electricity": 40.0}}
    (w,) = parsed.warnings
    assert w.sheet == "2023年3月" and "1–3月" in w.message and "base" in w.message and bilingual(w.message)


def test_sheets_out_of_order_are_read_in_month_order():
    monthly = {m: {"电力": float(m)} for m in range(1, 4)}
    parsed = read(write_205(ENT, monthly, 2023, months=[3, 1, 2]))
    clean(parsed)
    assert {p: v["electricity"] for p, v in by_period(parsed).items()} == {
        "2023-01": 10.0, "2023-02": 20.0, "2023-03": 30.0,
    }  # fmt: skip


def test_the_same_month_twice_for_one_enterprise_is_an_error():
    wb = new_workbook()
    monthly = {1: {"电力": 1.0}, 2: {"电力": 1.0}}
    add_205_sheets(wb, ENT, monthly, 2023)
    add_205_sheets(wb, ENT, monthly, 2023, months=[2], sheet_prefix="副本")
    parsed = read(workbook_bytes(wb))
    assert where(parsed.errors) == [("副本2023年2月", 6, "A")]
    assert parsed.records == []


# ---------------------------------------------------------------------------------------
# Checks that warn


def test_stock_balance_mismatch_is_a_warning_only():
    monthly = {m: {"原煤": 100.0, "电力": 10.0} for m in (1, 2)}
    data = write_205(ENT, monthly, 2023, cells={(2, "原煤", "closing"): 999.0})
    parsed = read(data)
    assert parsed.errors == []
    assert where(parsed.warnings) == [("2023年2月", row_of(data, "2023年2月", "原煤"), CLOSING)]
    assert "期末库存量" in parsed.warnings[0].message and bilingual(parsed.warnings[0].message)
    assert [v["raw_coal"] for v in by_period(parsed).values()] == [100.0, 100.0]


def test_split_mismatch_is_a_warning_only():
    data = write_205(ENT, {1: {"电力": 10.0}}, 2023, cells={(1, "电力", "industrial"): 7.0})
    parsed = read(data)
    assert parsed.errors == []
    assert where(parsed.warnings) == [("2023年1月", row_of(data, "2023年1月", "电力"), TOTAL)]
    assert "工业生产消费" in parsed.warnings[0].message and bilingual(parsed.warnings[0].message)
    assert parsed.records[0].values["electricity"] == 100.0


def test_checks_have_a_tolerance_and_electricity_has_no_stock_balance():
    cells = {
        (1, "柴油", "industrial"): 100.4,  # 合计 100: within 0.5 %
        (1, "电力", "purchase"): 1.0,  # own generation: consumption above purchases
    }
    parsed = read(write_205(ENT, {1: {"柴油": 100.0, "电力": 10.0}}, 2023, cells=cells))
    clean(parsed)


# ---------------------------------------------------------------------------------------
# Month and enterprise


@pytest.mark.parametrize(
    ("options"),
    [
        {"period": "range", "sheet_names": "generic"},
        {"period": "tilde", "sheet_names": "generic"},
        {"period": "month", "sheet_names": "generic", "period_label": "统计期"},
        {"period": "title", "sheet_names": "generic"},
        {"period": "none", "sheet_names": "zh"},
        {"period": "none", "sheet_names": "compact"},
        {"period": "none", "sheet_names": "short", "title_year": True},
    ],
)
def test_the_month_comes_from_the_block_the_sheet_name_or_the_title(options):
    monthly = {m: {"电力": float(m)} for m in range(1, 4)}
    parsed = read(write_205(ENT, monthly, 2023, **options))
    clean(parsed)
    assert {p: v["electricity"] for p, v in by_period(parsed).items()} == {
        "2023-01": 10.0, "2023-02": 20.0, "2023-03": 30.0,
    }  # fmt: skip


def test_block_month_wins_over_a_different_sheet_name_with_a_warning():
    wb = new_workbook()
    add_205_sheets(wb, ENT, {1: {"电力": 1.0}, 2: {"电力": 2.0}}, 2023)
    wb["2023年2月"].title = "2023年5月"  # renamed, but 报告期 still says 1-2月
    parsed = read(workbook_bytes(wb))
    assert parsed.errors == []
    assert list(by_period(parsed)) == ["2023-01", "2023-02"]
    (w,) = parsed.warnings
    assert (w.sheet, w.row, w.column) == ("2023年5月", 6, "A")
    assert "2023-02" in w.message and "2023-05" in w.message and bilingual(w.message)


def test_unreadable_block_month_falls_back_to_the_sheet_name_with_a_warning():
    wb = new_workbook()
    add_205_sheets(wb, ENT, {1: {"电力": 1.0}}, 2023)
    wb["2023年1月"]["A6"] = "报告期：    年  月"  # the form's blank
    parsed = read(workbook_bytes(wb))
    assert parsed.errors == []
    assert where(parsed.warnings) == [("2023年1月", 6, "A")]
    assert "sheet name" in parsed.warnings[0].message and bilingual(parsed.warnings[0].message)
    assert [str(r.period) for r in parsed.records] == ["2023-01"]


def test_block_month_as_a_date_cell_after_its_label():
    wb = new_workbook()
    add_205_sheets(wb, ENT, {1: {"电力": 1.0}, 2: {"电力": 2.0}}, 2023, sheet_names="generic")
    for name, month in (("Sheet1", 1), ("Sheet2", 2)):
        wb[name]["A6"] = "报告期"
        wb[name]["C6"] = dt.datetime(2023, month, 1)
    parsed = read(workbook_bytes(wb))
    clean(parsed)
    assert {p: v["electricity"] for p, v in by_period(parsed).items()} == {"2023-01": 10.0, "2023-02": 20.0}


def test_no_month_anywhere_is_an_error_naming_the_sheet():
    parsed = read(write_205(ENT, {1: {"电力": 1.0}}, 2023, period="none", sheet_names="generic"))
    assert where(parsed.errors) == [("Sheet1", None, None)]
    assert "报告期" in parsed.errors[0].message and bilingual(parsed.errors[0].message)
    assert parsed.records == []


def test_a_period_not_starting_in_january_is_an_error():
    wb = new_workbook()
    add_205_sheets(wb, ENT, {1: {"电力": 1.0}, 2: {"电力": 2.0}}, 2023, months=[2])
    wb["2023年2月"]["A6"] = "报告期：2023年2-3月"
    parsed = read(workbook_bytes(wb))
    assert where(parsed.errors) == [("2023年2月", 6, "A")]
    assert "January" in parsed.errors[0].message and bilingual(parsed.errors[0].message)


def test_missing_uscc_is_an_error():
    ent = {k: v for k, v in ENT.items() if k != "uscc"}
    parsed = read(write_205(ent, {1: {"电力": 1.0}, 2: {"电力": 1.0}}, 2023))
    assert where(parsed.errors) == [("2023年1月", None, None), ("2023年2月", None, None)]
    assert all("统一社会信用代码" in e.message and bilingual(e.message) for e in parsed.errors)
    assert parsed.records == []


def test_invalid_uscc_is_an_error_naming_its_cell():
    parsed = read(write_205({**ENT, "uscc": bad_check(ENT["uscc"])}, {1: {"电力": 1.0}}, 2023))
    assert where(parsed.errors) == [("2023年1月", 3, "A")]
    assert "check character" in parsed.errors[0].message and "校验码" in parsed.errors[0].message
    assert parsed.records == []


def test_uscc_typed_one_character_per_cell():
    parsed = read(write_205(ENT, {1: {"电力": 1.0}}, 2023, uscc_style="cells"))
    clean(parsed)
    assert parsed.records[0].uscc == ENT["uscc"]


def test_without_industry_and_region_they_are_none():
    ent = {"uscc": ENT["uscc"]}
    parsed = read(write_205(ent, {1: {"电力": 1.0}}, 2023))
    clean(parsed)
    rec = parsed.records[0]
    assert (rec.name, rec.industry_code, rec.region_code) == (None, None, None)


def test_two_enterprises_in_one_file():
    wb = new_workbook()
    a = {m: {"电力": 10.0 + m} for m in (1, 2, 3)}
    b = {m: {"天然气": 1.0 * m} for m in (1, 2, 3)}
    add_205_sheets(wb, ENT, a, 2023, sheet_prefix="化工")
    add_205_sheets(wb, ENT2, b, 2023, sheet_prefix="水泥")
    parsed = read(workbook_bytes(wb))
    clean(parsed)
    got = {(r.uscc, str(r.period)): r for r in parsed.records}
    assert len(got) == 6
    for m in (1, 2, 3):
        ra, rb = got[(ENT["uscc"], f"2023-{m:02d}")], got[(ENT2["uscc"], f"2023-{m:02d}")]
        assert ra.values["electricity"] == canonical(10.0 + m, "10") and ra.name == ENT["name"]
        assert rb.values["natural_gas"] == m and (rb.name, rb.industry_code, rb.region_code) == (
            ENT2["name"], "3011", "330803",
        )  # fmt: skip


def test_industry_differing_between_sheets_is_an_error_a_name_a_warning():
    wb = new_workbook()
    monthly = {1: {"电力": 1.0}, 2: {"电力": 1.0}}
    add_205_sheets(wb, ENT, monthly, 2023, months=[1])
    add_205_sheets(
        wb, {**ENT, "industry_code": "3011", "name": "衢州测试化工公司"}, monthly, 2023, months=[2]
    )
    parsed = read(workbook_bytes(wb))
    assert where(parsed.errors) == [("2023年2月", 5, "A")]
    assert where(parsed.warnings) == [("2023年2月", 3, "E")]
    assert all(bilingual(e.message) for e in parsed.errors + parsed.warnings)


# ---------------------------------------------------------------------------------------
# Cells and layouts


@pytest.mark.parametrize("style", ["text", "fullwidth"])
def test_text_numbers_with_separators_and_full_width_digits(style):
    monthly = {1: {"电力": 1234.5678, "原煤": 12345.67}, 2: {"电力": 2000.25, "原煤": 100000.0}}
    parsed = read(write_205(ENT, monthly, 2023, number_style=style))
    clean(parsed)
    jan, feb = by_period(parsed)["2023-01"], by_period(parsed)["2023-02"]
    assert (jan["electricity"], jan["raw_coal"]) == (12345.678, 12345.67)
    assert (feb["electricity"], feb["raw_coal"]) == (20002.5, 100000.0)


@pytest.mark.parametrize(
    ("cell", "role", "column", "words"),
    [
        (-5.0, "total", TOTAL, "expected a non-negative number, got -5"),
        ("abc", "opening", OPENING, "expected a non-negative number, got 'abc'"),
        ("-1", "feedstock", FEEDSTOCK, "不能为负数"),
        (dt.datetime(2023, 1, 1), "closing", CLOSING, "expected a number, got the date"),
        (True, "total", TOTAL, "expected a non-negative number"),
    ],
)
def test_bad_number_is_an_error_naming_the_cell(cell, role, column, words):
    data = write_205(ENT, {1: {"柴油": 2.0}}, 2023, cells={(1, "柴油", role): cell})
    parsed = read(data)
    assert where(parsed.errors) == [("2023年1月", row_of(data, "2023年1月", "柴油"), column)]
    message = parsed.errors[0].message
    assert words in message and "柴油" in message and bilingual(message)
    assert parsed.records == []


FLAT_SHUFFLED = (
    "code", "name", "unit", "total", "non_industrial", "industrial", "feedstock", "transport",
    "opening", "purchase", "amount", "closing", "ref_coef", "coef",
)  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [
        {"layout": "two_rows"},
        {"layout": "three_rows"},
        {"layout": "flat"},
        {"layout": "flat", "flat_order": FLAT_SHUFFLED},
        {"layout": "two_rows", "column_numbers": False},
        {"layout": "three_rows", "start_col": 3},
    ],
)
def test_columns_are_found_by_their_header_texts(options):
    monthly = {m: {"天然气": 10.0, "柴油": 5.0, "电力": 100.0, "原煤": 50.0} for m in (1, 2)}
    data = write_205(
        ENT, monthly, 2023,
        feedstock={1: {"天然气": 4.0}, 2: {"天然气": 1.0}},
        transport={1: {"柴油": 3.0}, 2: {"柴油": 2.0}},
        non_industrial={1: {"电力": 20.0}, 2: {"电力": 5.0}},
        **options,
    )  # fmt: skip
    parsed = read(data)
    clean(parsed)
    jan, feb = by_period(parsed)["2023-01"], by_period(parsed)["2023-02"]
    assert (jan["natural_gas"], feb["natural_gas"]) == (6.0, 9.0)
    assert (jan["diesel"], jan["electricity"], jan["raw_coal"]) == (5.0, 1000.0, 50.0)
    assert (feb["diesel"], feb["electricity"], feb["raw_coal"]) == (5.0, 1000.0, 50.0)


def test_looks_like_205():
    data = write_205(ENT, {1: {"电力": 1.0}}, 2023, layout="three_rows")
    for _, rows in calamine_sheets(data):
        assert looks_like_205(rows[:40])
    for _, rows in calamine_sheets(write_template()):
        assert not looks_like_205(rows[:40])
    ledger = [
        ["某某公司2023年能源台账"],
        ["能源名称", "计量单位", "1月", "2月", "3月"],
        ["电力", "万千瓦时", 1.0, 2.0, 3.0],
    ]
    assert not looks_like_205(ledger)
    ledger_with_total = [
        ["能源名称", "计量单位", "1月", "2月", "3月", "全年消费量"],
        ["电力", "万千瓦时", 1.0, 2.0, 3.0, 6.0],
    ]
    assert not looks_like_205(ledger_with_total)
    assert not looks_like_205([])
    assert not looks_like_205([[None, 1, True, dt.date(2023, 1, 1)]])


def test_never_raises_on_junk():
    assert read_205([], "empty.xlsx").errors
    junk: list[tuple[str, list[list[Any]]]] = [
        ("空", []),
        ("表头", [["能源名称", "计量单位", "消费量"]]),
        ("无合计", [["能源名称", "计量单位", "代码", "期末库存量"], ["电力", "万千瓦时", "32", 1.0]]),
    ]
    parsed = read_205(junk, "junk.xlsx")
    assert not parsed.ok and parsed.records == []
    assert all(e.sheet and bilingual(e.message) for e in parsed.errors)

    base = calamine_sheets(write_205(ENT, {m: {"电力": 1.0, "柴油": 1.0} for m in (1, 2)}, 2023))
    rnd = random.Random(7)
    weird = [
        -1.0,
        "x",
        True,
        dt.date(2023, 5, 1),
        dt.datetime(2023, 1, 1, 8),
        1e308,
        float("nan"),
        "１,０００",
        "",
        None,
        3,
    ]
    for _ in range(300):
        sheets = [(n, [list(r) for r in rows]) for n, rows in base]
        for _ in range(rnd.randint(1, 8)):
            _, rows = rnd.choice(sheets)
            i = rnd.randrange(len(rows))
            if rows[i]:
                rows[i][rnd.randrange(len(rows[i]))] = rnd.choice(weird)
        parsed = read_205(sheets, "fuzz.xlsx")  # never raises
        assert not any("could not be read" in e.message for e in parsed.errors)  # no internal failure
        assert all(bilingual(e.message) for e in parsed.errors + parsed.warnings)
        assert parsed.ok or parsed.records == []
