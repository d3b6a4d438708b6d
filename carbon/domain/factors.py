"""Emission and energy factor sets: parsed from data, never written in code.

A factor set is identified by ``id@version``; a published version is immutable. The
accounting needs, per data year, one coefficient per input field and result part; that
table is built here once per (factor set, year) and then applied to any number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import FactorMissing, InvalidReferenceData
from carbon.domain.quantities import FIELD_BY_KEY, FUEL_KEYS, Kind

CO2_PER_C = 44.0 / 12.0
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Plausible ranges, to catch a factor typed in the wrong unit (kgCO2/kWh is the same number
# as tCO2/MWh; gCO2/kWh is 1000 times larger).
GRID_FACTOR_RANGE = (0.0, 2.0)  # tCO2/MWh


@dataclass(frozen=True)
class Source:
    document: str
    note: str = ""
    assumption: bool = False
    published: str | None = None  # the source's publication date, YYYY-MM-DD

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"document": self.document}
        if self.note:
            d["note"] = self.note
        if self.assumption:
            d["assumption"] = True
        if self.published:
            d["published"] = self.published
        return d


@dataclass(frozen=True)
class FuelFactor:
    """Combustion parameters of one fuel: ``E = AD × NCV × CC × OF × 44/12``."""

    key: str
    unit: str
    ncv: float  # GJ per unit
    cc: float  # tC per GJ
    oxidation: float
    tce: float  # tce per unit
    source: Source
    tce_source: Source

    @property
    def tco2_per_unit(self) -> float:
        return self.ncv * self.cc * self.oxidation * CO2_PER_C


@dataclass(frozen=True)
class ScalarFactor:
    value: float
    unit: str
    source: Source


@dataclass(frozen=True)
class GridFactor:
    """The grid factor used for a data year, and whether it is a proxy from an earlier year."""

    year: int
    value: float
    source_year: int
    source: Source

    @property
    def proxy(self) -> bool:
        return self.source_year != self.year


# Market-based scope 2: what the factor for electricity covered by no certificate or contract is.
RESIDUAL_MIX = "residual_mix"
GRID_AVERAGE_PROXY = "grid_average_proxy"
NO_RESIDUAL_MIX_NOTE = (
    "China publishes no official residual mix (no national attribute-tracking body removes the "
    "green certificates and contracts sold from the grid average); as the GHG Protocol Scope 2 "
    "Guidance allows where no residual mix exists, the location-based grid average of the same "
    "year stands in for it, which understates the residual mix by the claimed green share "
    "/ 我国未发布官方剩余组合因子，以同年全国电网平均排放因子代替"
)


@dataclass(frozen=True)
class MarketFactor:
    """The factor for market-based scope 2 of a data year: the factor set's residual mix, or,
    when the set has none, its grid average as a proxy (``basis`` says which)."""

    year: int
    value: float
    source_year: int
    basis: str  # RESIDUAL_MIX | GRID_AVERAGE_PROXY
    source: Source

    @property
    def proxy(self) -> bool:
        """A factor of an earlier year (the basis says whether it is a grid-average proxy)."""
        return self.source_year != self.year

    def as_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "value": self.value,
            "unit": "tCO2/MWh",
            "year": self.source_year,
            "factor_proxy": self.proxy,
            "source": self.source.as_dict(),
        }


@dataclass(frozen=True)
class FactorSet:
    id: str
    version: int
    title: str
    fuels: Mapping[str, FuelFactor]
    grid: Mapping[int, ScalarFactor]
    heat_co2: ScalarFactor
    electricity_tce: ScalarFactor
    heat_tce: ScalarFactor
    extra: Mapping[str, ScalarFactor] = field(default_factory=dict)
    # optional ``market.residual_mix``: year -> tCO2/MWh for electricity no instrument covers
    residual_mix: Mapping[int, ScalarFactor] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def market_factor(self, year: int) -> MarketFactor:
        """The residual mix of ``year`` (or the latest earlier one, flagged as proxy); with no
        residual mix for that year or before, the grid factor of ``year`` as a stated proxy."""
        earlier = [y for y in self.residual_mix if y <= year]
        if earlier:
            y = max(earlier)
            f = self.residual_mix[y]
            return MarketFactor(year, f.value, y, RESIDUAL_MIX, f.source)
        grid = self.grid_factor(year)
        note = NO_RESIDUAL_MIX_NOTE + (f" [{grid.source.note}]" if grid.source.note else "")
        source = Source(grid.source.document, note, True, grid.source.published)
        return MarketFactor(year, grid.value, grid.source_year, GRID_AVERAGE_PROXY, source)

    def grid_factor(self, year: int) -> GridFactor:
        """The factor for ``year``, or the latest earlier one flagged as proxy."""
        if year in self.grid:
            f = self.grid[year]
            return GridFactor(year, f.value, year, f.source)
        earlier = [y for y in self.grid if y < year]
        if not earlier:
            raise FactorMissing(
                f"factor set {self.ref} has no grid emission factor for {year} or any earlier year "
                f"/ 因子集{self.ref}缺少{year}年及以前的电网排放因子"
            )
        y = max(earlier)
        f = self.grid[y]
        return GridFactor(year, f.value, y, f.source)


def _source(raw: Any, where: str) -> Source:
    if isinstance(raw, str):
        return Source(raw)
    if isinstance(raw, Mapping) and isinstance(raw.get("document"), str):
        published = raw.get("published")
        if published is not None and not (isinstance(published, str) and _DATE.fullmatch(published)):
            raise InvalidReferenceData(f"{where}: source 'published' must be a date YYYY-MM-DD")
        return Source(
            str(raw["document"]), str(raw.get("note", "")), bool(raw.get("assumption", False)), published
        )
    raise InvalidReferenceData(f"{where}: every factor needs a source document")


def _number(raw: Any, where: str, low: float = 0.0, high: float = float("inf")) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidReferenceData(f"{where}: expected a number, got {raw!r}")
    value = float(raw)
    if not low < value < high:
        raise InvalidReferenceData(f"{where}: {value} is outside ({low}, {high})")
    return value


def _scalar(
    raw: Any, where: str, unit: str, bounds: tuple[float, float] = (0.0, float("inf"))
) -> ScalarFactor:
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{where}: expected an object with value, unit and source")
    if raw.get("unit") != unit:
        raise InvalidReferenceData(f"{where}: unit must be {unit!r}, got {raw.get('unit')!r}")
    value = _number(raw.get("value"), where, *bounds)
    return ScalarFactor(value, unit, _source(raw.get("source"), where))


def parse_factor_set(doc: Mapping[str, Any]) -> FactorSet:
    """Validate a factor-set document (as loaded from JSON) into a ``FactorSet``."""
    fs_id = doc.get("id")
    version = doc.get("version")
    if not isinstance(fs_id, str) or not isinstance(version, int) or isinstance(version, bool):
        raise InvalidReferenceData("factor set needs a string 'id' and an integer 'version'")
    ref = f"{fs_id}@{version}"
    tce_per_gj = _number(doc.get("tce_per_gj_ncv", 1 / 29.3076), f"{ref}.tce_per_gj_ncv")
    fuels: dict[str, FuelFactor] = {}
    raw_fuels = doc.get("fuels")
    if not isinstance(raw_fuels, Mapping):
        raise InvalidReferenceData(f"{ref}: 'fuels' must be an object")
    for key, raw in raw_fuels.items():
        where = f"{ref}.fuels.{key}"
        if key not in FUEL_KEYS:
            raise InvalidReferenceData(f"{where}: unknown fuel")
        if not isinstance(raw, Mapping):
            raise InvalidReferenceData(f"{where}: expected an object")
        expected_unit = FIELD_BY_KEY[key].unit
        if raw.get("unit") != expected_unit:
            raise InvalidReferenceData(f"{where}: unit must be {expected_unit!r}")
        ncv = _number(raw.get("ncv"), f"{where}.ncv", 0.0, 1000.0)
        src = _source(raw.get("source"), where)
        if raw.get("tce") is None:
            tce, tce_src = ncv * tce_per_gj, Source("NCV ÷ 29.3076 GJ/tce (GB/T 2589-2020)")
        else:
            tce = _number(raw.get("tce"), f"{where}.tce", 0.0, 100.0)
            tce_src = _source(raw.get("tce_source", "GB/T 2589-2020 附录 A"), where)
        fuels[key] = FuelFactor(
            key=key,
            unit=expected_unit,
            ncv=ncv,
            cc=_number(raw.get("cc"), f"{where}.cc", 0.0, 0.2),
            oxidation=_number(raw.get("oxidation"), f"{where}.oxidation", 0.0, 1.0000001),
            tce=tce,
            source=src,
            tce_source=tce_src,
        )
    missing = [k for k in FUEL_KEYS if k not in fuels]
    if missing:
        raise InvalidReferenceData(f"{ref}: no factors for fuel(s) {', '.join(missing)}")
    raw_grid = doc.get("grid")
    if not isinstance(raw_grid, Mapping) or not raw_grid:
        raise InvalidReferenceData(f"{ref}: 'grid' must map years to factors")
    grid: dict[int, ScalarFactor] = {}
    for year, raw in raw_grid.items():
        if not str(year).isdigit():
            raise InvalidReferenceData(f"{ref}.grid: {year!r} is not a year")
        grid[int(year)] = _scalar(raw, f"{ref}.grid.{year}", "tCO2/MWh", GRID_FACTOR_RANGE)
    extra = {
        str(k): _scalar(v, f"{ref}.process.{k}", str(v.get("unit", "")) if isinstance(v, Mapping) else "")
        for k, v in (doc.get("process") or {}).items()
    }
    return FactorSet(
        id=fs_id,
        version=version,
        title=str(doc.get("title", ref)),
        fuels=fuels,
        grid=grid,
        heat_co2=_scalar(doc.get("heat_co2"), f"{ref}.heat_co2", "tCO2/GJ"),
        electricity_tce=_scalar(doc.get("electricity_tce"), f"{ref}.electricity_tce", "tce/MWh"),
        heat_tce=_scalar(doc.get("heat_tce"), f"{ref}.heat_tce", "tce/GJ"),
        extra=extra,
        residual_mix=_residual_mix(doc.get("market"), ref),
    )


def _residual_mix(raw: Any, ref: str) -> dict[int, ScalarFactor]:
    """The optional ``market`` section: ``{"residual_mix": {"2023": {value, unit, source}}}``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("residual_mix"), Mapping):
        raise InvalidReferenceData(f"{ref}.market: expected an object with 'residual_mix' mapping years")
    years = raw["residual_mix"]
    if not years:
        raise InvalidReferenceData(f"{ref}.market.residual_mix: give a year, or leave 'market' out")
    mix: dict[int, ScalarFactor] = {}
    for year, factor in years.items():
        if not str(year).isdigit():
            raise InvalidReferenceData(f"{ref}.market.residual_mix: {year!r} is not a year")
        where = f"{ref}.market.residual_mix.{year}"
        mix[int(year)] = _scalar(factor, where, "tCO2/MWh", GRID_FACTOR_RANGE)
    return mix


