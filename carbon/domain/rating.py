"""Both ratings of a population of enterprises for one year.

碳效码 (carbon-efficiency code): class by intensity L, grade by K = L / L_industry with
peer fallback division -> section -> all. 三维四色: three scored dimensions, composite S
with weights rescaled over the dimensions that can be assessed, and a colour.

Every rating carries what it was computed from (peer groups with their sums, the
previous year's intensity) and, derived from exactly those numbers, how much the
enterprise must cut to reach each better grade, class and colour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from carbon.domain.methodology import (
    NON_POSITIVE_PEERS,
    ZERO_EMISSIONS,
    ZERO_PREVIOUS,
    DimensionRules,
    EdgeRule,
    Methodology,
)
from carbon.domain.vocabulary import CLASSES, PeerLevel

CLASS_ORDER = CLASSES  # lowest intensity first
_DIVISION, _SECTION, _ALL, _COUNTY = (
    PeerLevel.DIVISION.value,
    PeerLevel.SECTION.value,
    PeerLevel.ALL.value,
    PeerLevel.COUNTY.value,
)
FULL_YEAR = (1 << 12) - 1  # a month mask: bit m-1 for month m


@lru_cache(maxsize=4096)
def _months_of(mask: int) -> tuple[int, ...]:
    return tuple(m for m in range(1, 13) if mask >> (m - 1) & 1)


def mask_months(mask: int) -> list[int]:
    """``0b111`` -> ``[1, 2, 3]`` (a new list each time: callers may keep or change it)."""
    return list(_months_of(mask))


@dataclass(frozen=True)
class RatingInput:
    """Annual totals of one enterprise (current and, if any, previous year)."""

    uscc: str
    division: str
    section: str
    region: str
    emissions: float
    denominators: Mapping[str, float | None]
    previous_emissions: float | None = None
    previous_denominators: Mapping[str, float | None] | None = None
    # per carrier: annual total, tCO2 per unit, emissions (``accounting.carrier_inputs``)
    carriers: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None  # see expand_carriers
    # Emissions over the months that report each denominator, where that differs from
    # ``emissions`` (which is over the months that report value added): an intensity
    # divides the emissions of the same months as its denominator.
    emissions_by_denominator: Mapping[str, float] | None = None
    previous_by_denominator: Mapping[str, float] | None = None
    # the calendar months the figures cover; fewer than 12: a year to date (暂评)
    month_mask: int = FULL_YEAR
    coverage: Mapping[str, Any] | None = None  # months with energy data / with value added

    def emissions_for(self, denominator: str) -> float:
        if self.emissions_by_denominator and denominator in self.emissions_by_denominator:
            return self.emissions_by_denominator[denominator]
        return self.emissions

    def previous_for(self, denominator: str) -> float | None:
        if self.previous_by_denominator and denominator in self.previous_by_denominator:
            return self.previous_by_denominator[denominator]
        return self.previous_emissions

    @property
    def provisional(self) -> bool:
        return self.month_mask != FULL_YEAR


@dataclass(frozen=True)
class Group:
    """A peer population: its level, key, size and sums (the enterprise included)."""

    level: str
    key: str
    count: int
    emissions: float
    denominator: float

    @property
    def intensity(self) -> float:
        return self.emissions / self.denominator

    def as_dict(self) -> dict[str, Any]:
        # Many ratings share a group: build its dict once (callers must not mutate it).
        return self._dict

    @cached_property
    def _dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "key": self.key,
            "count": self.count,
            "emissions_tco2": self.emissions,
            "denominator_sum": self.denominator,
            "intensity": self.intensity,
        }


@dataclass(frozen=True)
class DimensionResult:
    key: str
    denominator: str
    value: float | None
    score: float | None
    weight: float  # rescaled weight actually applied (0 when not assessed)
    benchmark: float | None
    group: Group | None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "score": self.score,
            "weight": self.weight,
            "denominator": self.denominator,
            "benchmark": self.benchmark,
            "peers": self.group.as_dict() if self.group else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Rating:
    uscc: str
    year: int
    methodology: str
    emissions: float
    denominators: Mapping[str, float | None]
    intensity: float | None
    intensity_class: str | None
    industry_intensity: float | None
    ratio: float | None
    grade: int | None
    peer: Group | None
    dimensions: tuple[DimensionResult, ...]
    score: float | None
    colour: str | None
    reason: str | None
    carriers: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None
    month_mask: int = FULL_YEAR
    coverage: Mapping[str, Any] | None = None
    emission_basis: str = "total"
    rules: tuple[str, ...] = ()  # the edge rules that applied (their reasons are shown)

    @property
    def provisional(self) -> bool:
        return self.month_mask != FULL_YEAR

    @property
    def value_added(self) -> float | None:
        return self.denominators.get("value_added")

    def dimension(self, key: str) -> DimensionResult | None:
        for d in self.dimensions:
            if d.key == key:
                return d
        return None

    def explanation(self) -> dict[str, Any]:
        """Every number the rating was computed from; ``what_if`` works from exactly this.
        ``carriers``: each carrier's annual total, coefficient (tCO2 per unit) and emissions,
        which sum to ``emissions_tco2`` (absent when the rating was given none); the factor
        set named beside the explanation gives each coefficient's derivation and source."""
        out: dict[str, Any] = {
            "emissions_tco2": self.emissions,
            "value_added": self.value_added,
            "denominators": dict(self.denominators),
            "carbon_efficiency_peers": self.peer.as_dict() if self.peer else None,
            "dimensions": {d.key: d.as_dict() for d in self.dimensions},
            "reason": self.reason,
            "emission_basis": self.emission_basis,
            "provisional": self.provisional,
            "months": mask_months(self.month_mask),
        }
        if self.coverage is not None:
            out["coverage"] = dict(self.coverage)
        if self.rules:
            out["edge_rules"] = list(self.rules)
        if self.carriers is not None:
            out["carriers"] = self.carriers if isinstance(self.carriers, Mapping) else list(self.carriers)
        return out


