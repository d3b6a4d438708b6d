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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.methodology import DimensionRules, Methodology

CLASS_ORDER = ("low", "medium", "high")


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
class Cut:
    """What reaching ``target`` takes: annual emissions at most ``emissions_after``."""

    kind: str  # "grade" | "class" | "colour"
    target: str
    emissions_after: float
    cut_tco2: float
    cut_pct: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "max_emissions_tco2": round(self.emissions_after, 2),
            "cut_tco2": self.cut_tco2,
            "cut_pct": self.cut_pct,
        }


@dataclass(frozen=True)
class Rating:
    uscc: str
    year: int
    methodology: str
    emissions: float
    value_added: float | None
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
    cuts: tuple[Cut, ...] = field(default=())

    def dimension(self, key: str) -> DimensionResult | None:
        for d in self.dimensions:
            if d.key == key:
                return d
        return None

    def summary(self) -> dict[str, Any]:
        """The JSON keys of the command-line contract (DESIGN §8)."""
        return {
            "uscc": self.uscc,
            "year": self.year,
            "carbon_efficiency": {
                "intensity": self.intensity,
                "class": self.intensity_class,
                "industry_intensity": self.industry_intensity,
                "ratio": self.ratio,
                "grade": self.grade,
                "peer_level": self.peer.level if self.peer else None,
                "peer_count": self.peer.count if self.peer else None,
            },
            "three_dimensional": {
                **{
                    d.key: (None if d.score is None else {"value": d.value, "score": d.score})
                    for d in self.dimensions
                },
                "score": self.score,
                "colour": self.colour,
            },
            "reason": self.reason,
        }

    def explanation(self) -> dict[str, Any]:
        return {
            "emissions_tco2": self.emissions,
            "value_added": self.value_added,
            "carbon_efficiency_peers": self.peer.as_dict() if self.peer else None,
            "dimensions": {d.key: d.as_dict() for d in self.dimensions},
            "cuts": [c.as_dict() for c in self.cuts],
            "reason": self.reason,
        }


# -- populations ---------------------------------------------------------------------------


class Aggregates:
    """Sums of emissions and one denominator by division, section, all and county."""

    def __init__(self, inputs: Iterable[RatingInput], denominator: str) -> None:
        self.denominator = denominator
        self.sums: dict[tuple[str, str], list[float]] = {}
        for r in inputs:
            d = r.denominators.get(denominator) or 0.0
            if d > 0:
                for key in (
                    ("division", r.division),
                    ("section", r.section),
                    ("all", "*"),
                    ("county", r.region),
                ):
                    s = self.sums.setdefault(key, [0, 0.0, 0.0])
                    s[0] += 1
                    s[1] += r.emissions
                    s[2] += d

    def group(self, level: str, key: str) -> Group | None:
        s = self.sums.get((level, key))
        if s is None or s[2] <= 0:
            return None
        return Group(level, key, int(s[0]), s[1], s[2])

    def peers(self, r: RatingInput, levels: Sequence[str], min_peers: int) -> Group | None:
        keys = {"division": r.division, "section": r.section, "all": "*"}
        chosen: Group | None = None
        for level in levels:
            chosen = self.group(level, keys[level])
            if chosen is not None and chosen.count >= min_peers:
                return chosen
        return chosen


# -- dimension values as functions of the enterprise's own annual emissions -----------------


def _industry_value(e: float, own_d: float, g: Group, own_e: float) -> float:
    peer_intensity = (g.emissions - own_e + e) / g.denominator
    if peer_intensity <= 0:
        return 0.0 if e <= 0 else math.inf
    return (e / own_d) / peer_intensity


def _regional_value(e: float, own_d: float, g: Group, own_e: float) -> float:
    if e <= 0:
        return math.inf
    return ((g.emissions - own_e + e) / g.denominator) / (e / own_d)


def _historical_value(e: float, own_d: float, previous: float) -> float:
    return (previous - e / own_d) / previous