# Parts of an account; every input field contributes linearly to each.
PARTS: tuple[str, ...] = ("fuel", "process", "electricity", "heat", "energy_tce")


def coefficients(fs: FactorSet, year: int) -> tuple[dict[str, dict[str, float]], GridFactor]:
    """Per input field, its coefficient on each part (tCO2 or tce per canonical unit).

    Electricity: ``(purchased − exported − green) × EF_grid`` for emissions, and
    ``(purchased − exported) × 0.1229`` for energy (green power is consumed energy).
    """
    grid = fs.grid_factor(year)
    table: dict[str, dict[str, float]] = {}
    for key, f in fs.fuels.items():
        table[key] = {"fuel": f.tco2_per_unit, "energy_tce": f.tce}
    ef, etce = grid.value, fs.electricity_tce.value
    table["electricity"] = {"electricity": ef, "energy_tce": etce}
    table["electricity_exported"] = {"electricity": -ef, "energy_tce": -etce}
    table["electricity_green"] = {"electricity": -ef}
    table["heat"] = {"heat": fs.heat_co2.value, "energy_tce": fs.heat_tce.value}
    table["process_co2"] = {"process": 1.0}
    for key, fld in FIELD_BY_KEY.items():
        if fld.kind is not Kind.ECONOMIC:
            table.setdefault(key, {})
    return table, grid
