"""The readers share one grammar of months (carbon.domain.periods): a range reads with every
dash in the header finder and in the 205-1 return alike, and a month cell stays one month."""

from __future__ import annotations

import pytest
from importer_testkit import uscc

from carbon.domain.identifiers import Period
from carbon.domain.periods import RANGE_DASHES
from importers.cells import CellProblem, read_month
from importers.detect import find_table
from importers.return205.block import _parse_period, _Span


@pytest.mark.parametrize("dash", RANGE_DASHES)
def test_a_reporting_period_above_a_rows_table_is_its_month_with_every_dash(dash):
    head = [
        [f"统一社会信用代码：{uscc(1)}", "", ""],
        [f"报告期：2023年1{dash}3月", "", ""],
        ["企业名称", "电力(万千瓦时)", "柴油(吨)"],
    ]
    table = find_table(head, "data")
    assert table is not None and table.kind == "rows"
    assert "month" in table.block


@pytest.mark.parametrize("dash", RANGE_DASHES)
def test_the_205_return_reads_a_range_with_every_dash(dash):
    assert _parse_period(f"2023年1{dash}3月", None) == _Span(2023, 1, 3)
    assert _parse_period(f"2023年1月{dash}3月", None) == _Span(2023, 1, 3)
    assert _parse_period(f"1{dash}3月", 2023) == _Span(2023, 1, 3)  # a sheet name, the year from the title


@pytest.mark.parametrize("dash", RANGE_DASHES)
def test_a_month_cell_is_one_month_whatever_the_dash(dash):
    with pytest.raises(CellProblem):
        read_month(f"2023年1{dash}3月")


def test_month_cells_read_every_form_of_a_month():
    for text in (
        "2023-03",
        "2023/3",
        "2023.03",
        "2023-03-15",
        "2023年3月",
        "2023年度3月",
        "202303",
        "２０２３年３月",
    ):
        assert read_month(text) == Period(2023, 3), text
    assert read_month("3月", 2023) == Period(2023, 3)
    assert read_month("Mar", 2023) == Period(2023, 3)