# -- populations ---------------------------------------------------------------------------


class Aggregates:
    """Sums of emissions and one denominator by division, section, all and county."""

    def __init__(
        self, inputs: Iterable[RatingInput], denominator: str, skip_non_positive: bool = False
    ) -> None:
        self.denominator = denominator
        # a group whose aggregate intensity is ≤ 0 counts as too small (edge rule)
        self.skip_non_positive = skip_non_positive
        self.sums: dict[tuple[str, str], list[float]] = {}
        # the chosen peer group of each (division, section, levels, min_peers): the same
        # for every enterprise of that division and section
        self._peers: dict[tuple[str, str, tuple[str, ...], int], Group | None] = {}
        for r in inputs:
            d = r.denominators.get(denominator) or 0.0
            if d > 0:
                e = r.emissions_for(denominator)
                for key in ((_DIVISION, r.division), (_SECTION, r.section), (_ALL, "*"), (_COUNTY, r.region)):
                    s = self.sums.setdefault(key, [0, 0.0, 0.0])
                    s[0] += 1
                    s[1] += e
                    s[2] += d

    def group(self, level: str, key: str) -> Group | None:
        return self.groups.get((level, key))

    @cached_property
    def groups(self) -> dict[tuple[str, str], Group]:
        return {k: Group(k[0], k[1], int(s[0]), s[1], s[2]) for k, s in self.sums.items() if s[2] > 0}

    def peers(self, r: RatingInput, levels: Sequence[str], min_peers: int) -> Group | None:
        memo = (r.division, r.section, tuple(levels), min_peers)
        if memo in self._peers:
            return self._peers[memo]
        chosen = self._choose(r.division, r.section, levels, min_peers)
        self._peers[memo] = chosen
        return chosen

    def _choose(self, division: str, section: str, levels: Sequence[str], min_peers: int) -> Group | None:
        keys = {_DIVISION: division, _SECTION: section, _ALL: "*"}
        chosen: Group | None = None
        for level in levels:
            g = self.group(level, keys[level])
            if g is None or (self.skip_non_positive and g.emissions <= 0):
                continue
            chosen = g
            if g.count >= min_peers:
                return g
        return chosen


# -- dimension values as functions of the enterprise's own annual emissions -----------------


def industry_value(e: float, own_d: float, g: Group, own_e: float) -> float:
    peer_intensity = (g.emissions - own_e + e) / g.denominator
    if peer_intensity <= 0:
        return 0.0 if e <= 0 else math.inf
    return (e / own_d) / peer_intensity


def regional_value(e: float, own_d: float, g: Group, own_e: float) -> float:
    if e <= 0:
        return math.inf
    return ((g.emissions - own_e + e) / g.denominator) / (e / own_d)


def historical_value(e: float, own_d: float, previous: float) -> float:
    return (previous - e / own_d) / previous


