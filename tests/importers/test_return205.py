"""read_205: the 205-1 return (能源购进、消费与库存), monthly sheets of cumulative figures.

Figures, coal and its breakdown, rows skipped or warned about; cumulative series, checks and
months are test_return205_months.py, cells and layouts test_return205_cells.py."""

from __future__ import annotations

import random

# tests/ is on sys.path (pytest's rootdir conftest), like importer_testkit's folder
from return205_gen import write_205
from return205_testkit import (
    ENT,
    FEEDSTOCK,
    FORM_FIELD,
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

from carbon.domain.identifiers import Period

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
