"""Rating methodology as data: thresholds, weights, denominators, peer levels."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from carbon.domain import vocabulary
from carbon.domain.errors import InvalidReferenceData
from carbon.domain.factors import only_keys
from carbon.domain.quantities import ECONOMIC_KEYS

# Relative slack when comparing a computed ratio with a threshold, so that a value that
# is on the bound in exact arithmetic is not pushed over it by float rounding.
_EPS = 1e-9

# **Assumption**: a methodology that does not say (``"benchmarks": {"advanced_percentile": p}``)
# takes the 20th percentile of the peers' intensities as their advanced value (the level
# the best fifth reach); quzhou-3d@1 predates the key and is immutable once published.
DEFAULT_ADVANCED_PERCENTILE = 20.0


def at_most(value: float, bound: float) -> bool:
    return value <= bound + _EPS * max(1.0, abs(bound))


def at_least(value: float, bound: float) -> bool:
    return value >= bound - _EPS * max(1.0, abs(bound))


@dataclass(frozen=True)
class Bands:
    """Four cut-offs splitting a value into five bands; a bound belongs to the better band."""

    bounds: tuple[float, ...]
    lower_is_better: bool

    @cached_property
    def _keys(self) -> list[float]:
        # Ascending keys such that band(v) = bisect_left(keys, key(v)), slack included.
        if self.lower_is_better:
            return [b + _EPS * max(1.0, abs(b)) for b in self.bounds]
        return [-(b - _EPS * max(1.0, abs(b))) for b in self.bounds]

    def band(self, value: float) -> int:
        """0 for the best band .. len(bounds) for the worst."""
        return bisect_left(self._keys, value if self.lower_is_better else -value)


@dataclass(frozen=True)
class CarbonEfficiencyRules:
    low_max: float
    medium_max: float
    grades: Bands
    peer_levels: tuple[str, ...]
    min_peers: int

    def intensity_class(self, intensity: float) -> str:
        if at_most(intensity, self.low_max):
            return "low"
        if at_most(intensity, self.medium_max):
            return "medium"
        return "high"

    def grade(self, ratio: float) -> int:
        return self.grades.band(ratio) + 1


@dataclass(frozen=True)
class DimensionRules:
    key: str
    weight: float
    denominator: str
    bands: Bands


@dataclass(frozen=True)
class Colour:
    id: str
    min_score: float | None


# Edge rules (docs/methodology.md §9): each is data in the methodology, with the reason a rating shows
# when it applies. A methodology without one keeps the behaviour before the rule (v1).
ZERO_EMISSIONS = "zero_emissions"  # L = 0: class low, K = 0, grade 1, every dimension 100
NON_POSITIVE_PEERS = "non_positive_peer_intensity"  # skip a peer group with ΣE/ΣD ≤ 0
ZERO_PREVIOUS = "zero_previous_intensity"  # L_prev = 0: historical decline not assessed
EDGE_RULES = (ZERO_EMISSIONS, NON_POSITIVE_PEERS, ZERO_PREVIOUS)
# What a rating's emissions are: all of them, or only those of energy use (fuel +
# electricity + heat: the Huzhou 碳效 method rates "碳排放 from energy use").
EMISSION_BASES = ("total", "energy")


@dataclass(frozen=True)
class EdgeRule:
    key: str
    reason: str  # shown on the rating (and each dimension) it applies to
    source: str = ""
    assumption: bool = False


@dataclass(frozen=True)
class Methodology:
    id: str
    version: int
    title: str
    carbon_efficiency: CarbonEfficiencyRules
    dimensions: tuple[DimensionRules, ...]
    scores: tuple[float, ...]
    colours: tuple[Colour, ...]
    assumptions: tuple[str, ...]
    # The percentile of the peers' intensities that is their "advanced value" (benchmarks).
    advanced_percentile: float = DEFAULT_ADVANCED_PERCENTILE
    # The region 区域贡献度 compares with: the county (6-digit code) or the city.
    region_level: str = "county"
    edge_rules: Mapping[str, EdgeRule] = field(default_factory=dict)
    emission_basis: str = "total"

    def rule(self, key: str) -> EdgeRule | None:
        return self.edge_rules.get(key)

    def region_of(self, code: str) -> str:
        """The region code an enterprise is compared within at this methodology's level."""
        return code[:4] + "00" if self.region_level == "city" else code

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def dimension(self, key: str) -> DimensionRules:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(key)

    def colour(self, score: float) -> str:
        for c in self.colours:
            if c.min_score is None or at_least(score, c.min_score):
                return c.id
        return self.colours[-1].id

    def colour_rank(self, colour: str) -> int:
        return [c.id for c in self.colours].index(colour)


