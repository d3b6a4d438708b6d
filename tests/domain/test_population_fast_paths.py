"""The shortcuts a whole population's computation takes give exactly what the plain,
one-at-a-time path gives: the carriers of rows grouped by the carriers they use, the peer
group chosen once per division and section, the ratings' own sums reused for the
benchmarks, and ratings built without the dataclass constructor."""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from carbon.domain.accounting import CARRIER_KEYS, INPUT_KEYS, carrier_columns_matrix
from carbon.domain.benchmarks import population_benchmarks
from carbon.domain.factors import parse_factor_set
from carbon.domain.methodology import parse_methodology
from carbon.domain.rating import (
    Aggregates,
    Rating,
    RatingInput,
    mask_months,
    population_aggregates,
    rate_one,
    rate_population,
)

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"


def _load(kind: str, name: str, parse: Any) -> Any:
    return parse(json.loads((DATA / kind / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def fs() -> Any:
    return _load("factor_sets", "cn-default-2.json", parse_factor_set)


@pytest.fixture(scope="module")
def methodology() -> Any:
    return _load("methodologies", "quzhou-3d-2.json", parse_methodology)


def _row_by_row(quantities: np.ndarray, years: list[int], fs: Any) -> list[dict[str, Any]]:
    """The carriers of each row on its own (the path the matrix version must equal)."""
    out = []
    for row, year in zip(quantities, years, strict=True):
        out.extend(carrier_columns_matrix(row.reshape(1, -1), [year], fs))
    return out


def test_carriers_grouped_by_pattern_equal_row_by_row(fs: Any) -> None:
    rng = np.random.default_rng(7)
    n = 300
    data = rng.uniform(0.0, 1000.0, size=(n, len(INPUT_KEYS)))
    # a few patterns of carriers used, and rows with none at all
    data[rng.random(size=data.shape) < 0.7] = 0.0
    data[:5] = 0.0
    years = [2022 if i % 3 else 2023 for i in range(n)]
    got = carrier_columns_matrix(data, years, fs)
    assert got == _row_by_row(data, years, fs)
    # the same JSON, key order included (the explanation stores it)
    assert [json.dumps(c) for c in got] == [json.dumps(c) for c in _row_by_row(data, years, fs)]
    assert all(isinstance(c["keys"], list) for c in got)
    assert len({id(c["keys"]) for c in got}) == n  # no list shared between rows


def test_carrier_patterns_fit_one_integer() -> None:
    assert len(CARRIER_KEYS) < 63  # each row's carriers are coded as the bits of an int64


def test_mask_months_is_a_fresh_list() -> None:
    a, b = mask_months(0b101), mask_months(0b101)
    assert a == [1, 3] and a is not b
    a.append(99)
    assert mask_months(0b101) == [1, 3]


def _population(n: int, seed: int = 3) -> list[RatingInput]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        division = rnd.choice(["26", "30", "31", "13", "17"])
        va = rnd.choice([None, 0.0, rnd.uniform(10, 5000), rnd.uniform(10, 5000)])
        prev = rnd.choice([None, 0.0, rnd.uniform(0, 9000)])
        out.append(
            RatingInput(
                uscc=f"E{i:05d}",
                division=division,
                section="C" if division != "13" else "A",
                region=rnd.choice(["330802", "330803", "330822"]),
                emissions=rnd.choice([0.0, rnd.uniform(0, 9000)]),
                denominators={"value_added": va, "gross_output": rnd.uniform(0, 9000), "tax": None},
                previous_emissions=prev,
                previous_denominators={"value_added": rnd.uniform(1, 5000), "gross_output": 1.0, "tax": None}
                if prev is not None
                else None,
            )
        )
    return out


def test_population_ratings_equal_one_at_a_time(methodology: Any) -> None:
    inputs = _population(400)
    aggregates = population_aggregates(inputs, methodology)
    fresh = {d: Aggregates(inputs, d, a.skip_non_positive) for d, a in aggregates.items()}
    rated = rate_population(inputs, 2023, methodology)
    assert rated == rate_population(inputs, 2023, methodology, aggregates)
    for r, got in zip(inputs, rated, strict=True):
        one = rate_one(r, 2023, methodology, fresh)
        assert got == one
        assert got.explanation() == one.explanation()
        assert json.dumps(got.explanation()) == json.dumps(one.explanation())


def test_fast_rating_is_the_dataclass(methodology: Any) -> None:
    rated = rate_population(_population(50), 2023, methodology)
    for got in rated:
        rebuilt = Rating(**{f.name: getattr(got, f.name) for f in fields(Rating)})
        assert got == rebuilt and hash(got.uscc) == hash(rebuilt.uscc)
        assert vars(got) == vars(rebuilt)
        for d in got.dimensions:
            assert vars(d) == vars(type(d)(**vars(d)))
        with pytest.raises(AttributeError):
            got.score = 1.0  # type: ignore[misc]


def test_peer_choice_is_remembered_per_group(methodology: Any) -> None:
    inputs = _population(200)
    agg = Aggregates(inputs, "value_added", skip_non_positive=True)
    ce = methodology.carbon_efficiency
    for r in inputs:
        assert agg.peers(r, ce.peer_levels, ce.min_peers) is agg._choose(
            r.division, r.section, ce.peer_levels, ce.min_peers
        )
    # a list of levels is a key too
    assert agg.peers(inputs[0], list(ce.peer_levels), ce.min_peers) is agg.peers(
        inputs[0], ce.peer_levels, ce.min_peers
    )


def test_benchmarks_from_the_ratings_sums_equal_summed_again(methodology: Any) -> None:
    inputs = _population(300)
    aggregates = population_aggregates(inputs, methodology)
    for d, agg in aggregates.items():
        assert population_benchmarks(inputs, d, 20.0, agg) == population_benchmarks(inputs, d, 20.0)
    # sums of another denominator are not taken for these
    other = Aggregates(inputs, "gross_output")
    assert population_benchmarks(inputs, "value_added", 20.0, other) == population_benchmarks(
        inputs, "value_added", 20.0
    )
