"""carbon.domain.periods: the one grammar of months and periods, each form, each dash, the rejects."""

from __future__ import annotations

import pytest

from carbon.domain.identifiers import Period
from carbon.domain.periods import (
    MONTH_NAMES,
    RANGE_DASHES,
    WRITTEN_YEARS,
    YEAR_RANGE,
    Span,
    first_span,
    has_range,
    iso_month,
    month_alone,
    month_with_year,
    short_span,
    spans_in,
    year_alone,
    years_named,
)

# Every range dash any reader accepted before the grammar was shared: the union.
DASHES = ("-", "－", "~", "～", "–", "—", "至", "到")


def test_the_dashes_are_the_union_of_what_the_readers_accepted():
    assert set(RANGE_DASHES) == set(DASHES)
    assert YEAR_RANGE == (1950, 2100)
    assert (WRITTEN_YEARS.start, WRITTEN_YEARS.stop) == (1900, 2100)


# -- a month with its year -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01", (2024, 1)),
        ("2024-1", (2024, 1)),
        ("2024/1", (2024, 1)),
        ("2024/01", (2024, 1)),
        ("2024.01", (2024, 1)),
        ("2024 - 01", (2024, 1)),
        ("2024-01-15", (2024, 1)),
        ("2024/1/15", (2024, 1)),
        ("2024-01-15 08:30", (2024, 1)),
        ("2024-01-15 08:30:00", (2024, 1)),
        ("2024-01-15T08:30:00.5", (2024, 1)),
        ("2024年1月", (2024, 1)),
        ("2024年01月", (2024, 1)),
        ("2024 年 1 月", (2024, 1)),
        ("2024年1月5日", (2024, 1)),
        ("2024年度1月", (2024, 1)),
        ("202401", (2024, 1)),
        ("202412", (2024, 12)),
        ("2024-13", (2024, 13)),  # as written: the caller says it is no month
        ("1800年3月", (1800, 3)),
    ],
)
def test_month_with_year(text, expected):
    assert month_with_year(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024",
        "24-01",
        "2024-01-15-16",  # a day twice
        "2024-01/15",  # two separators
        "2024–01",  # a range dash is no separator of year and month
        "2024年1-3月",  # a range is not a month
        "2024年1月-3月",
        "2024年",
        "1月",
        "20241",
        "2024011",
        "报告期2024年1月",  # the whole text must be the month
        "Jan 2024",
    ],
)
def test_month_with_year_rejects(text):
    assert month_with_year(text) is None


# -- a month without its year --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3月", 3),
        ("03月", 3),
        ("3 月", 3),
        ("3月份", 3),
        (" 12月 ", 12),
        ("13月", 13),  # as written: the caller says it is no month
        ("Jan", 1),
        ("jan.", 1),
        ("JANUARY", 1),
        ("Sept", 9),
        ("september", 9),
        ("May", 5),
    ],
)
def test_month_alone(text, expected):
    assert month_alone(text) == expected


@pytest.mark.parametrize("text", ["", "月", "3", "123月", "1-3月", "2024年3月", "Janu", "3月3"])
def test_month_alone_rejects(text):
    assert month_alone(text) is None


def test_every_month_has_its_names():
    assert sorted(set(MONTH_NAMES.values())) == list(range(1, 13))


# -- periods in longer text ----------------------------------------------------------------


@pytest.mark.parametrize("dash", DASHES)
def test_a_range_with_its_year_reads_with_every_dash(dash):
    for text in (
        f"2023年1{dash}3月",
        f"2023年1月{dash}3月",
        f"2023年 1 {dash} 3 月",
        f"报告期：2023年度1{dash}3月",
    ):
        assert first_span(text) == Span(2023, 1, 3), text
        assert has_range(text), text


@pytest.mark.parametrize("dash", DASHES)
def test_a_range_without_its_year_reads_with_every_dash(dash):
    assert short_span(f"1{dash}3月") == Span(None, 1, 3)
    assert short_span(f"1月{dash}3月") == Span(None, 1, 3)


def test_a_single_month_in_text():
    assert first_span("某某公司2023年3月能源购进、消费与库存") == Span(2023, None, 3)
    assert first_span("2023年度3月") == Span(2023, None, 3)
    assert not has_range("2023年3月")
    assert short_span("3月") == Span(None, None, 3)
    assert short_span("3月份") == Span(None, None, 3)
    assert not Span(2023, None, 3).is_range and Span(2023, 1, 3).is_range


def test_spans_in_text_in_order_and_the_first_with_a_written_year():
    text = "3023年3月 2023年1-2月 2024年5月"
    assert list(spans_in(text)) == [Span(3023, None, 3), Span(2023, 1, 2), Span(2024, None, 5)]
    assert first_span(text) == Span(2023, 1, 2)  # 3023 is no written year
    assert has_range("2023年3月 2023年1–3月")  # a range anywhere in the text


@pytest.mark.parametrize(
    "text",
    [
        "2023年",  # no month
        "2023-03",  # not this form (month_with_year reads it)
        "20231-3月",  # 5 digits: no year
        "2023年1/3月",  # '/' is no range dash
        "2023年1〜3月",  # nor the wave dash U+301C (NFKC keeps it)
        "1-3",
    ],
)
def test_no_range_with_its_year(text):
    assert not has_range(text)


def test_a_month_without_its_year_is_not_taken_from_a_year():
    assert short_span("2023年3月") is None  # preceded by 年: it belongs to the year
    assert short_span("123月") is None  # preceded by a digit
    assert short_span("第三季度") is None
    assert short_span("1/3月") == Span(None, None, 3)  # '/' is no range dash: 3月 alone


# -- years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("2024", 2024), (" 2024年 ", 2024), ("2024年度", 2024), ("1999", 1999)]
)
def test_year_alone(text, expected):
    assert year_alone(text) == expected


@pytest.mark.parametrize("text", ["", "1899", "2100", "3000年", "2024年3月", "2024年年", "24年", "20245"])
def test_year_alone_rejects(text):
    assert year_alone(text) is None


def test_years_named():
    assert years_named("某某公司2023年能源消费台账") == {2023}
    assert years_named("2023年3月") == set()  # a month, not a year
    assert years_named("2022年、2023年") == {2022, 2023}
    assert years_named("2023年度报表") == {2023}
    assert years_named("3023年 1899年") == set()  # no written years
    assert years_named("编号12023年") == {2023}


# -- the canonical month -------------------------------------------------------------------


def test_iso_month_and_period_parse():
    assert iso_month("2024-01") == (2024, 1)
    assert iso_month("2024-13") == (2024, 13)
    for text in ("2024-1", "2024/01", "2024年1月", "202401", " 2024-01", "2024-01-15"):
        assert iso_month(text) is None, text
    assert Period.parse(" 2024-03 ") == Period(2024, 3)
    for text in ("2024-13", "2024-00", "2024-1", "2024年3月", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Period.parse(text)
