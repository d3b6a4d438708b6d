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
from carbon.domain.quantities import BIOMASS_KEYS, COMBUSTION_KEYS, FIELD_BY_KEY, Kind

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
    # whether the value was found in a text quoting its source (the standard's table, the
    # announcement or a report of it; the note says which); None: the document does not
    # say, as v1 documents do not

    verified: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"document": self.document}
        if self.note:
            d["note"] = self.note
        if self.assumption:
            d["assumption"] = True
        if self.published:
            d["published"] = self.published
        if self.verified is not None:
            d["verified"] = self.verified
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
    biogenic: bool = False  # biomass: its CO2 is a memo figure, not fossil emissions

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
# MEE/NBS publish, beside the national average, the average that leaves out non-fossil
# power traded on the market (全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）),
# so that green power claimed by its buyers is not counted again in everyone else's factor.
EXCLUDING_MARKET_NON_FOSSIL = "grid_excluding_market_non_fossil"
MARKET_BASES = (RESIDUAL_MIX, EXCLUDING_MARKET_NON_FOSSIL)
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
    basis: str  # RESIDUAL_MIX | EXCLUDING_MARKET_NON_FOSSIL | GRID_AVERAGE_PROXY
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
    # optional ``market``: year -> tCO2/MWh for electricity no instrument covers, of the kind
    # ``market_basis`` names (a residual mix, or MEE's factor excluding market-traded
    # non-fossil power)
    residual_mix: Mapping[int, ScalarFactor] = field(default_factory=dict)
    market_basis: str = RESIDUAL_MIX

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def fuel(self, key: str) -> FuelFactor:
        """The combustion factors of ``key``; a carrier the set does not give is refused,
        never counted as zero."""
        f = self.fuels.get(key)
        if f is None:
            fld = FIELD_BY_KEY[key]
            raise FactorMissing(
                f"no emission factor for {fld.name_zh} ({fld.name_en}) in {self.ref}; recalculate "
                f"with a factor set that has one / 因子集{self.ref}缺少{fld.name_zh}的排放因子"
            )
        return f

    def market_factor(self, year: int) -> MarketFactor:
        """The market factor of ``year`` (or the latest earlier one, flagged as proxy); with
        none for that year or before, the grid factor of ``year`` as a stated proxy."""
        earlier = [y for y in self.residual_mix if y <= year]
        if earlier:
            y = max(earlier)
            f = self.residual_mix[y]
            return MarketFactor(year, f.value, y, self.market_basis, f.source)
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


def only_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], where: str, strict: bool) -> None:
    """Refuse a key the parser does not read (a typo, or a key in the wrong place), so that
    no setting in a published document is silently ignored."""
    if not strict:
        return
    unknown = [str(k) for k in raw if k not in allowed]
    if unknown:
        raise InvalidReferenceData(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; allowed here: "
            f"{', '.join(allowed)} / 未知的键：{', '.join(unknown)}"
        )


_SOURCE_KEYS = ("document", "note", "assumption", "published", "verified")
_SCALAR_KEYS = ("value", "unit", "source")
_FUEL_KEYS = ("unit", "ncv", "cc", "oxidation", "tce", "source", "tce_source", "biogenic")
_TOP_KEYS = (
    "id",
    "version",
    "title",
    "published",
    "region",
    "years",
    "tce_per_gj_ncv",
    "fuels",
    "grid",
    "market",
    "heat_co2",
    "electricity_tce",
    "heat_tce",
    "process",
)


def _flag(raw: Any, where: str) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    raise InvalidReferenceData(f"{where}: expected true or false, got {raw!r}")


def _source(raw: Any, where: str, strict: bool = False) -> Source:
    if isinstance(raw, str):
        return Source(raw)
    if isinstance(raw, Mapping) and isinstance(raw.get("document"), str):
        only_keys(raw, _SOURCE_KEYS, f"{where}.source", strict)
        published = raw.get("published")
        if published is not None and not (isinstance(published, str) and _DATE.fullmatch(published)):
            raise InvalidReferenceData(f"{where}: source 'published' must be a date YYYY-MM-DD")
        assumption = _flag(raw.get("assumption"), f"{where}.source.assumption") if strict else None
        return Source(
            str(raw["document"]),
            str(raw.get("note", "")),
            bool(assumption if strict else raw.get("assumption", False)),
            published,
            _flag(raw.get("verified"), f"{where}.source.verified"),
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
    raw: Any, where: str, unit: str, bounds: tuple[float, float] = (0.0, float("inf")), strict: bool = False
) -> ScalarFactor:
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{where}: expected an object with value, unit and source")
    only_keys(raw, _SCALAR_KEYS, where, strict)
    if raw.get("unit") != unit:
        raise InvalidReferenceData(f"{where}: unit must be {unit!r}, got {raw.get('unit')!r}")
    value = _number(raw.get("value"), where, *bounds)
    return ScalarFactor(value, unit, _source(raw.get("source"), where, strict))