def _not_computable(r: RatingInput, year: int, m: Methodology, reason: str) -> Rating:
    return Rating(
        uscc=r.uscc,
        year=year,
        methodology=m.ref,
        emissions=r.emissions,
        denominators=r.denominators,
        intensity=None,
        intensity_class=None,
        industry_intensity=None,
        ratio=None,
        grade=None,
        peer=None,
        dimensions=tuple(
            DimensionResult(d.key, d.denominator, None, None, 0.0, None, None, reason) for d in m.dimensions
        ),
        score=None,
        colour=None,
        reason=reason,
        carriers=r.carriers,
        month_mask=r.month_mask,
        coverage=r.coverage,
        emission_basis=m.emission_basis,
    )


@dataclass(frozen=True)
class _Context:
    """What every rating of one population shares: looked up once, not per enterprise."""

    year: int
    m: Methodology
    ref: str  # the methodology's id@version
    aggregates: Mapping[str, Aggregates]
    zero: EdgeRule | None  # the edge rules the methodology states (None: not stated)
    skip: EdgeRule | None
    zero_prev: EdgeRule | None
    dims: tuple[tuple[DimensionRules, Aggregates], ...]


def _context(year: int, m: Methodology, aggregates: Mapping[str, Aggregates]) -> _Context:
    return _Context(
        year,
        m,
        m.ref,
        aggregates,
        m.rule(ZERO_EMISSIONS),
        m.rule(NON_POSITIVE_PEERS),
        m.rule(ZERO_PREVIOUS),
        tuple((rules, aggregates[rules.denominator]) for rules in m.dimensions),
    )


def population_aggregates(inputs: Sequence[RatingInput], m: Methodology) -> dict[str, Aggregates]:
    """The sums of every denominator the methodology uses over ``inputs`` (as
    ``rate_population`` compares them with, the region already at the methodology's level)."""
    denominators = {"value_added", *(d.denominator for d in m.dimensions)}
    skip = m.rule(NON_POSITIVE_PEERS) is not None
    return {d: Aggregates(inputs, d, skip) for d in sorted(denominators)}


def rate_population(
    inputs: Sequence[RatingInput],
    year: int,
    m: Methodology,
    aggregates: Mapping[str, Aggregates] | None = None,
) -> list[Rating]:
    """Rate every enterprise of one year against the others of that year. ``aggregates``
    (``population_aggregates`` of the same inputs) when the caller already has them."""
    if m.region_level != _COUNTY:  # compare within the methodology's region (a city)
        inputs = [replace(r, region=m.region_of(r.region)) for r in inputs]
        aggregates = None  # summed over other regions
    if aggregates is None:
        aggregates = population_aggregates(inputs, m)
    c = _context(year, m, aggregates)
    return [_rate(r, c) for r in inputs]


def rate_one(r: RatingInput, year: int, m: Methodology, aggregates: Mapping[str, Aggregates]) -> Rating:
    return _rate(r, _context(year, m, aggregates))


_NO_VALUE_ADDED = (
    "value added is missing or not positive, so intensity is not computable "
    "/ 工业增加值缺失或不大于零，无法计算碳排放强度"
)


def _rate(r: RatingInput, c: _Context) -> Rating:
    m = c.m
    ce = m.carbon_efficiency
    va = r.denominators.get("value_added")
    if va is None or va <= 0:
        return _not_computable(r, c.year, m, _NO_VALUE_ADDED)
    e = r.emissions
    intensity = e / va
    peer = c.aggregates["value_added"].peers(r, ce.peer_levels, ce.min_peers)
    zero = c.zero if e == 0 else None
    if zero is not None:
        return _zero_emissions(r, c.year, m, peer, zero.reason)
    if peer is None:  # only when every level's intensity is ≤ 0 and the rule skips them
        rule = c.skip
        return _not_computable(r, c.year, m, rule.reason if rule else "no peer group / 无可比同组")
    ratio = intensity / peer.intensity if peer.intensity > 0 else math.inf
    dims = [_dimension(r, rules, agg, c) for rules, agg in c.dims]
    reasons = {d[4] for d in dims}
    applied = tuple(rule.key for rule in (c.zero_prev, c.skip) if rule is not None and rule.reason in reasons)
    total_w = sum([rules.weight for rules, d in zip(m.dimensions, dims, strict=True) if d[1] is not None])
    weighted = tuple(
        [
            _dimension_result(
                rules.key,
                rules.denominator,
                value,
                score,
                rules.weight / total_w if score is not None else 0.0,
                benchmark,
                group,
                reason,
            )
            for rules, (value, score, benchmark, group, reason) in zip(m.dimensions, dims, strict=True)
        ]
    )
    score = round(sum([d.weight * d.score for d in weighted if d.score is not None]), 9) if total_w else None
    return _rating(
        uscc=r.uscc,
        year=c.year,
        methodology=c.ref,
        emissions=e,
        denominators=r.denominators,
        intensity=intensity,
        intensity_class=ce.intensity_class(intensity),
        industry_intensity=peer.intensity,
        ratio=ratio,
        grade=ce.grade(ratio),
        peer=peer,
        dimensions=weighted,
        score=score,
        colour=m.colour(score) if score is not None else None,
        reason=None,
        carriers=r.carriers,
        month_mask=r.month_mask,
        coverage=r.coverage,
        emission_basis=m.emission_basis,
        rules=applied,
    )


