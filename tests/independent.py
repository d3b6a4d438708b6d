"""An independent calculation of DESIGN §3-§5 and §9 (v2), the oracle of the end-to-end check.

Written from the DESIGN text alone and importing nothing from ``carbon``: the factor
table of §5 is copied here on purpose, so that a wrong value in the service's data (or a
wrong formula in its code) shows as a disagreement instead of being shared.

Input: template rows (dicts keyed ``uscc``, ``industry_code``, ``region_code``,
``month`` ``YYYY-MM`` and the quantity keys) in TEMPLATE units: electricity in 万千瓦时
(10^4 kWh = 10 MWh), fuels in t or 10^4 Nm3, heat GJ, process tCO2, money 万元. A missing
or ``None`` energy value is zero; a missing economic value is missing.

Scores and weights of the three-dimensional rating are combined in exact rational
arithmetic (``Fraction``): the scores are discrete, so a composite that lands exactly on
a colour bound (80, 60, 40) is common and must fall in the better colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

CO2_PER_C = 44 / 12
GJ_PER_TCE = 29.3076

# DESIGN §5: carrier -> (NCV GJ/unit, CC tC/GJ, OF, tce per unit or None for NCV/29.3076).
FUELS: dict[str, tuple[float, float, float, float | None]] = {
    "raw_coal": (20.908, 0.02610, 0.93, 0.7143),
    "anthracite": (26.700, 0.02740, 0.94, None),
    "bituminous_coal": (19.570, 0.02610, 0.93, None),
    "lignite": (11.900, 0.02800, 0.96, None),
    "cleaned_coal": (26.344, 0.02541, 0.90, 0.9000),  # v2: 6,300 kcal/kg × 4.1816 (v1 26.334)
    "coke": (28.435, 0.02950, 0.93, 0.9714),
    "crude_oil": (41.816, 0.02010, 0.98, 1.4286),
    "fuel_oil": (41.816, 0.02110, 0.98, 1.4286),
    "gasoline": (43.070, 0.01890, 0.98, 1.4714),
    "kerosene": (43.070, 0.01960, 0.98, 1.4714),
    "diesel": (42.652, 0.02020, 0.98, 1.4571),
    "lpg": (50.179, 0.01720, 0.98, 1.7143),
    "petroleum_coke": (32.500, 0.02750, 0.98, None),
    "natural_gas": (389.31, 0.01530, 0.99, 13.300),
    "coke_oven_gas": (179.81, 0.01358, 0.99, None),
    "blast_furnace_gas": (33.00, 0.07080, 0.99, None),
    "converter_gas": (84.00, 0.04960, 0.99, None),
}

# National grid average, tCO2/MWh, by data year (MEE/NBS).
GRID_EF: dict[int, float] = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}
HEAT_EF = 0.11  # tCO2/GJ
ELECTRICITY_TCE = 0.1229  # tce/MWh
HEAT_TCE = 0.03412  # tce/GJ
MWH_PER_TEMPLATE_UNIT = 10.0  # 1 万千瓦时 = 10 MWh

ECONOMIC = ("value_added", "gross_output", "tax")

# 碳效码 and 三维四色 (methodology quzhou-3d v1 defaults).
CLASS_BOUNDS = ((0.6, "low"), (2.0, "medium"))  # L <= bound; else "high"
GRADE_BOUNDS = (0.6, 0.8, 1.2, 2.0)  # K <= bound -> grade 1..4; else 5
SCORES = (100, 80, 60, 40, 20)
INDUSTRY_BOUNDS = (0.6, 0.8, 1.2, 2.0)  # K <= bound
REGIONAL_BOUNDS = (1.5, 1.2, 0.8, 0.5)  # C >= bound
HISTORICAL_BOUNDS = (0.10, 0.05, 0.0, -0.05)  # r >= bound
WEIGHTS = {
    "industry_advanced": Fraction(4, 10),
    "regional_contribution": Fraction(3, 10),
    "historical_decline": Fraction(3, 10),
}
COLOURS = ((80, "dark_green"), (60, "light_green"), (40, "yellow"))  # S >= bound; else "red"
MIN_PEERS = 5

# GB/T 4754-2017 门类 by 大类 range.
SECTIONS = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52),
    ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72),
    ("M", 73, 75), ("N", 76, 79), ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90),
    ("S", 91, 96), ("T", 97, 97),
)  # fmt: skip


def section_of(division: str) -> str:
    n = int(division)
    for letter, lo, hi in SECTIONS:
        if lo <= n <= hi:
            return letter
    raise ValueError(f"no section for division {division}")


def grid_factor(year: int) -> float:
    """The year's factor, or the latest earlier published one."""
    return GRID_EF[max(y for y in GRID_EF if y <= year)]


def fuel_tco2_per_unit(key: str) -> float:
    ncv, cc, of, _ = FUELS[key]
    return ncv * cc * of * CO2_PER_C


def fuel_tce_per_unit(key: str) -> float:
    ncv, _, _, tce = FUELS[key]
    return ncv / GJ_PER_TCE if tce is None else tce


def _num(row: Mapping[str, Any], key: str) -> float:
    v = row.get(key)
    return 0.0 if v is None or v == "" else float(v)