def _fuel(key: str, raw: Any, ref: str, tce_per_gj: float, strict: bool) -> FuelFactor:
    where = f"{ref}.fuels.{key}"
    if key not in COMBUSTION_KEYS:
        raise InvalidReferenceData(f"{where}: unknown fuel; one of {', '.join(COMBUSTION_KEYS)}")
    if not isinstance(raw, Mapping):
        raise InvalidReferenceData(f"{where}: expected an object")
    only_keys(raw, _FUEL_KEYS, where, strict)
    expected_unit = FIELD_BY_KEY[key].unit
    if raw.get("unit") != expected_unit:
        raise InvalidReferenceData(f"{where}: unit must be {expected_unit!r}")
    biogenic = bool(_flag(raw.get("biogenic"), f"{where}.biogenic"))
    if biogenic != (key in BIOMASS_KEYS):
        raise InvalidReferenceData(
            f"{where}: 'biogenic' must be true for biomass fuels ({', '.join(BIOMASS_KEYS)}) and only "
            "for them / 仅生物质燃料标记为生物源"
        )
    ncv = _number(raw.get("ncv"), f"{where}.ncv", 0.0, 1000.0)
    src = _source(raw.get("source"), where, strict)
    if raw.get("tce") is None:
        tce, tce_src = ncv * tce_per_gj, Source("NCV ÷ 29.3076 GJ/tce (GB/T 2589-2020)")
    else:
        tce = _number(raw.get("tce"), f"{where}.tce", 0.0, 100.0)
        tce_src = _source(raw.get("tce_source", "GB/T 2589-2020 附录 A"), where, strict)
    return FuelFactor(
        key=key,
        unit=expected_unit,
        ncv=ncv,
        cc=_number(raw.get("cc"), f"{where}.cc", 0.0, 0.2),
        oxidation=_number(raw.get("oxidation"), f"{where}.oxidation", 0.0, 1.0000001),
        tce=tce,
        source=src,
        tce_source=tce_src,
        biogenic=biogenic,
    )


def parse_factor_set(doc: Mapping[str, Any], *, strict: bool = True) -> FactorSet:
    """Validate a factor-set document (as loaded from JSON) into a ``FactorSet``.

    ``strict`` (every publication) also refuses any key the parser does not read; documents
    published before that rule are read with ``strict=False``. A set need not give every
    carrier: a figure of a carrier it lacks is refused where it would be used, never zeroed.
    """
    fs_id = doc.get("id")
    version = doc.get("version")
    if not isinstance(fs_id, str) or not isinstance(version, int) or isinstance(version, bool):
        raise InvalidReferenceData("factor set needs a string 'id' and an integer 'version'")
    ref = f"{fs_id}@{version}"
    only_keys(doc, _TOP_KEYS, ref, strict)
    tce_per_gj = _number(doc.get("tce_per_gj_ncv", 1 / 29.3076), f"{ref}.tce_per_gj_ncv")
    raw_fuels = doc.get("fuels")
    if not isinstance(raw_fuels, Mapping) or not raw_fuels:
        raise InvalidReferenceData(f"{ref}: 'fuels' must be an object giving at least one fuel")
    fuels = {str(k): _fuel(str(k), raw, ref, tce_per_gj, strict) for k, raw in raw_fuels.items()}
    grid = _years(doc.get("grid"), f"{ref}.grid", strict)
    raw_process = doc.get("process") or {}
    if not isinstance(raw_process, Mapping):
        raise InvalidReferenceData(f"{ref}.process: expected an object")
    extra = {
        str(k): _scalar(
            v, f"{ref}.process.{k}", str(v.get("unit", "")) if isinstance(v, Mapping) else "", strict=strict
        )
        for k, v in raw_process.items()
    }
    basis, market = _market(doc.get("market"), ref, strict)
    return FactorSet(
        id=fs_id,
        version=version,
        title=str(doc.get("title", ref)),
        fuels=fuels,
        grid=grid,
        heat_co2=_scalar(doc.get("heat_co2"), f"{ref}.heat_co2", "tCO2/GJ", strict=strict),
        electricity_tce=_scalar(
            doc.get("electricity_tce"), f"{ref}.electricity_tce", "tce/MWh", strict=strict
        ),
        heat_tce=_scalar(doc.get("heat_tce"), f"{ref}.heat_tce", "tce/GJ", strict=strict),
        extra=extra,
        residual_mix=market,
        market_basis=basis,
    )


