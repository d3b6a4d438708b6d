"""Accounting: energy quantities -> emissions (tCO2) and energy (tce).

All parts are linear in the inputs, so one coefficient table per (factor set, year)
serves a single month (``account``) and a whole population at once (``account_matrix``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from carbon.domain.errors import InvalidValue
from carbon.domain.factors import (
    DERIVED_KEYS,
    ELECTRICITY_CONSUMED,
    ELECTRICITY_EMITTING,
    PARTS,
    FactorSet,
    GridFactor,
    MarketFactor,
    Source,
    coefficients,
)
from carbon.domain.quantities import ENERGY_KEYS, FIELD_BY_KEY, Kind

EMISSION_PARTS: tuple[str, ...] = ("fuel", "process", "electricity", "heat")
# The columns of a quantities matrix: every energy field, then the derived electricity.
INPUT_KEYS: tuple[str, ...] = (*ENERGY_KEYS, *DERIVED_KEYS)


@dataclass(frozen=True)
class Account:
    """Emissions and energy of one enterprise over one period (a month or a year).

    Electricity has three figures: ``electricity`` (the rating basis: green power deducted),
    ``electricity_location`` (location-based scope 2: green power not deducted) and
    ``electricity_market`` (market-based: contracts at their factor, green power at zero,
    the rest at the factor set's market factor)."""

    fuel: float
    process: float
    electricity: float
    heat: float
    energy_tce: float
    by_carrier: Mapping[str, float]
    grid: GridFactor
    electricity_location: float = 0.0
    biogenic: float = 0.0  # CO2 of biomass: a memo figure, in no total
    electricity_market: float | None = None
    market: MarketFactor | None = None

    @property
    def total(self) -> float:
        return self.fuel + self.process + self.electricity + self.heat

    @property
    def total_location(self) -> float:
        return self.fuel + self.process + self.electricity_location + self.heat

    @property
    def total_market(self) -> float | None:
        if self.electricity_market is None:
            return None
        return self.fuel + self.process + self.electricity_market + self.heat

    def emissions(self) -> dict[str, float | None]:
        return {
            "total": self.total,
            "fuel": self.fuel,
            "process": self.process,
            "electricity": self.electricity,
            "heat": self.heat,
            "electricity_location": self.electricity_location,
            "electricity_market": self.electricity_market,
            "total_location": self.total_location,
            "total_market": self.total_market,
            "biogenic": self.biogenic,
        }


_ELECTRICITY_KEYS = ("electricity", "electricity_exported", "electricity_green")


def derived_electricity(purchased: float, exported: float, green: float) -> tuple[float, float]:
    """One month's (consumed, emitting) electricity in MWh: ``max(0, P − X)`` and
    ``max(0, P − X − G)``. Exports never make a month's electricity negative (no credit
    for exported power, as the GHG Protocol has it); green power beyond the net purchase
    leaves the emitting part at zero."""
    return max(purchased - exported, 0.0), max(purchased - exported - green, 0.0)


def with_derived(quantities: Mapping[str, float]) -> dict[str, float]:
    """A month's quantities with its derived electricity (kept when already given, as the
    sums of monthly figures over a longer period are)."""
    q = {k: float(v or 0.0) for k, v in quantities.items()}
    if not all(k in q for k in DERIVED_KEYS):
        p, x, g = (q.get(k, 0.0) for k in _ELECTRICITY_KEYS)
        q[ELECTRICITY_CONSUMED], q[ELECTRICITY_EMITTING] = derived_electricity(p, x, g)
    return q


def account(quantities: Mapping[str, float], year: int, fs: FactorSet) -> Account:
    """Account of one set of canonical quantities (missing keys count as zero). Without the
    derived electricity keys the quantities are taken as one month's."""
    q = with_derived(quantities)
    table, grid = coefficients(fs, year)
    _refuse_missing(fs, (k for k, v in q.items() if v and k in FIELD_BY_KEY and k not in table))
    parts = dict.fromkeys(PARTS, 0.0)
    by_carrier: dict[str, float] = {}
    for key, coef in table.items():
        v = q.get(key, 0.0)
        if v == 0.0:
            continue
        for part, c in coef.items():
            parts[part] += v * c
        # The rating basis per carrier: derived electricity is the electricity line.
        emitted = v * sum(c for p, c in coef.items() if p in EMISSION_PARTS)
        carrier = "electricity" if key == ELECTRICITY_EMITTING else key
        if emitted:
            by_carrier[carrier] = by_carrier.get(carrier, 0.0) + emitted
    market = fs.market_factor(year)
    return Account(
        fuel=parts["fuel"],
        process=parts["process"],
        electricity=parts["electricity"],
        heat=parts["heat"],
        energy_tce=parts["energy_tce"],
        by_carrier=by_carrier,
        grid=grid,
        electricity_location=parts["electricity_location"],
        biogenic=parts["biogenic"],
        electricity_market=q[ELECTRICITY_EMITTING] * market.value,
        market=market,
    )


def _refuse_missing(fs: FactorSet, keys: Iterable[str]) -> None:
    for key in keys:
        fs.fuel(key)  # raises FactorMissing naming the carrier and the set


def coefficient_matrix(fs: FactorSet, year: int) -> tuple[npt.NDArray[np.float64], GridFactor, list[int]]:
    """``len(INPUT_KEYS) × len(PARTS)`` matrix (quantities @ matrix = parts), the grid
    factor, and the columns of carriers the factor set has no factor for."""
    table, grid = coefficients(fs, year)
    m = np.zeros((len(INPUT_KEYS), len(PARTS)))
    missing: list[int] = []
    for i, key in enumerate(INPUT_KEYS):
        if key not in table:
            missing.append(i)
            continue
        for part, c in table[key].items():
            m[i, PARTS.index(part)] = c
    return m, grid, missing


def derive_matrix(quantities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Monthly rows with ``ENERGY_KEYS`` columns -> ``INPUT_KEYS`` columns (each row's
    derived electricity floored on its own: pass single months, not sums of them)."""
    if quantities.shape[1] == len(INPUT_KEYS):
        return quantities
    p, x, g = (quantities[:, ENERGY_KEYS.index(k)] for k in _ELECTRICITY_KEYS)
    consumed = np.maximum(p - x, 0.0)
    emitting = np.maximum(p - x - g, 0.0)
    return np.column_stack([quantities, consumed, emitting])


def account_matrix(
    quantities: npt.NDArray[np.float64], years: Sequence[int] | npt.NDArray[np.int64], fs: FactorSet
) -> tuple[npt.NDArray[np.float64], dict[int, GridFactor]]:
    """Parts for many rows at once.

    ``quantities`` has one row per (enterprise, period) and one column per ``INPUT_KEYS``
    (sums over the period, the derived electricity summed from monthly floors), or per
    ``ENERGY_KEYS`` for single months; ``years`` gives each row's data year (the grid
    factor depends on it). Returns an ``n × len(PARTS)`` array and the grid factor used
    for each year. A non-zero figure of a carrier the factor set lacks is refused."""
    quantities = derive_matrix(quantities)
    years_arr = np.asarray(years)
    out = np.zeros((quantities.shape[0], len(PARTS)))
    grids: dict[int, GridFactor] = {}
    for year in np.unique(years_arr):
        m, grid, missing = coefficient_matrix(fs, int(year))
        grids[int(year)] = grid
        mask = years_arr == year
        if missing and np.any(quantities[np.ix_(mask, missing)] != 0):
            used = np.any(quantities[np.ix_(mask, missing)] != 0, axis=0)
            _refuse_missing(fs, [INPUT_KEYS[i] for i, u in zip(missing, used, strict=True) if u])
        out[mask] = quantities[mask] @ m
    return out, grids


def intensity(emissions: float, denominator: float | None) -> float | None:
    """tCO2 per 10^4 CNY; None when the denominator is missing or not positive."""
    if denominator is None or denominator <= 0:
        return None
    return emissions / denominator


# -- market-based scope 2 --------------------------------------------------------------------


@dataclass(frozen=True)
class MarketElectricity:
    """Market-based scope 2 of one period: each share of the electricity consumed
    (purchased − exported), with the factor it carries."""

    green_mwh: float  # certified green power: 0 tCO2/MWh
    supplier_mwh: float  # under a supplier-specific contract
    supplier_factor: float | None  # tCO2/MWh of that contract
    residual_mwh: float  # the rest, at the market factor (or its proxy)
    factor: MarketFactor

    @property
    def supplier_tco2(self) -> float:
        return self.supplier_mwh * (self.supplier_factor or 0.0)

    @property
    def residual_tco2(self) -> float:
        return self.residual_mwh * self.factor.value

    @property
    def tco2(self) -> float:
        return self.supplier_tco2 + self.residual_tco2


def market_electricity(
    purchased: float,
    exported: float,
    green: float,
    factor: MarketFactor,
    *,
    supplier_mwh: float = 0.0,
    supplier_factor: float | None = None,
) -> MarketElectricity:
    """``supplier_mwh × supplier_factor + max(0, purchased − exported − green −
    supplier_mwh) × market factor``, in MWh and tCO2/MWh: the remainder is never below
    zero (certificates and contracts beyond the electricity consumed claim nothing more)."""
    for name, v in (("purchased", purchased), ("exported", exported), ("green", green)):
        if v < 0:
            raise InvalidValue(f"{name} electricity is negative ({v:g} MWh) / 电量不能为负")
    if supplier_mwh < 0:
        raise InvalidValue(f"supplier-covered electricity is negative ({supplier_mwh:g} MWh) / 电量不能为负")
    if supplier_mwh > 0 and (supplier_factor is None or supplier_factor < 0):
        raise InvalidValue(
            "electricity under a supplier contract needs the supplier's emission factor (tCO2/MWh) "
            "/ 供电合同电量需提供供应商排放因子"
        )
    return MarketElectricity(
        green_mwh=green,
        supplier_mwh=supplier_mwh,
        supplier_factor=supplier_factor if supplier_mwh > 0 else None,
        residual_mwh=max(purchased - exported - green - supplier_mwh, 0.0),
        factor=factor,
    )


def market_matrix(
    quantities: npt.NDArray[np.float64],
    years: Sequence[int] | npt.NDArray[np.int64],
    fs: FactorSet,
    supplier_mwh: npt.NDArray[np.float64] | None = None,
    supplier_tco2: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], dict[int, MarketFactor]]:
    """Market-based electricity (tCO2) for many rows at once: ``supplier_tco2 +
    max(emitting − supplier_mwh, 0) × market factor``, where emitting is the period's sum of
    monthly ``max(0, P − X − G)`` and a row's supplier contracts cover ``supplier_mwh`` and
    emit ``supplier_tco2`` (Σ MWh × supplier factor)."""
    quantities = derive_matrix(quantities)
    years_arr = np.asarray(years)
    emitting = quantities[:, INPUT_KEYS.index(ELECTRICITY_EMITTING)]
    n = quantities.shape[0]
    s_mwh = np.zeros(n) if supplier_mwh is None else supplier_mwh
    s_tco2 = np.zeros(n) if supplier_tco2 is None else supplier_tco2
    residual = np.maximum(emitting - s_mwh, 0.0)
    out = s_tco2.copy()
    factors: dict[int, MarketFactor] = {}
    for year in np.unique(years_arr):
        f = fs.market_factor(int(year))
        factors[int(year)] = f
        mask = years_arr == year
        out[mask] += residual[mask] * f.value
    return out, factors


# -- what each carrier contributes (a rating's explanation, what-if per carrier) -------------

PROCESS_SOURCE = Source("entered as tCO2 (工业过程排放) in the enterprise's own figures")


def carrier_factors(fs: FactorSet, year: int) -> dict[str, dict[str, Any]]:
    """Per carrier (input field that emits), its emission factor for ``year`` as JSON: value
    in tCO2 per canonical unit (the coefficient of ``coefficients(fs, year)``), unit, source.
    Biomass carries its biogenic factor with ``biogenic: true`` (in no total)."""
    grid = fs.grid_factor(year)
    out: dict[str, dict[str, Any]] = {
        "electricity": {
            "value": grid.value,
            "unit": "tCO2/MWh",
            "year": grid.source_year,
            "factor_proxy": grid.proxy,
            "source": grid.source.as_dict(),
        }
    }
    for key, f in fs.fuels.items():
        out[key] = {
            "value": f.tco2_per_unit,
            "unit": f"tCO2/{f.unit}",
            "formula": "NCV × CC × OF × 44/12",
            "ncv_gj_per_unit": f.ncv,
            "cc_tc_per_gj": f.cc,
            "oxidation": f.oxidation,
            "tce_per_unit": f.tce,
            "source": f.source.as_dict(),
            "tce_source": f.tce_source.as_dict(),
        }
        if f.biogenic:
            out[key]["biogenic"] = True
    out["heat"] = {
        "value": fs.heat_co2.value,
        "unit": fs.heat_co2.unit,
        "source": fs.heat_co2.source.as_dict(),
    }
    out["process_co2"] = {"value": 1.0, "unit": "tCO2/tCO2", "source": PROCESS_SOURCE.as_dict()}
    return out


# The carriers of an explanation, in field order: electricity stands for its three fields;
# biomass emits no fossil CO2 and is no lever for a rating.
CARRIER_KEYS: tuple[str, ...] = tuple(
    k for k in ENERGY_KEYS if k not in _ELECTRICITY_KEYS[1:] and FIELD_BY_KEY[k].kind is not Kind.BIOMASS
)


def carrier_inputs(quantities: Mapping[str, float], year: int, fs: FactorSet) -> list[dict[str, Any]]:
    """Each carrier the enterprise uses in ``quantities`` (totals in canonical units, or
    one month's), in field order: its total, unit, emission coefficient (``tco2_per_unit``,
    the coefficient of the accounting, so the emissions sum to the account's total) and
    emissions. Electricity's ``quantity`` is the part that emits (Σ monthly max(0,
    purchased − exported − green)), with the three totals beside it. ``with_factors`` adds
    each factor's derivation and source from the (immutable) factor set."""
    q = with_derived(quantities)
    row = np.array([[q.get(k, 0.0) for k in INPUT_KEYS]])
    return expand_carriers(carrier_columns_matrix(row, [year], fs)[0])


