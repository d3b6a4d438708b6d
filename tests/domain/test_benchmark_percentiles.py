"""Benchmarks: percentiles (linear interpolation, type 7), quartiles, the advanced value,
and peer groups equal to the ones the ratings use."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbon.domain.benchmarks import percentile, population_benchmarks, spread
from carbon.domain.errors import InvalidReferenceData
from carbon.domain.methodology import DEFAULT_ADVANCED_PERCENTILE, parse_methodology
from carbon.domain.rating import RatingInput, rate_population

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"


def ent(i, e, va, *, division="30", section="C", region="330802"):
    return RatingInput(
        uscc=f"E{i:03d}",
        division=division,
        section=section,
        region=region,
        emissions=e,
        denominators={"value_added": va, "gross_output": None if va is None else va * 4, "tax": None},
    )


# -- percentile ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        # sorted 1 2 3 4 5 (odd count), h = 4p/100
        (0, 1.0),
        (20, 1.8),  # h = 0.8: 1 + 0.8 * (2 - 1)
        (25, 2.0),  # h = 1: exactly the second value
        (50, 3.0),
        (75, 4.0),
        (90, 4.6),  # h = 3.6: 4 + 0.6 * (5 - 4)
        (100, 5.0),
    ],
)
def test_percentile_odd_count(p, expected):
    assert percentile([3.0, 1.0, 5.0, 2.0, 4.0], p) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        # sorted 1 2 4 10 (even count), h = 3p/100
        (20, 1.6),  # h = 0.6: 1 + 0.6 * (2 - 1)
        (25, 1.75),  # h = 0.75
        (50, 3.0),  # h = 1.5: the mean of the two middle values
        (75, 5.5),  # h = 2.25: 4 + 0.25 * (10 - 4)
    ],
)
def test_percentile_even_count(p, expected):
    assert percentile([10.0, 2.0, 4.0, 1.0], p) == pytest.approx(expected)


def test_a_single_peer_is_every_percentile_of_itself():
    for p in (0, 20, 25, 50, 75, 100):
        assert percentile([0.42], p) == 0.42
    s = spread([0.42], 20)
    assert (s.advanced, s.q1, s.median, s.q3, s.advanced_percentile) == (0.42, 0.42, 0.42, 0.42, 20.0)


def test_two_peers():
    s = spread([2.0, 1.0], 20)
    assert (s.advanced, s.q1, s.median, s.q3) == pytest.approx((1.2, 1.25, 1.5, 1.75))


def test_percentile_refuses_no_values_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    with pytest.raises(ValueError):
        percentile([1.0], -1)


@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_is_numpys_linear_method(values, p):
    assert percentile(values, p) == pytest.approx(
        float(np.percentile(values, p, method="linear")), rel=1e-9, abs=1e-9
    )


# -- peer groups -----------------------------------------------------------------------------


def test_groups_sums_quartiles_and_who_is_in_them():
    inputs = [
        ent(0, 100.0, 100.0, division="30", region="330802"),  # L 1
        ent(1, 300.0, 100.0, division="30", region="330802"),  # L 3
        ent(2, 200.0, 100.0, division="30", region="330803"),  # L 2
        ent(3, 80.0, 20.0, division="26", region="330803"),  # L 4
        ent(4, 50.0, None, division="26", region="330803"),  # no value added: in no group
        ent(5, 50.0, 0.0, division="26", region="330803"),  # value added 0: in no group
        ent(6, 10.0, 100.0, division="06", section="B", region="330881"),  # L 0.1
    ]
    bs = {(b.level, b.key): b for b in population_benchmarks(inputs, "value_added", 20)}
    assert set(bs) == {
        ("division", "06"),
        ("division", "26"),
        ("division", "30"),
        ("section", "B"),
        ("section", "C"),
        ("all", "all"),
        ("county", "330802"),
        ("county", "330803"),
        ("county", "330881"),
    }
    d30 = bs[("division", "30")]
    assert (d30.peer_count, d30.emissions, d30.denominator_total) == (3, 600.0, 300.0)
    assert d30.intensity == 2.0
    assert (d30.q1, d30.median, d30.q3) == pytest.approx((1.5, 2.0, 2.5))
    assert d30.advanced == pytest.approx(1.4)  # h = 0.4 between L 1 and 2
    assert d30.advanced_percentile == 20.0 and d30.denominator == "value_added"
    d26 = bs[("division", "26")]
    assert (d26.peer_count, d26.intensity, d26.advanced, d26.median) == (1, 4.0, 4.0, 4.0)
    every = bs[("all", "all")]
    assert every.peer_count == 5 and every.emissions == 690.0 and every.denominator_total == 420.0
    assert every.median == 2.0  # L 0.1 1 2 3 4
    county = bs[("county", "330803")]
    assert (county.peer_count, county.emissions, county.denominator_total) == (2, 280.0, 120.0)
    assert county.q1 == pytest.approx(2.5)
    levels = [b.level for b in population_benchmarks(inputs, "value_added", 20)]
    assert levels == sorted(levels, key=["division", "section", "all", "county"].index)


def test_other_denominator_and_percentile():
    inputs = [ent(i, 10.0 * (i + 1), 10.0) for i in range(5)]  # gross output 40: L 0.25 .. 1.25
    (div, sec, every, county) = population_benchmarks(inputs, "gross_output", 10)
    assert div.denominator == "gross_output" and div.denominator_total == 200.0
    assert div.advanced_percentile == 10.0
    assert div.advanced == pytest.approx(0.25 + 0.4 * 0.25)  # h = 0.4
    assert population_benchmarks(inputs, "tax", 20) == []  # nobody reports tax


def test_every_ratings_peer_group_is_a_benchmark(methodology):
    inputs = [ent(i, 100.0 + 37 * i, 50.0 + 11 * i, division="30") for i in range(6)]
    inputs += [ent(10 + i, 90.0 * i + 1, 40.0, division="26", region="330803") for i in range(3)]
    inputs += [ent(20, 5.0, 9.0, division="06", section="B", region="330881")]
    inputs += [ent(30, 5.0, None, division="06", section="B", region="330881")]
    bs = {(b.level, b.key): b for b in population_benchmarks(inputs, "value_added", 20)}
    rated = 0
    for r in rate_population(inputs, 2023, methodology):
        if r.peer is None:
            assert r.reason
            continue
        rated += 1
        for g in (r.peer, r.dimension("regional_contribution").group):
            b = bs[(g.level, "all" if g.level == "all" else g.key)]
            assert (b.peer_count, b.emissions, b.denominator_total, b.intensity) == (
                g.count,
                g.emissions,
                g.denominator,
                g.intensity,
            )
    assert rated == 10


# -- the percentile in the methodology -------------------------------------------------------


def _doc():
    return json.loads((DATA / "methodologies" / "quzhou-3d-2.json").read_text("utf-8"))


def test_published_methodology_takes_the_default_percentile(methodology):
    assert "benchmarks" not in _doc()
    assert methodology.advanced_percentile == DEFAULT_ADVANCED_PERCENTILE == 20.0


@pytest.mark.parametrize("p", [10, 12.5, 50, 99.9])
def test_methodology_names_its_percentile(p):
    doc = copy.deepcopy(_doc())
    doc["version"] = 99
    doc["benchmarks"] = {"advanced_percentile": p}
    assert parse_methodology(doc).advanced_percentile == p


@pytest.mark.parametrize("bad", [{"advanced_percentile": 0}, {"advanced_percentile": 100},
                                 {"advanced_percentile": -5}, {"advanced_percentile": "20"},
                                 {"advanced_percentile": True}, [20]])  # fmt: skip
def test_methodology_refuses_a_bad_percentile(bad):
    doc = copy.deepcopy(_doc())
    doc["benchmarks"] = bad
    with pytest.raises(InvalidReferenceData, match="benchmarks"):
        parse_methodology(doc)
