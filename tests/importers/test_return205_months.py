"""read_205: cumulative series, the checks that warn, the month and the enterprise of a sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from importer_testkit import bad_check

# tests/ is on sys.path (pytest's rootdir conftest), like importer_testkit's folder
from return205_gen import add_205_sheets, new_workbook, workbook_bytes, write_205
from return205_testkit import (
    CLOSING,
    ENT,
    ENT2,
    PRINTED_FIELDS,
    TOTAL,
    bilingual,
    by_period,
    canonical,
    clean,
    read,
    row_of,
    where,
)

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