def _solve_industry(t: float, own_d: float, g: Group, own_e: float) -> float | None:
    """Largest E with K(E) <= t (the enterprise is part of its peers' sums)."""
    den = g.denominator - t * own_d
    if den <= 0:
        return None
    return t * own_d * (g.emissions - own_e) / den


def _solve_regional(t: float, own_d: float, g: Group, own_e: float) -> float | None:
    den = t * g.denominator - own_d
    if den <= 0:
        return None
    return own_d * (g.emissions - own_e) / den


def _solve_historical(t: float, own_d: float, previous: float) -> float:
    return own_d * previous * (1.0 - t)


@dataclass
class _Context:
    """Everything one enterprise's three-dimensional score depends on."""

    emissions: float
    dims: list[tuple[DimensionRules, Callable[[float], float], Callable[[float], float | None]]]

    def score(self, m: Methodology, e: float) -> float | None:
        total_w = sum(rules.weight for rules, _, _ in self.dims)
        if total_w <= 0:
            return None
        s = sum(rules.weight * m.scores[rules.bands.band(value(e))] for rules, value, _ in self.dims)
        return round(s / total_w, 9)


def _ceil2(x: float) -> float:
    return math.ceil(round(x * 100, 6)) / 100


def _cut(kind: str, target: str, current: float, after: float) -> Cut:
    after = min(max(after, 0.0), current)
    cut = _ceil2(current - after)
    pct = round(100.0 * cut / current, 2) if current > 0 else 0.0
    return Cut(kind, target, after, cut, pct)


def _not_computable(r: RatingInput, year: int, m: Methodology, reason: str) -> Rating:
    return Rating(
        uscc=r.uscc,
        year=year,
        methodology=m.ref,
        emissions=r.emissions,
        value_added=r.denominators.get("value_added"),
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
    )


def rate_population(inputs: Sequence[RatingInput], year: int, m: Methodology) -> list[Rating]:
    """Rate every enterprise of one year against the others of that year."""
    denominators = {"value_added", *(d.denominator for d in m.dimensions)}
    aggregates = {d: Aggregates(inputs, d) for d in denominators}
    return [rate_one(r, year, m, aggregates) for r in inputs]


def rate_one(r: RatingInput, year: int, m: Methodology, aggregates: Mapping[str, Aggregates]) -> Rating:
    ce = m.carbon_efficiency
    va = r.denominators.get("value_added")
    if va is None or va <= 0:
        reason = (
            "value added is missing or not positive, so intensity is not computable "
            "/ 工业增加值缺失或不大于零，无法计算碳排放强度"
        )
        return _not_computable(r, year, m, reason)
    e = r.emissions
    intensity = e / va
    peer = aggregates["value_added"].peers(r, ce.peer_levels, ce.min_peers)
    assert peer is not None  # r itself is in the population
    ratio = intensity / peer.intensity if peer.intensity > 0 else math.inf
    grade = ce.grade(ratio)
    klass = ce.intensity_class(intensity)

    results: list[DimensionResult] = []
    ctx = _Context(e, [])
    for rules in m.dimensions:
        res, value_fn, solve_fn = _dimension(r, rules, m, aggregates[rules.denominator])
        results.append(res)
        if res.score is not None and value_fn is not None and solve_fn is not None:
            ctx.dims.append((rules, value_fn, solve_fn))
    total_w = sum(rules.weight for rules, _, _ in ctx.dims)
    results = [
        DimensionResult(
            d.key,
            d.denominator,
            d.value,
            d.score,
            (m.dimension(d.key).weight / total_w) if d.score is not None else 0.0,
            d.benchmark,
            d.group,
            d.reason,
        )
        for d in results
    ]
    score = ctx.score(m, e)
    colour = m.colour(score) if score is not None else None

    cuts: list[Cut] = []
    # Better grades: K(E') <= bound, with the enterprise inside its peers' sums.
    for g in range(grade - 1, 0, -1):
        after = _solve_industry(ce.grades.bounds[g - 1], va, peer, e)
        if after is not None:
            cuts.append(_cut("grade", str(g), e, after))
    bounds = {"medium": ce.medium_max, "low": ce.low_max}
    for k in CLASS_ORDER[: CLASS_ORDER.index(klass)][::-1]:
        cuts.append(_cut("class", k, e, bounds[k] * va))
    if colour is not None:
        cuts.extend(_colour_cuts(ctx, m, colour))

    return Rating(
        uscc=r.uscc,
        year=year,
        methodology=m.ref,
        emissions=e,
        value_added=va,
        intensity=intensity,
        intensity_class=klass,
        industry_intensity=peer.intensity,
        ratio=ratio,
        grade=grade,
        peer=peer,
        dimensions=tuple(results),
        score=score,
        colour=colour,
        reason=None,
        cuts=tuple(cuts),
    )


