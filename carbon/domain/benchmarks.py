"""Benchmarks: a snapshot of every peer population a year's ratings compare with.

For each group of a year (industry 大类 ``division``, 门类 ``section``, ``all``, and
``county``) and each denominator the methodology uses: the peer count, ΣE, Σdenominator
and the aggregate intensity ΣE/Σdenominator (exactly the figures a rating's explanation
names for its peer group: the groups come from the same ``Aggregates``), plus the spread
of the peers' own intensities E/denominator: quartiles and the *advanced value*.

The advanced value is the intensity at a configurable percentile of the peers (lower
intensity is more advanced, so the 20th percentile is the level the best fifth reach);
the methodology names the percentile (``benchmarks.advanced_percentile``, default 20).

Percentiles are the linear interpolation between closest ranks: Hyndman & Fan (1996)
type 7, numpy's default ``method="linear"``, Excel's PERCENTILE.INC. For the sorted
values x[0] <= ... <= x[n-1] and 0 <= p <= 100, with h = (n - 1) * p / 100:
``P(p) = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])``. So P(0) is the
minimum, P(100) the maximum, P(50) the usual median (the mean of the two middle values
for an even count), and a single peer is every percentile of itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain import vocabulary
from carbon.domain.rating import Aggregates, RatingInput

# The key of the one group of level "all" (``Aggregates`` keys it "*" internally).
ALL_KEY = "all"
LEVELS = vocabulary.BENCHMARK_LEVELS


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100) of ``values`` by linear interpolation (type 7)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"percentile {p} is outside 0..100")
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


@dataclass(frozen=True)
class Spread:
    """Quartiles and the advanced value of a set of intensities."""

    advanced: float
    advanced_percentile: float
    q1: float
    median: float
    q3: float


def spread(values: Sequence[float], advanced_percentile: float) -> Spread:
    xs = sorted(values)
    return Spread(
        advanced=percentile(xs, advanced_percentile),
        advanced_percentile=float(advanced_percentile),
        q1=percentile(xs, 25.0),
        median=percentile(xs, 50.0),
        q3=percentile(xs, 75.0),
    )


@dataclass(frozen=True)
class Benchmark:
    """One peer population of a year, for one denominator."""

    level: str
    key: str  # division code "26", section letter "C", "all", or a county code "330802"
    denominator: str
    peer_count: int
    emissions: float  # ΣE, tCO2
    denominator_total: float  # Σ denominator (万元 for value added)
    intensity: float  # ΣE / Σ denominator
    advanced: float
    advanced_percentile: float
    q1: float
    median: float
    q3: float

    def values(self) -> dict[str, Any]:
        return {
            "peer_count": self.peer_count,
            "emissions": self.emissions,
            "denominator_total": self.denominator_total,
            "intensity": self.intensity,
            "advanced": self.advanced,
            "advanced_percentile": self.advanced_percentile,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
        }


def benchmark_key(level: str, key: str) -> str:
    """The benchmark key of a rating's peer group (level, key): "*" of level all is "all"."""
    return ALL_KEY if level == "all" else key


def _group_keys(r: RatingInput) -> tuple[tuple[str, str], ...]:
    return (("division", r.division), ("section", r.section), ("all", "*"), ("county", r.region))


def population_benchmarks(
    inputs: Iterable[RatingInput],
    denominator: str,
    advanced_percentile: float,
    aggregates: Aggregates | None = None,
) -> list[Benchmark]:
    """Every peer group of a population for one denominator.

    The peers are those with the denominator > 0 (docs/methodology.md §7), as in the ratings; the
    sums are the ratings' own (``Aggregates``), so a rating's peer figures equal these.
    ``aggregates``: the ratings' own sums of these very inputs for ``denominator``, when
    the caller has them (not summed again).
    """
    population = list(inputs)
    if aggregates is None or aggregates.denominator != denominator:
        aggregates = Aggregates(population, denominator)
    intensities: dict[tuple[str, str], list[float]] = {}
    for r in population:
        d = r.denominators.get(denominator) or 0.0
        if d > 0:
            for k in _group_keys(r):
                intensities.setdefault(k, []).append(r.emissions_for(denominator) / d)
    out: list[Benchmark] = []
    for (level, key), g in aggregates.groups.items():
        s = spread(intensities[(level, key)], advanced_percentile)
        out.append(
            Benchmark(
                level=level,
                key=benchmark_key(level, key),
                denominator=denominator,
                peer_count=g.count,
                emissions=g.emissions,
                denominator_total=g.denominator,
                intensity=g.intensity,
                advanced=s.advanced,
                advanced_percentile=s.advanced_percentile,
                q1=s.q1,
                median=s.median,
                q3=s.q3,
            )
        )
    out.sort(key=lambda b: (LEVELS.index(b.level), b.key))
    return out
