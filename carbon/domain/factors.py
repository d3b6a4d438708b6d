"""Emission and energy factor sets: parsed from data, never written in code.

A factor set is identified by ``id@version``; a published version is immutable. The
accounting needs, per data year, one coefficient per input field and result part; that
table is built here once per (factor set, year) and then applied to any number of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import FactorMissing, InvalidReferenceData
from carbon.domain.quantities import FIELD_BY_KEY, FUEL_KEYS, Kind

CO2_PER_C = 44.0 / 12.0


@dataclass(frozen=True)
class Source:
    document: str
    note: str = ""
    assumption: bool = False

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"document": self.document}
        if self.note:
            d["note"] = self.note
        if self.assumption:
            d["assumption"] = True
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

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

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
        return Source(str(raw["document"]), str(raw.get("note", "")), bool(raw.get("assumption", False)))
    raise InvalidReferenceData(f"{where}: every factor needs a source document")


def _number(raw: Any, where: str, low: float = 0.0, high: float = float("inf")) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidReferenceData(f"{where}: expected a number, got {raw!r}")
    value = float(raw)
    if not low < value < high:
        raise InvalidReferenceData(f"{where}: {value} is outside ({low}, {high})")
    return value


def _scalar(raw: Any, where: str, unit: str) -> ScalarFactor:
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{where}: expected an object with value, unit and source")
    if raw.get("unit") != unit:
        raise InvalidReferenceData(f"{where}: unit must be {unit!r}, got {raw.get('unit')!r}")
    return ScalarFactor(_number(raw.get("value"), where), unit, _source(raw.get("source"), where))


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
        grid[int(year)] = _scalar(raw, f"{ref}.grid.{year}", "tCO2/MWh")
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
    )


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
