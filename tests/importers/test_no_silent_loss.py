"""DESIGN §9.2: nothing is silently dropped. Energy columns, ledger rows, block items and 205-1
rows that are no field are converted (steam, hot water) or refuse the file at their cell;
a file without data rows is refused; exports beyond purchases warn (§9.1); 205-1 feedstock
and coefficients are kept and 能源合计 is checked (§9.6)."""

from __future__ import annotations

import io

import pytest
from importer_testkit import IDENTITY_ZH, ident, one_sheet, uscc, workbook
from openpyxl import Workbook, load_workbook
from return205_gen import calamine_sheets, write_205

from carbon.domain.records import ParsedFile
from importers.return205 import looks_like_205, read_205
from importers.steam import FEEDWATER_ENTHALPY_KJ_PER_KG, RETURN_WATER_C, hot_water_gj, steam_gj
from importers.template import read_template

ENT = {"uscc": uscc(901), "name": "衢州测试热电有限公司", "industry_code": "4430", "region_code": "330802"}


def bilingual(message: str) -> bool:
    return " / " in message and any("\u4e00" <= c <= "\u9fff" for c in message)


def where(cells) -> list[tuple[str, int | None, str | None]]:
    return [(e.sheet, e.row, e.column) for e in cells]


def read(*rows: list[object], header: list[object]) -> ParsedFile:
    """One enterprise, a row per month from 2023-01, under the identity columns and ``header``."""
    cells = [[*ident(1, f"2023-{m:02d}"), *r] for m, r in enumerate(rows, start=1)]
    return read_template(one_sheet([*IDENTITY_ZH, *header], *cells), "x.xlsx")


# ---------------------------------------------------------------------------------------
# Steam and hot water


def test_steam_in_tonnes_without_enthalpy_is_rejected_at_its_cell():
    parsed = read([1.0, 12.5], header=["电力(万千瓦时)", "蒸汽(吨)"])
    (e,) = parsed.errors
    assert where([e]) == [("data", 2, "G")]
    assert "enthalpy" in e.message and "焓值" in e.message and bilingual(e.message)
    assert parsed.records == []


def test_steam_in_tonnes_with_an_enthalpy_column_is_heat_exactly():
    parsed = read([100.0, 12.5, 2800.0], header=["热力(吉焦)", "蒸汽(吨)", "焓值(kJ/kg)"])
    assert parsed.errors == [] and parsed.warnings == []
    (rec,) = parsed.records
    assert rec.values["heat"] == 100.0 + 12.5 * (2800.0 - 83.74) / 1000
    assert rec.originals["heat"] == "100 GJ + 蒸汽(吨) 12.5 t × (2800 − 83.74) kJ/kg ÷ 1000 = 33.9532 GJ"
    steam = [c for c in parsed.columns if c.header == "蒸汽(吨)"]
    assert [(c.field, c.column, c.unit) for c in steam] == [("heat", "G", "吨")] and steam[0].note
    # the 热力 column stays the last mapping of field heat: the one a reader is shown
    assert [c.header for c in parsed.columns if c.field == "heat"][-1] == "热力(吉焦)"


def test_steam_enthalpy_from_a_block_item_above_the_table():
    rows = [["焓值：2,800 kJ/kg"], [*IDENTITY_ZH, "蒸汽(千克)"], [*ident(1), 10000.0]]
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].values["heat"] == pytest.approx(steam_gj(10.0, 2800.0))


def test_steam_in_gj_is_heat_directly():
    parsed = read([5.0, 3.0], header=["蒸汽(吉焦)", "热力(GJ)"])
    assert parsed.errors == [] and parsed.records[0].values["heat"] == 8.0


@pytest.mark.parametrize("enthalpy", [83.74, 50.0, 4000.5])
def test_enthalpy_out_of_range_is_a_cell_error(enthalpy):
    parsed = read([12.5, enthalpy], header=["蒸汽(吨)", "蒸汽焓值(kJ/kg)"])
    (e,) = parsed.errors
    assert where([e]) == [("data", 2, "G")] and bilingual(e.message)


def test_hot_water_with_temperature_and_a_negative_difference():
    parsed = read([100.0, 80.0], [100.0, 15.0], header=["热水(吨)", "水温(℃)"])
    (e,) = parsed.errors  # the second row: 15 ℃ < 20 ℃
    assert where([e]) == [("data", 3, "G")] and bilingual(e.message)
    assert hot_water_gj(100.0, 80.0) == 100.0 * (80.0 - RETURN_WATER_C) * 4.1868 / 1000
    assert FEEDWATER_ENTHALPY_KJ_PER_KG == 83.74 and RETURN_WATER_C == 20.0