def expand_carriers(stored: Any) -> list[dict[str, Any]]:
    """Carriers as a rating's explanation stores them -> one dict per carrier (as
    ``carrier_inputs`` gives). Stored compactly as columns (``keys``, ``quantity``,
    ``tco2_per_unit``, and electricity's purchased/exported/green): one small object per
    rating instead of one per carrier, for tens of thousands of ratings. A list (as stored
    before) is returned as it is."""
    if stored is None:
        return []
    if not isinstance(stored, Mapping):
        return [dict(c) for c in stored]
    out: list[dict[str, Any]] = []
    for key, q, f in zip(stored["keys"], stored["quantity"], stored["tco2_per_unit"], strict=True):
        entry: dict[str, Any] = {"key": key, "quantity": q, "unit": FIELD_BY_KEY[key].unit}
        if key == "electricity":
            entry["purchased"], entry["exported"], entry["green"] = stored["electricity"]
        entry["tco2_per_unit"] = f
        entry["emissions_tco2"] = q * f
        out.append(entry)
    return out


def carrier_columns_matrix(
    quantities: npt.NDArray[np.float64], years: Sequence[int] | npt.NDArray[np.int64], fs: FactorSet
) -> list[dict[str, Any]]:
    """The carriers of many rows at once (``INPUT_KEYS`` columns, as ``account_matrix``
    takes), each row's as the compact columns ``expand_carriers`` reads."""
    quantities = derive_matrix(quantities)
    years_arr = np.asarray(years)
    p, x, g = (quantities[:, INPUT_KEYS.index(k)] for k in _ELECTRICITY_KEYS)
    q = quantities[:, [INPUT_KEYS.index(k) for k in CARRIER_KEYS]]
    el = CARRIER_KEYS.index("electricity")
    q[:, el] = quantities[:, INPUT_KEYS.index(ELECTRICITY_EMITTING)]
    present = q != 0
    present[:, el] = (p != 0) | (x != 0) | (g != 0)
    coef = np.zeros_like(q)
    for year in np.unique(years_arr):
        factors = carrier_factors(fs, int(year))
        # a carrier the set lacks has no factor: account_matrix refuses any figure of it
        coef[years_arr == year] = [float(factors.get(k, {"value": 0.0})["value"]) for k in CARRIER_KEYS]
    pxg = np.stack([p, x, g], axis=1)
    out: list[dict[str, Any]] = [{} for _ in range(len(q))]
    # Rows that use the same carriers (usually a few patterns for many rows, each one
    # coded as an integer's bits) are taken together: their columns are cut out at once.
    codes = present @ (np.int64(1) << np.arange(len(CARRIER_KEYS), dtype=np.int64))  # < 63 carriers
    _, first, which = np.unique(codes, return_index=True, return_inverse=True)
    which = np.asarray(which).reshape(-1)
    for n, i0 in enumerate(first.tolist()):
        pattern = present[i0]
        rows = np.flatnonzero(which == n)
        used = np.flatnonzero(pattern)
        keys = [CARRIER_KEYS[j] for j in used]
        q_used = q[np.ix_(rows, used)].tolist()
        c_used = coef[np.ix_(rows, used)].tolist()
        e_rows = pxg[rows].tolist() if pattern[el] else None
        for k, i in enumerate(rows.tolist()):
            row = out[i]
            row["keys"] = list(keys)
            row["quantity"] = q_used[k]
            row["tco2_per_unit"] = c_used[k]
            if e_rows is not None:
                row["electricity"] = e_rows[k]
    return out


def with_factors(carriers: Sequence[Mapping[str, Any]], fs: FactorSet, year: int) -> list[dict[str, Any]]:
    """Stored carriers (``carrier_inputs``) with each carrier's names and its factor as the
    factor set gives it for ``year``: value, unit, derivation and source."""
    factors = carrier_factors(fs, year)
    return [
        {
            **c,
            "name_zh": FIELD_BY_KEY[str(c["key"])].name_zh,
            "name_en": FIELD_BY_KEY[str(c["key"])].name_en,
            "factor": factors[str(c["key"])],
        }
        for c in carriers
    ]
