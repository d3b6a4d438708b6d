"""read_template on valid input: layouts, units, text numbers, months, skipped rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from importer_testkit import EN, IDENTITY_ZH, ZH, ident, one_sheet, uscc, workbook

from carbon.domain.identifiers import Period
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_KEYS, FIELDS
from importers.template import read_template, write_template, write_template_fast


def template_rows(n_enterprises: int = 3, months: int = 3) -> list[dict[str, object]]:
    """Data rows in template units, every field filled for some and blank for others."""
    rnd = random.Random(7)
    rows: list[dict[str, object]] = []
    for e in range(n_enterprises):
        for m in range(1, months + 1):
            row: dict[str, object] = {
                "uscc": uscc(e),
                "name": f"衢州测试{e}有限公司",
                "industry_code": ["2614", "3011", "C1713"][e % 3],
                "region_code": "330802",
                "month": f"2023-{m:02d}",
            }
            for f in FIELDS:
                if (e + m + len(f.key)) % 3:
                    row[f.key] = round(rnd.uniform(0, 5000), 3)
            row["electricity"] = 100.0 + e
            row["electricity_green"] = 10.0
            if "electricity_exported" in row:  # below purchased − green: no floor warning
                row["electricity_exported"] = 5.0
            rows.append(row)
    return rows


# Template unit -> canonical unit factor of every field (电力 万千瓦时 -> MWh is 10).
TEMPLATE_FACTOR = {f.key: 10.0 if f.template_unit_zh == "万千瓦时" else 1.0 for f in FIELDS}


def expected_values(row: dict[str, object]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in FIELD_KEYS:
        v = row.get(key)
        if v is None:
            out[key] = None if key in ECONOMIC_KEYS else 0.0
        else:
            out[key] = float(v) * TEMPLATE_FACTOR[key]  # type: ignore[arg-type]
    return out


def test_round_trip_gives_the_same_canonical_values():
    rows = template_rows()
    parsed = read_template(write_template(rows), "energy.xlsx")
    assert parsed.errors == []
    assert parsed.warnings == []
    assert parsed.rows_read == len(rows)
    assert len(parsed.records) == len(rows)
    for i, (row, rec) in enumerate(zip(rows, parsed.records, strict=True)):
        assert rec.uscc == row["uscc"]
        assert rec.period == Period.parse(str(row["month"]))
        assert rec.name == row["name"]
        assert rec.industry_code == str(row["industry_code"]).lstrip("C")
        assert rec.region_code == "330802"
        assert rec.sheet == "能源数据"
        assert rec.row == i + 2
        assert rec.originals == {}
        assert rec.values == pytest.approx(expected_values(row))
    assert [c.field for c in parsed.columns] == list(FIELD_KEYS)
    assert parsed.columns[0].as_dict() == {
        "sheet": "能源数据",
        "column": "F",
        "header": "电力(万千瓦时)",
        "field": "electricity",
        "unit": "万千瓦时",
        "factor": 10.0,
    }


def test_english_template_round_trip():
    rows = template_rows(2, 2)
    parsed = read_template(write_template(rows, lang="en"), "energy.xlsx")
    assert parsed.errors == [] and parsed.warnings == []
    assert {r.sheet for r in parsed.records} == {"Energy data"}
    assert [r.values for r in parsed.records] == [pytest.approx(expected_values(r)) for r in rows]
    assert parsed.columns[0].header == "Electricity (10^4 kWh)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fast_writer_round_trip_matches_the_openpyxl_writer(tmp_path, lang):
    rows = template_rows(3, 4)
    path = tmp_path / "big.xlsx"
    write_template_fast(rows, path, lang=lang)
    fast = read_template(path.read_bytes(), "big.xlsx")
    slow = read_template(write_template(rows, lang=lang), "small.xlsx")
    assert fast.errors == [] and fast.warnings == []
    assert [(r.uscc, r.period, r.values, r.row) for r in fast.records] == [
        (r.uscc, r.period, r.values, r.row) for r in slow.records
    ]


def test_shuffled_columns_and_mixed_languages():
    header = ["Electricity (MWh)", "月份", "天然气（万立方米）", "USCC", "企业名称", "Value added (10^4 CNY)"]
    data = one_sheet(
        header,
        [5.5, "2023-02", 2.0, uscc(1), "甲", 300.0],
        [6.0, "2023-03", None, uscc(1), "甲", None],
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert [(c.column, c.field) for c in parsed.columns] == [
        ("A", "electricity"),
        ("C", "natural_gas"),
        ("F", "value_added"),
    ]
    first, second = parsed.records
    assert (first.uscc, first.period, first.name) == (uscc(1), Period(2023, 2), "甲")
    assert first.values == {"electricity": 5.5, "natural_gas": 2.0, "value_added": 300.0}
    # blank energy cell -> 0, blank economic cell -> missing
    assert second.values == {"electricity": 6.0, "natural_gas": 0.0, "value_added": None}
    assert first.industry_code is None and first.region_code is None


def test_extra_columns_are_ignored_with_a_warning():
    header = [*IDENTITY_ZH, "备注", "电力(万千瓦时)", None, "联系人"]
    parsed = read_template(one_sheet(header, [*ident(1), "说明文字", 1.0, "x", "张三"]), "x.xlsx")
    assert parsed.errors == []
    assert [(w.sheet, w.row, w.column) for w in parsed.warnings] == [("data", 1, "F"), ("data", 1, "I")]
    assert "'备注'" in parsed.warnings[0].message and "已忽略" in parsed.warnings[0].message
    assert parsed.records[0].values == {"electricity": 10.0}


@pytest.mark.parametrize(
    ("header", "cell", "field", "canonical"),
    [
        ("Electricity (MWh)", 7.0, "electricity", 7.0),
        ("电力(千瓦时)", 12_345.0, "electricity", 12.345),
        ("电力(kWh)", 1000.0, "electricity", 1.0),
        ("电力（亿千瓦时）", 0.5, "electricity", 50_000.0),
        ("Exported electricity (GWh)", 2.0, "electricity_exported", 2000.0),
        ("天然气（立方米）", 25_000.0, "natural_gas", 2.5),
        ("天然气(亿立方米)", 1.0, "natural_gas", 10_000.0),
        ("Natural gas (10^4 Nm3)", 3.0, "natural_gas", 3.0),
        ("焦炉煤气(万m³)", 4.0, "coke_oven_gas", 4.0),
        ("原煤(万吨)", 1.5, "raw_coal", 15_000.0),
        ("柴油(千克)", 500.0, "diesel", 0.5),
        ("Diesel (kg)", 2500.0, "diesel", 2.5),
        ("热力(百万千焦)", 8.0, "heat", 8.0),
        ("热力(MJ)", 4000.0, "heat", 4.0),
        ("Heat (TJ)", 1.0, "heat", 1000.0),
        ("工业过程排放(kgCO2)", 3000.0, "process_co2", 3.0),
        ("工业增加值(千元)", 1000.0, "value_added", 100.0),
        ("工业增加值(元)", 50_000.0, "value_added", 5.0),
        ("Gross output (10^8 CNY)", 1.0, "gross_output", 10_000.0),
        ("税收(万元)", 12.0, "tax", 12.0),
    ],
)
def test_unit_in_the_header_converts_to_canonical(header, cell, field, canonical):
    parsed = read_template(one_sheet([*IDENTITY_ZH, header], [*ident(1), cell]), "x.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].values[field] == pytest.approx(canonical)
    (mapping,) = parsed.columns
    assert (mapping.column, mapping.field) == ("F", field)
    assert mapping.factor == pytest.approx(canonical / cell)


def test_economic_header_without_unit_is_read_in_template_unit_with_a_warning():
    parsed = read_template(one_sheet([*IDENTITY_ZH, "工业增加值"], [*ident(1), 80.0]), "x.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].values == {"value_added": 80.0}
    (w,) = parsed.warnings
    assert (w.sheet, w.row, w.column) == ("data", 1, "F")
    assert "10^4 CNY" in w.message and "万元" in w.message


def test_text_numbers_are_read_and_their_text_kept():
    header = [*IDENTITY_ZH, "电力(万千瓦时)", "柴油(吨)", "热力(吉焦)", "工业增加值(万元)", "税收(万元)"]
    parsed = read_template(
        one_sheet(header, [*ident(1), "1,234.5", "１２３", " 42 ", "1,000,000", "０．５"]), "x.xlsx"
    )
    assert parsed.errors == []
    rec = parsed.records[0]
    assert rec.values == {
        "electricity": pytest.approx(12_345.0),
        "diesel": 123.0,
        "heat": 42.0,
        "value_added": 1_000_000.0,
        "tax": 0.5,
    }
    assert rec.originals == {
        "electricity": "1,234.5",
        "diesel": "１２３",
        "heat": " 42 ",
        "value_added": "1,000,000",
        "tax": "０．５",
    }


def test_whitespace_only_cells_are_blank():
    header = [*IDENTITY_ZH, "柴油(吨)", "税收(万元)"]
    rec = read_template(one_sheet(header, [*ident(1), "   ", "  "]), "x.xlsx").records[0]
    assert rec.values == {"diesel": 0.0, "tax": None}
    assert rec.originals == {}


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2023-01", Period(2023, 1)),
        ("2023-1", Period(2023, 1)),
        ("2023年1月", Period(2023, 1)),
        ("2023年 11 月", Period(2023, 11)),
        ("２０２３年３月", Period(2023, 3)),
        ("2023/02", Period(2023, 2)),
        ("2023/2", Period(2023, 2)),
        ("2023.10", Period(2023, 10)),
        ("2023-04-15", Period(2023, 4)),
        ("2023/4/1", Period(2023, 4)),
        ("202306", Period(2023, 6)),
        (202307.0, Period(2023, 7)),
        (dt.datetime(2023, 8, 1), Period(2023, 8)),
        (dt.datetime(2023, 9, 30, 14, 5), Period(2023, 9)),
        (dt.date(2024, 2, 29), Period(2024, 2)),
        (44927.0, Period(2023, 1)),  # an Excel serial day number without its date format
    ],
)
def test_month_formats(cell, period):
    parsed = read_template(one_sheet([*IDENTITY_ZH, "柴油(吨)"], [*ident(1, month=cell), 1.0]), "x.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].period == period


def test_total_subtotal_blank_and_repeated_header_rows_are_skipped():
    header = [*IDENTITY_ZH, "柴油(吨)"]
    data = one_sheet(
        header,
        [*ident(1), 1.0],
        [None, "合计", None, None, None, 1.0],
        [None] * 6,
        ["小计", None, None, None, "2023-01", 5.0],
        [*ident(2), 2.0],
        ["Total", None, None, None, None, 3.0],
        [uscc(2), "企业2", "2614", "330802", "合计", 2.0],
        header,
        [*ident(3), 3.0],
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    # 合计 (row 3) matches the row above; 小计 (row 5) covers no rows since, Total (row 7)
    # covers 2.0 not 3.0, and the last 合计 covers nothing since Total: warnings, not errors.
    assert [(w.row, w.column) for w in parsed.warnings] == [(5, "F"), (7, "F"), (8, "F")]
    assert [(r.uscc, r.row) for r in parsed.records] == [(uscc(1), 2), (uscc(2), 6), (uscc(3), 10)]
    assert parsed.rows_read == 3


def test_a_signature_line_under_the_table_is_skipped_with_a_warning():
    data = one_sheet([*IDENTITY_ZH, "柴油(吨)"], [*ident(1), 1.0], ["填表人：张三  审核人：李四"])
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert len(parsed.records) == 1
    (w,) = parsed.warnings
    assert (w.sheet, w.row, w.column) == ("data", 3, None)


def test_notes_sheet_is_skipped_silently_other_sheets_without_header_with_a_warning():
    data = workbook(
        {
            "说明": [["本表填报说明"], ["统一社会信用代码", "18位"], ["月份", "YYYY-MM"]],
            "能源数据": [[*IDENTITY_ZH, "柴油(吨)"], [*ident(1), 1.0]],
            "图表数据": [["年份", "排放"], [2023, 5]],
            "empty": [],
        }
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert len(parsed.records) == 1 and parsed.records[0].sheet == "能源数据"
    assert [(w.sheet, w.row, w.column) for w in parsed.warnings] == [("图表数据", None, None)]


def test_every_sheet_with_a_header_is_read():
    data = workbook(
        {
            "一月": [[*IDENTITY_ZH, "柴油(吨)"], [*ident(1, "2023-01"), 1.0]],
            "二月": [["Diesel (t)", "Month", "USCC"], [2.0, "2023-02", uscc(1)]],
        }
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert [(r.sheet, r.row, r.period, r.values["diesel"]) for r in parsed.records] == [
        ("一月", 2, Period(2023, 1), 1.0),
        ("二月", 2, Period(2023, 2), 2.0),
    ]
    # the second sheet has no name column: the enterprise's name from the first applies
    assert parsed.records[1].name == "企业1"


def test_title_rows_above_the_header_and_data_not_starting_in_column_a():
    rows = [
        ["衢州市工业企业能源数据"],
        [None],
        [*IDENTITY_ZH, "柴油(吨)", "Tax (10^4 CNY)"],
        [*ident(1), 1.0, "abc"],
    ]
    parsed = read_template(workbook({"s": rows}, start_row=2, start_col=3), "x.xlsx")
    # header on Excel row 4, data on row 5, columns C..I
    assert [c.column for c in parsed.columns] == ["H", "I"]
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("s", 5, "I")


def test_header_is_found_in_the_first_40_rows_only():
    found = [["title"]] * 39 + [[*IDENTITY_ZH, "柴油(吨)"], [*ident(1), 1.0]]
    parsed = read_template(workbook({"s": found}), "x.xlsx")
    assert parsed.errors == [] and [r.row for r in parsed.records] == [41]
    rows = [["title"]] * 40 + [[*IDENTITY_ZH, "柴油(吨)"], [*ident(1), 1.0]]
    parsed = read_template(workbook({"s": rows}), "x.xlsx")
    (e,) = parsed.errors
    assert (e.sheet, e.row, e.column) == ("", None, None)


def test_blank_name_cell_inherits_the_enterprise_name():
    data = one_sheet(
        [*IDENTITY_ZH, "柴油(吨)"], [*ident(1, "2023-01"), 1.0], [uscc(1), None, None, None, "2023-02", 2.0]
    )
    parsed = read_template(data, "x.xlsx")
    assert parsed.errors == []
    assert [(r.name, r.industry_code, r.region_code) for r in parsed.records] == [
        ("企业1", "2614", "330802"),
        ("企业1", "2614", "330802"),
    ]


def test_identity_cells_are_normalised():
    row = [f" {uscc(1).lower()} ", "  衢州  甲 公司 ", 2614.0, 330802.0, "2023-01", 1.0]
    parsed = read_template(one_sheet([*IDENTITY_ZH, "柴油(吨)"], row), "x.xlsx")
    assert parsed.errors == []
    rec = parsed.records[0]
    assert (rec.uscc, rec.name, rec.industry_code, rec.region_code) == (
        uscc(1),
        "衢州 甲 公司",
        "2614",
        "330802",
    )


def test_progress_is_reported_up_to_the_total():
    rows = [{"uscc": uscc(i % 50), "month": f"2023-{i // 50 + 1:02d}", "diesel": 1.0} for i in range(600)]
    calls: list[tuple[int, int]] = []
    import importers.rows as rows_reader  # where the rows of a template sheet are read

    old = rows_reader.PROGRESS_EVERY
    rows_reader.PROGRESS_EVERY = 100
    try:
        parsed = read_template(write_template(rows), "x.xlsx", progress=lambda d, t: calls.append((d, t)))
    finally:
        rows_reader.PROGRESS_EVERY = old
    assert parsed.errors == [] and len(parsed.records) == 600
    assert calls == [(n, 600) for n in range(100, 601, 100)]


def test_rows_after_a_bad_row_keep_the_fast_path_values():
    """A row sent to the slow path and the fast rows around it agree."""
    header = [*IDENTITY_ZH, "电力(万千瓦时)", "工业增加值(万元)"]
    parsed = read_template(
        one_sheet(
            header,
            [*ident(1, "2023-01"), 1.0, 5.0],
            [*ident(1, "2023-02"), "2", None],
            [*ident(1, "2023-03"), 3.0, None],
        ),
        "x.xlsx",
    )
    assert [r.values for r in parsed.records] == [
        {"electricity": 10.0, "value_added": 5.0},
        {"electricity": 20.0, "value_added": None},
        {"electricity": 30.0, "value_added": None},
    ]
    assert [r.originals for r in parsed.records] == [{}, {"electricity": "2"}, {}]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(encoding):
    text = (
        "统一社会信用代码,企业名称,月份,电力(万千瓦时),柴油(吨),工业增加值(万元)\r\n"
        f'{uscc(1)},衢州甲公司,2023年1月,"1,234.5",2,\r\n'
        f"{uscc(1)},衢州甲公司,2023-02,3,,10\r\n"
    )
    parsed = read_template(text.encode(encoding), "能源.csv")
    assert parsed.errors == []
    first, second = parsed.records
    assert first.sheet == "能源"
    assert first.name == "衢州甲公司"
    assert first.values == {"electricity": 12_345.0, "diesel": 2.0, "value_added": None}
    assert first.originals == {"electricity": "1,234.5"}
    assert second.values == {"electricity": 30.0, "diesel": 0.0, "value_added": 10.0}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=12,
    )
)
def test_text_numbers_with_thousands_separators_read_exactly(numbers):
    rows = [[*ident(1, f"2023-{i + 1:02d}"), f"{n:,}"] for i, n in enumerate(numbers)]
    parsed = read_template(one_sheet([*IDENTITY_ZH, "柴油(吨)"], *rows), "x.xlsx")
    assert parsed.errors == []
    assert [r.values["diesel"] for r in parsed.records] == [float(n) for n in numbers]


def test_english_headers_cell_by_cell():
    header = list(EN[:5]) + ["Diesel (t)"]
    parsed = read_template(one_sheet(header, [*ident(4), 9.0]), "x.xlsx")
    assert parsed.errors == []
    assert parsed.records[0].values == {"diesel": 9.0}
    assert ZH[0] == "统一社会信用代码"
