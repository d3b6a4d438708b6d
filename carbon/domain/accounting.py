"""Accounting: energy quantities -> emissions (tCO2) and energy (tce).

All parts are linear in the inputs, so one coefficient table per (factor set, year)
serves a single month (``account``) and a whole population at once (``account_matrix``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from carbon.domain.factors import PARTS, FactorSet, GridFactor, coefficients
from carbon.domain.quantities import ENERGY_KEYS

EMISSION_PARTS: tuple[str, ...] = ("fuel", "process", "electricity", "heat")


@dataclass(frozen=True)
class Account:
    """Emissions and energy of one enterprise over one period (a month or a year)."""

    fuel: float
    process: float
    electricity: float
    heat: float
    energy_tce: float
    by_carrier: Mapping[str, float]
    grid: GridFactor

    @property
    def total(self) -> float:
        return self.fuel + self.process + self.electricity + self.heat

    def emissions(self) -> dict[str, float]:
        return {
            "total": self.total,
            "fuel": self.fuel,
            "process": self.process,
            "electricity": self.electricity,
            "heat": self.heat,
        }


def account(quantities: Mapping[str, float], year: int, fs: FactorSet) -> Account:
    """Account of one set of canonical quantities (missing keys count as zero)."""
    table, grid = coefficients(fs, year)
    parts = dict.fromkeys(PARTS, 0.0)
    by_carrier: dict[str, float] = {}
    for key, coef in table.items():
        q = float(quantities.get(key, 0.0) or 0.0)
        if q == 0.0:
            continue
        for part, c in coef.items():
            parts[part] += q * c
        emitted = sum(c for p, c in coef.items() if p != "energy_tce") * q
        # Exported and green power reduce the electricity line, not a carrier of their own.
        carrier = "electricity" if key.startswith("electricity") else key
        if emitted:
            by_carrier[carrier] = by_carrier.get(carrier, 0.0) + emitted
    return Account(
        fuel=parts["fuel"],
        process=parts["process"],
        electricity=parts["electricity"],
        heat=parts["heat"],
        energy_tce=parts["energy_tce"],
        by_carrier=by_carrier,
        grid=grid,
    )


def coefficient_matrix(fs: FactorSet, year: int) -> tuple[npt.NDArray[np.float64], GridFactor]:
    """``len(ENERGY_KEYS) × len(PARTS)`` matrix: quantities @ matrix = parts."""
    table, grid = coefficients(fs, year)
    m = np.zeros((len(ENERGY_KEYS), len(PARTS)))
    for i, key in enumerate(ENERGY_KEYS):
        for part, c in table[key].items():
            m[i, PARTS.index(part)] = c
    return m, grid


def account_matrix(
    quantities: npt.NDArray[np.float64], years: Sequence[int] | npt.NDArray[np.int64], fs: FactorSet
) -> tuple[npt.NDArray[np.float64], dict[int, GridFactor]]:
    """Parts for many rows at once.

    ``quantities`` has one row per (enterprise, period) and one column per ``ENERGY_KEYS``;
    ``years`` gives each row's data year (the grid factor depends on it). Returns an
    ``n × len(PARTS)`` array and the grid factor used for each year.
    """
    years_arr = np.asarray(years)
    out = np.zeros((quantities.shape[0], len(PARTS)))
    grids: dict[int, GridFactor] = {}
    for year in np.unique(years_arr):
        m, grid = coefficient_matrix(fs, int(year))
        grids[int(year)] = grid
        mask = years_arr == year
        out[mask] = quantities[mask] @ m
    return out, grids


def intensity(emissions: float, denominator: float | None) -> float | None:
    """tCO2 per 10^4 CNY; None when the denominator is missing or not positive."""
    if denominator is None or denominator <= 0:
        return None
    return emissions / denominator