# Tens of thousands of ratings are built at once, and a frozen dataclass's __init__ sets
# each field through object.__setattr__: these two fill the instance's __dict__ in one go
# (every field given, no __post_init__), the same object the constructor makes.
_new = object.__new__


def _dimension_result(
    key: str,
    denominator: str,
    value: float | None,
    score: float | None,
    weight: float,
    benchmark: float | None,
    group: Group | None,
    reason: str | None,
) -> DimensionResult:
    d: DimensionResult = _new(DimensionResult)
    d.__dict__.update(
        {
            "key": key,
            "denominator": denominator,
            "value": value,
            "score": score,
            "weight": weight,
            "benchmark": benchmark,
            "group": group,
            "reason": reason,
        }
    )
    return d


def _rating(**values: Any) -> Rating:
    r: Rating = _new(Rating)
    r.__dict__.update(values)
    return r


def _zero_emissions(r: RatingInput, year: int, m: Methodology, peer: Group | None, reason: str) -> Rating:
    """The zero-emissions edge rule: class low, K = 0, grade 1, every dimension 100."""
    ce = m.carbon_efficiency
    dims = tuple(
        DimensionResult(d.key, d.denominator, 0.0 if d.key == "industry_advanced" else None,
                        m.scores[0], d.weight, None, None, reason)
        for d in m.dimensions
    )  # fmt: skip
    score = float(m.scores[0])
    return Rating(
        uscc=r.uscc,
        year=year,
        methodology=m.ref,
        emissions=0.0,
        denominators=r.denominators,
        intensity=0.0,
        intensity_class=CLASS_ORDER[0],
        industry_intensity=peer.intensity if peer is not None else None,
        ratio=0.0,
        grade=ce.grade(0.0),
        peer=peer,
        dimensions=dims,
        score=score,
        colour=m.colour(score),
        reason=None,
        carriers=r.carriers,
        month_mask=r.month_mask,
        coverage=r.coverage,
        emission_basis=m.emission_basis,
        rules=(ZERO_EMISSIONS,),
    )


_DimensionValues = tuple[float | None, float | None, float | None, Group | None, str | None]


def _dimension(r: RatingInput, rules: DimensionRules, agg: Aggregates, c: _Context) -> _DimensionValues:
    """(value, score, benchmark, peer group, reason) of one dimension."""
    d = r.denominators.get(rules.denominator) or 0.0
    e = r.emissions_for(rules.denominator)
    if d <= 0:
        return None, None, None, None, f"{rules.denominator} missing or not positive / 分母数据缺失"
    g: Group | None
    if rules.key == "industry_advanced":
        ce = c.m.carbon_efficiency
        g = agg.peers(r, ce.peer_levels, ce.min_peers)
        assert g is not None
        value, benchmark = industry_value(e, d, g, e), g.intensity
    elif rules.key == "regional_contribution":
        g = agg.group(_COUNTY, r.region)
        assert g is not None
        skip = c.skip
        if skip is not None and g.emissions <= 0:
            return None, None, None, None, skip.reason
        value, benchmark = regional_value(e, d, g, e), g.intensity
    else:
        pe, pd = (
            r.previous_for(rules.denominator),
            (r.previous_denominators or {}).get(rules.denominator) or 0.0,
        )
        zero_prev = c.zero_prev
        if zero_prev is not None and pe == 0 and pd > 0:
            return None, None, None, None, zero_prev.reason
        if pe is None or pd <= 0 or pe <= 0:
            return None, None, None, None, "no previous-year intensity to compare with / 无上一年度可比强度"
        g, benchmark = None, pe / pd
        value = historical_value(e, d, benchmark)
    shown = None if math.isinf(value) else value
    return shown, c.m.scores[rules.bands.band(value)], benchmark, g, None