def _years(raw: Any, where: str, strict: bool) -> dict[int, ScalarFactor]:
    """``{"2023": {value, unit, source}, …}``: electricity factors (tCO2/MWh) by data year."""
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidReferenceData(f"{where}: must map years to factors")
    out: dict[int, ScalarFactor] = {}
    for year, factor in raw.items():
        text = str(year)
        if isinstance(year, bool) or not (text.isascii() and text.isdigit() and len(text) == 4):
            raise InvalidReferenceData(f"{where}: {year!r} is not a year")
        out[int(year)] = _scalar(factor, f"{where}.{year}", "tCO2/MWh", GRID_FACTOR_RANGE, strict)
    return out


def _market(raw: Any, ref: str, strict: bool) -> tuple[str, dict[int, ScalarFactor]]:
    """The optional ``market`` section: one of ``{"residual_mix": {year: factor}}`` or
    ``{"grid_excluding_market_non_fossil": {year: factor}}``."""
    if raw is None:
        return RESIDUAL_MIX, {}
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in MARKET_BASES:
        raise InvalidReferenceData(
            f"{ref}.market: expected an object with one of {', '.join(MARKET_BASES)} mapping years to factors"
        )
    basis = str(next(iter(raw)))
    return basis, _years(raw[basis], f"{ref}.market.{basis}", strict)


# Parts of an account. ``electricity`` is the rating basis (green power deducted),
# ``electricity_location`` location-based scope 2 (green power not deducted), ``biogenic``
# the CO2 of biomass (a memo, in no total).
PARTS: tuple[str, ...] = (
    "fuel",
    "process",
    "electricity",
    "heat",
    "energy_tce",
    "electricity_location",
    "biogenic",
)
# Electricity as the accounting uses it, derived per month from purchased P, exported X and
# green G (MWh) and then summed: a month never goes below zero (no credit for exports).
ELECTRICITY_CONSUMED = "electricity_consumed"  # max(0, P − X): energy, location-based
ELECTRICITY_EMITTING = "electricity_emitting"  # max(0, P − X − G): the rating basis
DERIVED_KEYS: tuple[str, ...] = (ELECTRICITY_CONSUMED, ELECTRICITY_EMITTING)


def coefficients(fs: FactorSet, year: int) -> tuple[dict[str, dict[str, float]], GridFactor]:
    """Per input (field or derived electricity), its coefficient on each part (tCO2 or tce
    per canonical unit). P, X and G themselves carry none: the derived, floored monthly
    figures do. A carrier the factor set lacks is absent from the table (``fs.fuel``
    refuses it when it is used)."""
    grid = fs.grid_factor(year)
    table: dict[str, dict[str, float]] = {}
    for key, fld in FIELD_BY_KEY.items():
        if fld.kind is not Kind.ECONOMIC:
            table[key] = {}
    for key in COMBUSTION_KEYS:
        if key not in fs.fuels:
            del table[key]
    for key, f in fs.fuels.items():
        table[key] = {"biogenic" if f.biogenic else "fuel": f.tco2_per_unit, "energy_tce": f.tce}
    ef, etce = grid.value, fs.electricity_tce.value
    table[ELECTRICITY_CONSUMED] = {"electricity_location": ef, "energy_tce": etce}
    table[ELECTRICITY_EMITTING] = {"electricity": ef}
    table["heat"] = {"heat": fs.heat_co2.value, "energy_tce": fs.heat_tce.value}
    table["process_co2"] = {"process": 1.0}
    return table, grid