@dataclass
class YearAccount:
    uscc: str
    year: int
    industry_code: str
    region_code: str
    fuel: float = 0.0
    process: float = 0.0
    electricity: float = 0.0
    heat: float = 0.0
    tce: float = 0.0
    value_added: float | None = None
    gross_output: float | None = None
    tax: float | None = None

    @property
    def total(self) -> float:
        return self.fuel + self.process + self.electricity + self.heat

    @property
    def intensity(self) -> float | None:
        if self.value_added is None or self.value_added <= 0:
            return None
        return self.total / self.value_added


def annual_accounts(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], YearAccount]:
    """Emissions (tCO2) and energy (tce) per enterprise and calendar year."""
    out: dict[tuple[str, int], YearAccount] = {}
    for row in rows:
        uscc = str(row["uscc"])
        year = int(str(row["month"])[:4])
        acc = out.get((uscc, year))
        if acc is None:
            acc = out[(uscc, year)] = YearAccount(
                uscc, year, str(row["industry_code"]), str(row["region_code"])
            )
        for key in FUELS:
            q = _num(row, key)
            acc.fuel += q * fuel_tco2_per_unit(key)
            acc.tce += q * fuel_tce_per_unit(key)
        purchased = _num(row, "electricity") * MWH_PER_TEMPLATE_UNIT
        exported = _num(row, "electricity_exported") * MWH_PER_TEMPLATE_UNIT
        green = _num(row, "electricity_green") * MWH_PER_TEMPLATE_UNIT
        # v2: each month floors at zero (no credit for exports)
        acc.electricity += max(0.0, purchased - exported - green) * grid_factor(year)
        acc.tce += max(0.0, purchased - exported) * ELECTRICITY_TCE
        heat = _num(row, "heat")
        acc.heat += heat * HEAT_EF
        acc.tce += heat * HEAT_TCE
        acc.process += _num(row, "process_co2")
        for key in ECONOMIC:
            v = row.get(key)
            if v is not None and v != "":
                setattr(acc, key, (getattr(acc, key) or 0.0) + float(v))
    return out


@dataclass
class Rating:
    uscc: str
    year: int
    intensity: float | None
    intensity_class: str | None
    industry_intensity: float | None
    ratio: float | None
    grade: int | None
    peer_level: str | None
    peer_count: int | None
    industry_advanced: float | None
    regional_contribution: float | None
    historical_decline: float | None
    scores: dict[str, int]
    score: Fraction | None
    colour: str | None


def _band_at_most(value: float, bounds: tuple[float, ...]) -> int:
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds)


def _band_at_least(value: float, bounds: tuple[float, ...]) -> int:
    for i, b in enumerate(bounds):
        if value >= b:
            return i
    return len(bounds)


def intensity_class(intensity: float) -> str:
    for bound, name in CLASS_BOUNDS:
        if intensity <= bound:
            return name
    return "high"


def colour_of(score: Fraction) -> str:
    for bound, name in COLOURS:
        if score >= bound:
            return name
    return "red"


def rate(accounts: Mapping[tuple[str, int], YearAccount], year: int) -> dict[str, Rating]:
    """Both ratings of every enterprise with data in ``year``."""
    current = {u: a for (u, y), a in accounts.items() if y == year}
    rated = {u: a for u, a in current.items() if a.intensity is not None}

    def sums(members: Iterable[YearAccount]) -> tuple[int, float, float]:
        ms = list(members)
        return len(ms), sum(a.total for a in ms), sum(a.value_added or 0.0 for a in ms)

    out: dict[str, Rating] = {}
    for uscc, a in current.items():
        L = a.intensity
        if L is None:
            out[uscc] = Rating(
                uscc, year, None, None, None, None, None, None, None, None, None, None, {}, None, None
            )
            continue
        division = a.industry_code[:2]
        section = section_of(division)
        groups = (
            ("division", [b for b in rated.values() if b.industry_code[:2] == division]),
            ("section", [b for b in rated.values() if section_of(b.industry_code[:2]) == section]),
            ("all", list(rated.values())),
        )
        for level, members in groups:
            if len(members) >= MIN_PEERS or level == "all":
                break
        count, e_sum, va_sum = sums(members)
        l_industry = e_sum / va_sum
        k = L / l_industry
        grade = _band_at_most(k, GRADE_BOUNDS) + 1

        scores: dict[str, int] = {"industry_advanced": SCORES[_band_at_most(k, INDUSTRY_BOUNDS)]}
        _, e_cty, va_cty = sums(b for b in rated.values() if b.region_code == a.region_code)
        c = (e_cty / va_cty) / L if L > 0 else float("inf")
        scores["regional_contribution"] = SCORES[_band_at_least(c, REGIONAL_BOUNDS)]
        prev = accounts.get((uscc, year - 1))
        r: float | None = None
        if prev is not None and prev.intensity is not None and prev.intensity > 0:
            r = (prev.intensity - L) / prev.intensity
            scores["historical_decline"] = SCORES[_band_at_least(r, HISTORICAL_BOUNDS)]
        weight = sum(WEIGHTS[d] for d in scores)
        s = sum(WEIGHTS[d] * v for d, v in scores.items()) / weight
        out[uscc] = Rating(
            uscc, year, L, intensity_class(L), l_industry, k, grade, level, count,
            k, c, r, scores, s, colour_of(s),
        )  # fmt: skip
    return out