DIMENSION_KEYS = ("industry_advanced", "regional_contribution", "historical_decline")
PEER_LEVELS = vocabulary.PEER_LEVELS


def _num(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidReferenceData(f"{where}: expected a number, got {raw!r}")
    return float(raw)


def _bounds(raw: Any, where: str, lower_is_better: bool) -> Bands:
    if not isinstance(raw, Sequence) or len(raw) != 4:
        raise InvalidReferenceData(f"{where}: expected four cut-offs")
    b = tuple(_num(x, where) for x in raw)
    ordered = (
        all(b[i] < b[i + 1] for i in range(3)) if lower_is_better else all(b[i] > b[i + 1] for i in range(3))
    )
    if not ordered:
        raise InvalidReferenceData(f"{where}: cut-offs must run from the best band to the worst")
    return Bands(b, lower_is_better)


def _advanced_percentile(raw: Any, ref: str) -> float:
    """``benchmarks.advanced_percentile``: optional, strictly between 0 and 100."""
    if raw is None:
        return DEFAULT_ADVANCED_PERCENTILE
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{ref}.benchmarks: expected an object")
    if raw.get("advanced_percentile") is None:
        return DEFAULT_ADVANCED_PERCENTILE
    p = _num(raw["advanced_percentile"], f"{ref}.benchmarks.advanced_percentile")
    if not 0 < p < 100:
        raise InvalidReferenceData(
            f"{ref}.benchmarks.advanced_percentile must be between 0 and 100, got {p:g} "
            "/ 先进值百分位应在0到100之间"
        )
    return p


_TOP_KEYS = (
    "id",
    "version",
    "title",
    "published",
    "assumptions",
    "changes",
    "carbon_efficiency",
    "three_dimensional",
    "benchmarks",
    "edge_rules",
    "emission_basis",
)
_CE_KEYS = ("class_upper_bounds", "grade_upper_bounds", "peer_levels", "min_peers", "source")
_TD_KEYS = ("scores", "dimensions", "colours", "region_level", "source")
_DIMENSION_KEYS = ("weight", "denominator", "direction", "bounds", "assumption", "source")
_SOURCE_KEYS = ("document", "note", "assumption", "published", "verified")
_RULE_KEYS = ("reason", "source", "assumption")


def _strict_shape(doc: Mapping[str, Any], ref: str) -> None:
    """Every key where the parser reads it, and no other (a key in the wrong place, such as
    ``region_level`` inside a dimension, would otherwise be silently ignored)."""
    only_keys(doc, _TOP_KEYS, ref, True)
    sections: list[tuple[Any, tuple[str, ...], str]] = [
        (doc.get("carbon_efficiency"), _CE_KEYS, f"{ref}.carbon_efficiency"),
        (doc.get("three_dimensional"), _TD_KEYS, f"{ref}.three_dimensional"),
        (doc.get("benchmarks") or {}, ("advanced_percentile",), f"{ref}.benchmarks"),
        (doc.get("edge_rules") or {}, EDGE_RULES, f"{ref}.edge_rules"),
    ]
    ce = doc.get("carbon_efficiency") or {}
    td = doc.get("three_dimensional") or {}
    if isinstance(ce, Mapping):
        sections.append((ce.get("class_upper_bounds") or {}, ("low", "medium"), f"{ref}.class_upper_bounds"))
        sections.append((ce.get("source") or {}, _SOURCE_KEYS, f"{ref}.carbon_efficiency.source"))
    if isinstance(td, Mapping):
        sections.append((td.get("dimensions") or {}, DIMENSION_KEYS, f"{ref}.three_dimensional.dimensions"))
        sections.append((td.get("source") or {}, _SOURCE_KEYS, f"{ref}.three_dimensional.source"))
        for key, raw in (td.get("dimensions") or {}).items():
            sections.append((raw, _DIMENSION_KEYS, f"{ref}.dimensions.{key}"))
        for i, c in enumerate(td.get("colours") or ()):
            sections.append((c, ("id", "min_score"), f"{ref}.colours[{i}]"))
    for key, raw in (doc.get("edge_rules") or {}).items():
        sections.append((raw, _RULE_KEYS, f"{ref}.edge_rules.{key}"))
    for raw, allowed, where in sections:
        if not isinstance(raw, Mapping):
            raise InvalidReferenceData(f"{where}: expected an object")
        only_keys(raw, allowed, where, True)


def _edge_rules(raw: Any, ref: str) -> dict[str, EdgeRule]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{ref}.edge_rules: expected an object")
    rules: dict[str, EdgeRule] = {}
    for key, r in raw.items():
        if key not in EDGE_RULES:
            raise InvalidReferenceData(
                f"{ref}.edge_rules: unknown rule {key!r}; one of {', '.join(EDGE_RULES)}"
            )
        if not isinstance(r, Mapping) or not isinstance(r.get("reason"), str) or not r["reason"].strip():
            raise InvalidReferenceData(f"{ref}.edge_rules.{key}: needs a 'reason' text shown on the rating")
        src = r.get("source") or {}
        rules[key] = EdgeRule(
            key,
            r["reason"],
            str(src.get("document", "")) if isinstance(src, Mapping) else str(src),
            bool(r.get("assumption", False)),
        )
    return rules


def parse_methodology(doc: Mapping[str, Any], *, strict: bool = True) -> Methodology:
    """Validate a methodology document (as loaded from JSON). ``strict`` (every publication)
    also refuses any key the parser does not read; documents published before that rule
    (``quzhou-3d@1``) are read with ``strict=False``."""
    mid, version = doc.get("id"), doc.get("version")
    if not isinstance(mid, str) or not isinstance(version, int) or isinstance(version, bool):
        raise InvalidReferenceData("methodology needs a string 'id' and an integer 'version'")
    ref = f"{mid}@{version}"
    ce = doc.get("carbon_efficiency")
    td = doc.get("three_dimensional")
    if not isinstance(ce, Mapping) or not isinstance(td, Mapping):
        raise InvalidReferenceData(f"{ref}: needs 'carbon_efficiency' and 'three_dimensional'")
    if strict:
        _strict_shape(doc, ref)
    basis = doc.get("emission_basis", "total")
    if basis not in EMISSION_BASES:
        raise InvalidReferenceData(f"{ref}.emission_basis must be one of {EMISSION_BASES}")
    classes = ce.get("class_upper_bounds") or {}
    levels = tuple(ce.get("peer_levels", PEER_LEVELS))
    if not levels or levels[-1] != "all" or any(lv not in PEER_LEVELS for lv in levels):
        raise InvalidReferenceData(f"{ref}: peer_levels must be from {PEER_LEVELS} and end in 'all'")
    rules = CarbonEfficiencyRules(
        low_max=_num(classes.get("low"), f"{ref}.class_upper_bounds.low"),
        medium_max=_num(classes.get("medium"), f"{ref}.class_upper_bounds.medium"),
        grades=_bounds(ce.get("grade_upper_bounds"), f"{ref}.grade_upper_bounds", True),
        peer_levels=levels,
        min_peers=int(_num(ce.get("min_peers", 5), f"{ref}.min_peers")),
    )
    dims: list[DimensionRules] = []
    raw_dims = td.get("dimensions") or {}
    for key in DIMENSION_KEYS:
        raw = raw_dims.get(key)
        where = f"{ref}.dimensions.{key}"
        if not isinstance(raw, Mapping):
            raise InvalidReferenceData(f"{where}: missing")
        denominator = raw.get("denominator", "value_added")
        if denominator not in ECONOMIC_KEYS:
            raise InvalidReferenceData(f"{where}: denominator must be one of {ECONOMIC_KEYS}")
        lower = raw.get("direction") == "lower_better"
        dims.append(
            DimensionRules(
                key, _num(raw.get("weight"), where), denominator, _bounds(raw.get("bounds"), where, lower)
            )
        )
    if abs(sum(d.weight for d in dims) - 1.0) > 1e-9:
        raise InvalidReferenceData(f"{ref}: dimension weights must sum to 1")
    scores = tuple(_num(s, f"{ref}.scores") for s in td.get("scores", ()))
    if len(scores) != 5:
        raise InvalidReferenceData(f"{ref}: five scores are needed, best band first")
    colours = tuple(
        Colour(str(c["id"]), None if c.get("min_score") is None else _num(c["min_score"], ref))
        for c in td.get("colours", ())
    )
    if tuple(c.id for c in colours) != vocabulary.COLOURS:
        raise InvalidReferenceData(f"{ref}: colours must be {', '.join(vocabulary.COLOURS)}")
    return Methodology(
        id=mid,
        version=version,
        title=str(doc.get("title", ref)),
        carbon_efficiency=rules,
        dimensions=tuple(dims),
        scores=scores,
        colours=colours,
        assumptions=tuple(str(a) for a in doc.get("assumptions", ())),
        advanced_percentile=_advanced_percentile(doc.get("benchmarks"), ref),
        region_level=_region_level(td.get("region_level", "county"), ref),
        edge_rules=_edge_rules(doc.get("edge_rules"), ref),
        emission_basis=str(basis),
    )


REGION_LEVELS = ("county", "city")


def _region_level(raw: Any, ref: str) -> str:
    if raw not in REGION_LEVELS:
        raise InvalidReferenceData(f"{ref}.three_dimensional.region_level must be one of {REGION_LEVELS}")
    return str(raw)