def test_ledger_steam_row_with_an_enthalpy_row():
    rows = [
        [f"统一社会信用代码：{uscc(2)}", None, "年份：2023"],
        ["行业代码：2614", None, "行政区划代码：330803"],
        ["项目", "计量单位", "1月", "2月"],
        ["热力", "吉焦", 1.0, 1.0],
        ["蒸汽", "吨", 10.0, 5.0],
        ["焓值", "kJ/kg", 2800.0, None],
    ]
    parsed = read_template(workbook({"台账": rows}), "l.xlsx")
    (e,) = parsed.errors  # February's steam has no enthalpy (no row figure, no block item)
    assert where([e]) == [("台账", 5, "D")] and "焓值" in e.message
    rows.insert(2, ["焓值：3000 kJ/kg"])
    parsed = read_template(workbook({"台账": rows}), "l.xlsx")
    assert parsed.errors == []
    jan, feb = parsed.records
    assert jan.values["heat"] == 1.0 + steam_gj(10.0, 2800.0)
    assert feb.values["heat"] == 1.0 + steam_gj(5.0, 3000.0)
    cells = [(c.column, c.row, c.factor) for c in parsed.columns if c.header == "蒸汽"]
    assert cells == [("C", 6, pytest.approx(2.71626)), ("D", 6, pytest.approx(2.91626))]


# ---------------------------------------------------------------------------------------
# Carriers: new fields, aliases, and those the service cannot read


def test_lng_in_tonnes_is_imported_and_by_volume_is_refused():
    parsed = read([3.0, 2.0], header=["液化天然气(吨)", "炼厂干气(吨)"])
    assert parsed.errors == []
    assert (parsed.records[0].values["lng"], parsed.records[0].values["refinery_gas"]) == (3.0, 2.0)
    (e,) = read([3.0], header=["液化天然气(万立方米)"]).errors
    assert where([e]) == [("data", 1, "F")] and "吨" in e.message and "tonnes" in e.message


def test_new_carriers_and_aliases_are_read_in_every_layout():
    headers = [
        "其他洗煤(吨)",
        "型煤(吨)",
        "焦油(吨)",
        "粗苯(吨)",
        "其他煤气(万立方米)",
        "压缩天然气(立方米)",
        "0#柴油(吨)",
    ]
    rec = read([1.0, 2.0, 3.0, 4.0, 5.0, 10000.0, 7.0], header=headers).records[0]
    assert {k: v for k, v in rec.values.items() if v} == {
        "other_washed_coal": 1.0, "briquette": 2.0, "tar": 3.0, "crude_benzene": 4.0, "other_gas": 5.0,
        "natural_gas": 1.0, "diesel": 7.0,
    }  # fmt: skip
    ledger = [
        [f"统一社会信用代码：{uscc(3)}", None, "年份：2023"],
        ["项目", "计量单位", "1月", "2月", "3月"],
        ["液化天然气", "吨", 1.0, 2.0, 3.0],
        ["石脑油", "吨", 1.0, 1.0, 1.0],
        ["生物质燃料", "吨", 4.0, 4.0, 4.0],
    ]
    recs = read_template(workbook({"台账": ledger}), "l.xlsx").records
    assert [(r.values["lng"], r.values["naphtha"], r.values["biomass"]) for r in recs] == [
        (1.0, 1.0, 4.0), (2.0, 1.0, 4.0), (3.0, 1.0, 4.0),
    ]  # fmt: skip


def test_unknown_energy_column_with_a_figure_is_rejected_remark_only_warns():
    parsed = read([1.0, 5.0, "新投产", 100.0], header=["电力(万千瓦时)", "甲醇(吨)", "备注", "产品产量(吨)"])
    (e,) = parsed.errors
    assert where([e]) == [("data", 2, "G")]
    assert "no emission factor for 甲醇" in e.message and "暂不支持甲醇" in e.message
    assert where(parsed.warnings) == [("data", 1, "H"), ("data", 1, "I")]  # 备注, 产品产量: warnings


def test_empty_unknown_energy_column_and_remark_are_warnings_only():
    parsed = read([1.0, None, "x"], [2.0, 0.0, None], header=["电力(万千瓦时)", "氢气(吨)", "备注"])
    assert parsed.errors == [] and len(parsed.records) == 2
    assert sorted(where(parsed.warnings)) == [("data", 1, "G"), ("data", 1, "H")]


@pytest.mark.parametrize(
    "header", ["蒸汽(吨)", "外购天然气(万立方米)", "重油(吨)", "煤矸石(吨)", "hydrogen (t)"]
)
def test_energy_words_with_a_figure_are_never_dropped(header):
    parsed = read([1.0, 2.0], header=["电力(万千瓦时)", header])
    assert where(parsed.errors) == [("data", 2, "G")] and bilingual(parsed.errors[0].message)


