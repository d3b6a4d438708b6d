"""What an enterprise must cut to reach each better grade, class and colour.

Derived from a rating's explanation alone (its peer groups with their sums and the
previous year's intensity), with the methodology that made it. The enterprise stays
inside its peer and county sums, so cutting also lowers the averages it is compared
with; each cut is also given as the amount of one carrier alone that makes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from carbon.domain.accounting import expand_carriers
from carbon.domain.methodology import DimensionRules, Methodology
from carbon.domain.quantities import FIELD_BY_KEY, unit_factor
from carbon.domain.rating import CLASS_ORDER, Group, historical_value, industry_value, regional_value


@dataclass(frozen=True)
class CarrierCut:
    """The same cut taken from one carrier alone: ``amount`` of it (canonical unit) at
    ``tco2_per_unit``; ``enough`` is False when its whole annual use is less than that."""

    key: str
    amount: float
    unit: str
    available: float  # the annual use that emits (electricity: purchased − exported − green)
    tco2_per_unit: float

    @property
    def enough(self) -> bool:
        return self.amount <= self.available * (1 + 1e-9)

    def as_dict(self) -> dict[str, Any]:
        fld = FIELD_BY_KEY[self.key]
        per_template = 1.0 / unit_factor(fld.template_unit_zh, fld.dimension)
        text = (
            f"{fld.name_zh} {_shown(self.amount)} {self.unit} "
            f"({_shown(self.amount * per_template)} {fld.template_unit_zh})"
        )
        if not self.enough:
            use = _shown(self.available, up=False)
            text += f": more than its whole annual use, {use} {self.unit} / 超过全年用量"
        return {
            "key": self.key,
            "name_zh": fld.name_zh,
            "name_en": fld.name_en,
            "amount": self.amount,
            "unit": self.unit,
            "amount_template": self.amount * per_template,
            "template_unit": fld.template_unit_zh,
            "template_unit_en": fld.template_unit_en,
            "annual_use": self.available,
            "share_pct": round(100.0 * self.amount / self.available, 2),
            "tco2_per_unit": self.tco2_per_unit,
            "enough": self.enough,
            "text": text,
        }


def _shown(x: float, up: bool = True) -> str:
    """``x`` to at least four significant digits (at most four decimals); rounded ``up`` so
    that a displayed amount to cut is never short of the amount needed."""
    if x <= 0:
        return f"{x:,.0f}"
    decimals = max(0, min(4, 3 - math.floor(math.log10(x))))
    scale = 10**decimals
    shown = math.ceil(round(x * scale, 6)) / scale if up else x
    return f"{shown:,.{decimals}f}"


@dataclass(frozen=True)
class Cut:
    """What reaching ``target`` takes: annual emissions at most ``emissions_after``; and
    what that cut is in each carrier the enterprise uses, taken from that carrier alone."""

    kind: str  # "grade" | "class" | "colour"
    target: str
    emissions_after: float
    cut_tco2: float
    cut_pct: float
    carriers: tuple[CarrierCut, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "max_emissions_tco2": round(self.emissions_after, 2),
            "cut_tco2": self.cut_tco2,
            "cut_pct": self.cut_pct,
            "carriers": [c.as_dict() for c in self.carriers],
        }


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


def _ceil2(x: float) -> float:
    return math.ceil(round(x * 100, 6)) / 100


def _cut(kind: str, target: str, current: float, after: float) -> Cut:
    after = min(max(after, 0.0), current)
    cut = _ceil2(current - after)
    pct = round(100.0 * cut / current, 2) if current > 0 else 0.0
    return Cut(kind, target, after, cut, pct)


# -- what the enterprise must cut ----------------------------------------------------------

ValueFn = Callable[[float], float]
SolveFn = Callable[[float], float | None]


def _group(raw: Mapping[str, Any] | None) -> Group | None:
    if not raw:
        return None
    return Group(
        str(raw["level"]),
        str(raw["key"]),
        int(raw["count"]),
        float(raw["emissions_tco2"]),
        float(raw["denominator_sum"]),
    )


def _dimension_functions(
    key: str, own_e: float, own_d: float, raw: Mapping[str, Any]
) -> tuple[ValueFn, SolveFn] | None:
    g = _group(raw.get("peers"))
    if key == "industry_advanced" and g is not None:
        return (lambda x: industry_value(x, own_d, g, own_e)), (lambda t: _solve_industry(t, own_d, g, own_e))
    if key == "regional_contribution" and g is not None:
        return (lambda x: regional_value(x, own_d, g, own_e)), (lambda t: _solve_regional(t, own_d, g, own_e))
    prev = raw.get("benchmark")
    if key == "historical_decline" and prev:
        p = float(prev)
        return (lambda x: historical_value(x, own_d, p)), (lambda t: _solve_historical(t, own_d, p))
    return None


def what_if(explanation: Mapping[str, Any], m: Methodology) -> list[Cut]:
    """From a rating's explanation: the annual emissions at most, and the cut (tCO2 and %),
    for each better grade, class and colour. The enterprise stays inside its peer and
    county sums, so cutting also lowers the averages it is compared with.

    With the explanation's ``carriers``, each cut also says how much of each carrier the
    enterprise uses would have to go, that carrier alone, to make it: ``cut_tco2 /
    tCO2 per unit`` (the accounting is linear), and whether its annual use is enough."""
    cuts = _cuts(explanation, m)
    levers = [
        (str(c["key"]), float(c["quantity"]), str(c["unit"]), float(c["tco2_per_unit"]))
        for c in expand_carriers(explanation.get("carriers"))
        if float(c["quantity"]) > 0 and float(c["tco2_per_unit"]) > 0
    ]
    if not levers:
        return cuts
    return [
        replace(cut, carriers=tuple(CarrierCut(k, cut.cut_tco2 / f, u, q, f) for k, q, u, f in levers))
        for cut in cuts
    ]


def thresholds(m: Methodology) -> dict[str, Any]:
    """Every threshold, weight and score of a methodology, as a rating's explanation names them."""
    ce = m.carbon_efficiency
    return {
        "class_upper_bounds": {"low": ce.low_max, "medium": ce.medium_max},
        "grade_upper_bounds": list(ce.grades.bounds),
        "peer_levels": list(ce.peer_levels),
        "min_peers": ce.min_peers,
        "dimensions": {
            d.key: {
                "weight": d.weight,
                "denominator": d.denominator,
                "bounds": list(d.bands.bounds),
                "direction": "lower_better" if d.bands.lower_is_better else "higher_better",
            }
            for d in m.dimensions
        },
        "scores": list(m.scores),
        "colours": [{"id": c.id, "min_score": c.min_score} for c in m.colours],
        "region_level": m.region_level,
        "advanced_percentile": m.advanced_percentile,
        "bound_belongs_to_better_band": True,
    }


