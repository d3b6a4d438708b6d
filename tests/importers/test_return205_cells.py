"""read_205: cells and layouts (text numbers, bad numbers, columns found by their headers),
recognising a 205-1 sheet, and junk."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

# tests/ is on sys.path (pytest's rootdir conftest), like importer_testkit's folder
from return205_gen import calamine_sheets, write_205
from return205_testkit import (
    CLOSING,
    ENT,
    FEEDSTOCK,
    OPENING,
    TOTAL,
    bilingual,
    by_period,
    clean,
    read,
    row_of,
    where,
)

from importers.return205 import looks_like_205, read_205
from importers.template import write_template

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