def test_tce_total_is_a_warning_beside_carriers_and_an_error_alone():
    beside = read([1.0, 9.0], header=["电力(万千瓦时)", "综合能耗(吨标准煤)"])
    assert beside.errors == [] and where(beside.warnings) == [("data", 1, "G")]
    alone = read([9.0, 100.0], header=["综合能耗(吨标准煤)", "工业增加值(万元)"])
    assert where(alone.errors) == [("data", 2, "F")] and bilingual(alone.errors[0].message)


def test_energy_block_item_above_the_table_is_rejected():
    rows = [["蒸汽用量：120吨"], [*IDENTITY_ZH, "电力(万千瓦时)"], [*ident(1), 10.0]]
    (e,) = read_template(workbook({"s": rows}), "x.xlsx").errors
    assert where([e]) == [("s", 1, "A")] and bilingual(e.message)


# ---------------------------------------------------------------------------------------
# No data rows; exports beyond purchases


@pytest.mark.parametrize("filename", ["x.xlsx", "x.csv"])
def test_headers_without_data_rows_are_rejected(filename):
    header = [*IDENTITY_ZH, "电力(万千瓦时)"]
    if filename.endswith(".csv"):
        data = (",".join(header) + "\n").encode()
    else:
        data = one_sheet(header)
    parsed = read_template(data, filename)
    (e,) = parsed.errors
    assert e.message == "no data rows found: the table has a header but no row of figures under it " \
        "/ 未找到数据行：表格只有表头，没有数据"  # fmt: skip
    assert e.sheet in ("data", "x") and e.row is None


def test_exports_beyond_purchases_are_accepted_with_a_warning_at_the_cell():
    header = ["电力(万千瓦时)", "上网电量(万千瓦时)", "绿电(万千瓦时)"]
    parsed = read([10.0, 11.0, 0.0], [10.0, 8.0, 3.0], [10.0, 5.0, 5.0], header=header)
    assert parsed.errors == [] and len(parsed.records) == 3
    assert where(parsed.warnings) == [("data", 2, "G"), ("data", 3, "H")]  # 上网电量, then 绿电
    assert (
        "2023-01" in parsed.warnings[0].message
        and "上网电量（及绿电）超过购入电量" in parsed.warnings[0].message
    )


# ---------------------------------------------------------------------------------------
# The 205-1 return


def read205(data: bytes) -> ParsedFile:
    return read_205([(n, rows) for n, rows in calamine_sheets(data) if looks_like_205(rows[:40])], "205.xlsx")


def test_205_lng_row_feedstock_and_coefficients_are_kept():
    monthly = {1: {"电力": 10.0, "液化天然气": 5.0}, 2: {"电力": 10.0, "液化天然气": 4.0}}
    feed = {1: {"液化天然气": 2.0}, 2: {"液化天然气": 1.0}}
    parsed = read205(write_205(ENT, monthly, 2023, feedstock=feed))
    assert parsed.errors == [] and parsed.warnings == [], parsed.warnings
    jan, feb = parsed.records
    assert (jan.values["lng"], feb.values["lng"]) == (3.0, 3.0)  # burned = 合计 − 用于原材料
    assert (jan.feedstock, feb.feedstock) == ({"lng": 2.0}, {"lng": 1.0})
    # 电力 1.229 tce/万千瓦时 = 0.1229 tce/MWh; the generator files 1 for 液化天然气 (tce/t)
    assert jan.tce_coefficients is not None
    assert jan.tce_coefficients["electricity"] == pytest.approx(0.1229)
    assert jan.tce_coefficients["lng"] == 1.0


def test_205_energy_total_more_than_one_percent_off_warns_at_its_cell():
    data = write_205(ENT, {1: {"电力": 10.0}}, 2023, cells={(1, "能源合计", "total"): 12.5})
    (w,) = read205(data).warnings  # 10 × 1.229 = 12.29 vs 12.5: 1.7 % apart
    assert "12.5" in w.message and "12.29" in w.message and bilingual(w.message)
    near = write_205(ENT, {1: {"电力": 10.0}}, 2023, cells={(1, "能源合计", "total"): 12.35})
    assert read205(near).warnings == []  # 0.5 %


def test_205_rows_naming_carriers_without_a_field_are_rejected_or_converted():
    parsed = read205(write_205(ENT, {1: {"电力": 10.0, "甲醇": 3.0}}, 2023))
    (e,) = parsed.errors
    assert e.column == "G" and "甲醇" in e.message and bilingual(e.message)
    steam = write_205(ENT, {1: {"电力": 10.0, "蒸汽": 4.0}}, 2023)
    (e,) = read205(steam).errors  # 蒸汽 in 吨 and no 焓值 above the table
    assert "焓值" in e.message


# ---------------------------------------------------------------------------------------
# Review follow-ups: figures never lost or multiplied