def _dimension(
    r: RatingInput, rules: DimensionRules, m: Methodology, agg: Aggregates
) -> tuple[DimensionResult, Callable[[float], float] | None, Callable[[float], float | None] | None]:
    d = r.denominators.get(rules.denominator) or 0.0
    e = r.emissions
    if d <= 0:
        reason = f"{rules.denominator} missing or not positive / 分母数据缺失"
        return DimensionResult(rules.key, rules.denominator, None, None, 0.0, None, None, reason), None, None

    def scored(value: float, benchmark: float | None, group: Group | None) -> DimensionResult:
        shown = None if math.isinf(value) else value
        return DimensionResult(
            rules.key,
            rules.denominator,
            shown,
            m.scores[rules.bands.band(value)],
            rules.weight,
            benchmark,
            group,
        )

    if rules.key == "industry_advanced":
        g = agg.peers(r, m.carbon_efficiency.peer_levels, m.carbon_efficiency.min_peers)
        assert g is not None
        grp = g
        return (
            scored(_industry_value(e, d, grp, e), grp.intensity, grp),
            lambda x: _industry_value(x, d, grp, e),
            lambda t: _solve_industry(t, d, grp, e),
        )
    if rules.key == "regional_contribution":
        g = agg.group("county", r.region)
        assert g is not None
        grp = g
        return (
            scored(_regional_value(e, d, grp, e), grp.intensity, grp),
            lambda x: _regional_value(x, d, grp, e),
            lambda t: _solve_regional(t, d, grp, e),
        )
    # historical_decline
    pe, pd = r.previous_emissions, (r.previous_denominators or {}).get(rules.denominator) or 0.0
    if pe is None or pd <= 0 or pe <= 0:
        reason = "no previous-year intensity to compare with / 无上一年度可比强度"
        return DimensionResult(rules.key, rules.denominator, None, None, 0.0, None, None, reason), None, None
    prev_l = pe / pd
    return (
        scored(_historical_value(e, d, prev_l), prev_l, None),
        lambda x: _historical_value(x, d, prev_l),
        lambda t: _solve_historical(t, d, prev_l),
    )


def _colour_cuts(ctx: _Context, m: Methodology, colour: str) -> list[Cut]:
    """Largest emissions reaching each better colour; S only rises as emissions fall."""
    rank = m.colour_rank(colour)
    if rank == 0:
        return []
    e = ctx.emissions
    candidates = {0.0}
    for rules, _, solve in ctx.dims:
        for t in rules.bands.bounds:
            x = solve(t)
            if x is not None and 0.0 <= x < e:
                candidates.add(x)
    best: dict[int, float] = {}
    for x in sorted(candidates, reverse=True):
        s = ctx.score(m, x)
        if s is None:
            continue
        for target in range(m.colour_rank(m.colour(s)), rank):
            best.setdefault(target, x)
        if len(best) == rank:
            break
    return [_cut("colour", m.colours[t].id, e, best[t]) for t in range(rank - 1, -1, -1) if t in best]
