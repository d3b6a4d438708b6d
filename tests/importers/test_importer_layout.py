from __future__ import annotations

import pytest

from carbon.domain.quantities import FIELD_BY_NAME, FIELDS
from importers.layout import (
    HEADER_KEY_BY_NAME,
    IDENTITY_BY_NAME,
    IDENTITY_COLUMNS,
    IDENTITY_KEYS,
    TEMPLATE_COLUMNS,
    TEMPLATE_HEADERS,
    is_total_label,
    match_header,
)


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.key)
def test_every_field_header_is_recognised_in_both_languages(f):
    assert match_header(f.header_zh) == (f.key, f.template_unit_zh)
    assert match_header(f.header_en) == (f.key, f.template_unit_en)
    # full-width brackets, as Chinese input methods type them
    assert match_header(f"{f.name_zh}（{f.template_unit_zh}）") == (f.key, f.template_unit_zh)


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.key)
def test_every_field_synonym_is_recognised(f):
    for synonym in f.synonyms:
        assert match_header(f"{synonym}(吨)") == (f.key, "吨")


@pytest.mark.parametrize("column", IDENTITY_COLUMNS, ids=lambda c: c.key)
def test_identity_headers_and_synonyms(column):
    for text in (column.name_zh, column.name_en, *column.synonyms):
        assert match_header(text) == (column.key, None)
        assert match_header(f" {text.upper()} ") == (column.key, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电力(万千瓦时)", ("electricity", "万千瓦时")),
        ("天然气（万立方米）", ("natural_gas", "万立方米")),
        ("Electricity (MWh)", ("electricity", "MWh")),
        ("电力\n(万千瓦时)", ("electricity", "万千瓦时")),
        ("电力（单位：千瓦时）", ("electricity", "千瓦时")),
        ("Coke oven gas (m3)", ("coke_oven_gas", "m3")),
        ("用电量【MWh】", ("electricity", "MWh")),
        ("电力", ("electricity", None)),
        ("电力()", ("electricity", None)),
        ("月份(YYYY-MM)", ("month", None)),
        ("统一社会信用代码（18位）", ("uscc", None)),
        ("信用代码", ("uscc", None)),
        ("单位名称", ("name", None)),
        ("行业分类代码", ("industry_code", None)),
        ("区划代码", ("region_code", None)),
        ("期间", ("month", None)),
        ("备注", None),
        ("Remarks (text)", None),
        ("", None),
        ("   ", None),
        (2023.0, None),
        (None, None),
    ],
)
def test_match_header(text, expected):
    assert match_header(text) == expected


def test_no_header_name_means_two_things():
    assert len(HEADER_KEY_BY_NAME) == len(FIELD_BY_NAME) + len(IDENTITY_BY_NAME)


def test_template_columns_are_identity_then_every_field_in_order():
    keys = [c.key for c in TEMPLATE_COLUMNS]
    assert keys == [*IDENTITY_KEYS, *(f.key for f in FIELDS)]
    assert TEMPLATE_HEADERS["zh"][:5] == ("统一社会信用代码", "企业名称", "行业代码", "行政区划代码", "月份")
    assert TEMPLATE_HEADERS["en"][:5] == ("USCC", "Name", "Industry code", "Region code", "Month")
    assert TEMPLATE_HEADERS["zh"][5] == "电力(万千瓦时)"
    assert TEMPLATE_HEADERS["en"][5] == "Electricity (10^4 kWh)"
    assert "天然气(万立方米)" in TEMPLATE_HEADERS["zh"]
    assert "Natural gas (10^4 Nm3)" in TEMPLATE_HEADERS["en"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_header_reads_back_as_its_column(lang):
    for column, header in zip(TEMPLATE_COLUMNS, TEMPLATE_HEADERS[lang], strict=True):
        found = match_header(header)
        assert found is not None and found[0] == column.key


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("合计", True),
        ("合 计", True),
        ("本月小计", True),
        ("总计：", True),
        ("Total", True),
        ("Grand total", True),
        ("subtotal:", True),
        ("Total Energies Ltd", False),
        ("衢州某某有限公司", False),
        ("", False),
        (None, False),
        (12.0, False),
    ],
)
def test_is_total_label(text, total):
    assert is_total_label(text) is total


@pytest.mark.parametrize(
    "block",
    [
        "统一社会信用代码：{u}\n企业名称：某公司\n",  # an item alone, over the header's first column
        "统一社会信用代码：{u}\n,企业名称：某公司\n",  # over another header column
        "统一社会信用代码：{u},,企业名称：某公司\n",
    ],
)
def test_an_item_in_the_row_just_above_the_header_is_read_not_taken_as_a_group_row(block):
    """A label-value item directly above the header belongs to the block: its value is read,
    never lost as if the row were a group label over the header."""
    from carbon.domain.identifiers import make_uscc
    from importers import read_workbook

    u = make_uscc("91330802MA2A0B0C1")
    text = block.format(u=u) + "月份,电力(万千瓦时),工业增加值(万元),行业代码,行政区划代码\n"
    text += "2023-01,10,100,3011,330802\n"
    parsed = read_workbook(text.encode(), "x.csv")
    assert not parsed.errors
    (record,) = parsed.records
    assert (record.uscc, record.name, record.values["electricity"]) == (u, "某公司", 100.0)