def _merged_book(rows: list[list[object]], merges: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "s"
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(row=i, column=j, value=v)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_merged_steam_cell_is_not_filled_down_into_every_month():
    rows = [
        [*IDENTITY_ZH, "电力(万千瓦时)", "蒸汽(吉焦)"],
        [*ident(1, "2023-01"), 1.0, 30.0],
        [*ident(1, "2023-02"), 1.0, None],
        [*ident(1, "2023-03"), 1.0, None],
    ]
    parsed = read_template(_merged_book(rows, ["G2:G4"]), "x.xlsx")
    heat = sum(r.values.get("heat") or 0.0 for r in parsed.records)
    assert heat == 30.0


def test_text_in_an_unreadable_carrier_column_is_a_cell_error_not_no_figure():
    parsed = read([1.0, "5吨"], header=["电力(万千瓦时)", "甲醇(吨)"])
    (e,) = parsed.errors
    assert where([e]) == [("data", 2, "G")] and "5吨" in e.message and bilingual(e.message)
    ledger = [
        [f"统一社会信用代码：{uscc(4)}", None, "年份：2023"],
        ["项目", "计量单位", "1月", "2月"],
        ["电力", "万千瓦时", 1.0, 1.0],
        ["甲醇", "吨", None, "5吨"],
    ]
    (e,) = read_template(workbook({"台账": ledger}), "l.xlsx").errors
    assert (e.sheet, e.row) == ("台账", 4) and "5吨" in e.message and bilingual(e.message)
    data = write_205(ENT, {1: {"电力": 10.0, "甲醇": 3.0}}, 2023, cells={(1, "甲醇", "total"): "5吨"})
    (e,) = read205(data).errors
    assert e.column == "G" and "5吨" in e.message and bilingual(e.message)


def test_205_energy_block_item_above_the_table_is_rejected():
    wb = load_workbook(io.BytesIO(write_205(ENT, {1: {"电力": 10.0}}, 2023)))
    wb.worksheets[-1]["A7"] = "蒸汽用量：120吨"
    buf = io.BytesIO()
    wb.save(buf)
    (e,) = read205(buf.getvalue()).errors
    assert (e.row, e.column) == (7, "A") and "蒸汽用量" in e.message and bilingual(e.message)


@pytest.mark.parametrize(
    "header", ["外购电(万千瓦时)", "燃煤(吨)", "煤气(万立方米)", "燃气(立方米)", "余汽(吉焦)"]
)
def test_unknown_name_in_an_energy_unit_is_an_energy_carrier(header):
    parsed = read([1.0, 500.0], header=["电力(万千瓦时)", header])
    (e,) = parsed.errors
    assert where([e]) == [("data", 2, "G")] and header in e.message and bilingual(e.message)
    empty = read([1.0, None], header=["电力(万千瓦时)", header])
    assert empty.errors == [] and where(empty.warnings) == [("data", 1, "G")]
    assert "energy carrier" in empty.warnings[0].message


def test_money_water_and_output_columns_stay_non_energy_whatever_their_unit():
    header = ["电力(万千瓦时)", "燃料费用(万元)", "用水量(立方米)", "产品产量(吨)", "炉渣(吨)"]
    parsed = read([1.0, 5.0, 6.0, 7.0, 8.0], header=header)
    assert parsed.errors == [] and len(parsed.records) == 1
    assert all("not a template column" in w.message for w in parsed.warnings)


def test_a_carrier_in_tce_is_refused_and_only_a_named_total_is_a_total():
    parsed = read([1.0, 5.0], header=["电力(万千瓦时)", "其他燃料(吨标准煤)"])
    (e,) = parsed.errors
    assert (
        where([e]) == [("data", 2, "G")] and "physical units" in e.message and "请按实物量填报" in e.message
    )
    for total in ("综合能耗(吨标准煤)", "能源合计(吨标准煤)", "总计(tce)", "折标煤(吨)"):
        beside = read([1.0, 9.0], header=["电力(万千瓦时)", total])
        assert beside.errors == [] and where(beside.warnings) == [("data", 1, "G")], total
    empty = read([1.0, None], header=["电力(万千瓦时)", "其他燃料(吨标准煤)"])
    assert empty.errors == [] and where(empty.warnings) == [("data", 1, "G")]


def test_a_row_without_month_with_only_a_steam_figure_is_not_skipped():
    rows = [[*IDENTITY_ZH, "电力(万千瓦时)", "蒸汽(吉焦)"], [*ident(1, "2023-01"), 1.0, None]]
    rows.append([*ident(1, ""), None, 7.0])
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    assert not any("no month and no quantities" in w.message for w in parsed.warnings)
    (e,) = parsed.errors  # the row is read: its missing month is an error at that row
    assert e.row == 3 and "月" in e.message