def _cuts(explanation: Mapping[str, Any], m: Methodology) -> list[Cut]:
    if explanation.get("reason"):
        return []
    ce = m.carbon_efficiency
    e = float(explanation["emissions_tco2"])
    denominators = explanation.get("denominators") or {}
    va = float(denominators.get("value_added") or 0.0)
    peer = _group(explanation.get("carbon_efficiency_peers"))
    if va <= 0 or peer is None:
        return []
    cuts: list[Cut] = []
    grade = ce.grade(industry_value(e, va, peer, e))
    for g in range(grade - 1, 0, -1):
        after = _solve_industry(ce.grades.bounds[g - 1], va, peer, e)
        if after is not None:
            cuts.append(_cut("grade", str(g), e, after))
    klass = ce.intensity_class(e / va)
    bounds = {"medium": ce.medium_max, "low": ce.low_max}
    for k in CLASS_ORDER[: CLASS_ORDER.index(klass)][::-1]:
        cuts.append(_cut("class", k, e, bounds[k] * va))

    dims: list[tuple[DimensionRules, ValueFn, SolveFn]] = []
    raw_dims = explanation.get("dimensions") or {}
    for rules in m.dimensions:
        raw = raw_dims.get(rules.key) or {}
        own_d = float(denominators.get(rules.denominator) or 0.0)
        if raw.get("score") is None or own_d <= 0:
            continue
        fns = _dimension_functions(rules.key, e, own_d, raw)
        if fns is not None:
            dims.append((rules, *fns))
    total_w = sum(rules.weight for rules, _, _ in dims)
    if not dims or total_w <= 0:
        return cuts

    def score(x: float) -> float:
        return round(
            sum(rules.weight * m.scores[rules.bands.band(v(x))] for rules, v, _ in dims) / total_w, 9
        )

    rank = m.colour_rank(m.colour(score(e)))
    candidates = {0.0}
    for rules, _, solve in dims:
        for t in rules.bands.bounds:
            x = solve(t)
            if x is not None and 0.0 <= x < e:
                candidates.add(x)
    best: dict[int, float] = {}
    for x in sorted(candidates, reverse=True):  # S only rises as emissions fall
        for target in range(m.colour_rank(m.colour(score(x))), rank):
            best.setdefault(target, x)
        if len(best) == rank:
            break
    cuts.extend(_cut("colour", m.colours[t].id, e, best[t]) for t in range(rank - 1, -1, -1) if t in best)
    return cuts
