"""What the service measures: input fields, their canonical units, and unit conversion.

Every quantity is normalised on import to one canonical unit per field (MWh, t, 10^4 Nm3,
GJ, tCO2, 10^4 CNY). The tables here are data: header names, synonyms and unit spellings
are looked up, never branched on.

Numbers are ``float`` (IEEE double) throughout the core, chosen once and on purpose: the
accounts aggregate hundreds of thousands of rows with numpy, the inputs themselves carry
at most 6-7 significant digits, and results are rounded only for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Dimension(StrEnum):
    ELECTRICITY = "electricity"
    MASS = "mass"
    GAS_VOLUME = "gas_volume"
    HEAT = "heat"
    CO2 = "co2"
    MONEY = "money"


CANONICAL_UNIT: dict[Dimension, str] = {
    Dimension.ELECTRICITY: "MWh",
    Dimension.MASS: "t",
    Dimension.GAS_VOLUME: "10^4 Nm3",
    Dimension.HEAT: "GJ",
    Dimension.CO2: "tCO2",
    Dimension.MONEY: "10^4 CNY",
}

# The largest quantity of one enterprise-month in any canonical unit: far above any real figure
# (10^12 MWh, t, GJ, 10^4 Nm3 or 10^4 CNY), low enough that every sum and product of them stays finite.
MAX_QUANTITY = 1e12


class Kind(StrEnum):
    FUEL = "fuel"
    ELECTRICITY = "electricity"
    HEAT = "heat"
    PROCESS = "process"
    BIOMASS = "biomass"  # energy that emits no fossil CO2; its biogenic CO2 is a memo figure
    ECONOMIC = "economic"


@dataclass(frozen=True)
class Field:
    """One input column of the energy account, in its canonical unit."""

    key: str
    kind: Kind
    dimension: Dimension
    name_zh: str
    name_en: str
    template_unit_zh: str
    template_unit_en: str
    synonyms: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return CANONICAL_UNIT[self.dimension]

    @property
    def header_zh(self) -> str:
        return f"{self.name_zh}({self.template_unit_zh})"

    @property
    def header_en(self) -> str:
        return f"{self.name_en} ({self.template_unit_en})"


def _fuel(key: str, zh: str, en: str, gas: bool = False, *syn: str, kind: Kind = Kind.FUEL) -> Field:
    if gas:
        return Field(key, kind, Dimension.GAS_VOLUME, zh, en, "万立方米", "10^4 Nm3", syn)
    return Field(key, kind, Dimension.MASS, zh, en, "吨", "t", syn)


# Order matters: it is the column order of the template and of the stored wide rows.
FIELDS: tuple[Field, ...] = (
    Field(
        "electricity",
        Kind.ELECTRICITY,
        Dimension.ELECTRICITY,
        "电力",
        "Electricity",
        "万千瓦时",
        "10^4 kWh",
        ("用电量", "购入电力", "外购电力", "电", "Purchased electricity"),
    ),
    Field(
        "electricity_exported",
        Kind.ELECTRICITY,
        Dimension.ELECTRICITY,
        "上网电量",
        "Exported electricity",
        "万千瓦时",
        "10^4 kWh",
        ("输出电力", "外供电量", "Electricity exported"),
    ),
    Field(
        "electricity_green",
        Kind.ELECTRICITY,
        Dimension.ELECTRICITY,
        "绿电",
        "Green electricity",
        "万千瓦时",
        "10^4 kWh",
        ("绿色电力", "绿电交易电量", "Green power"),
    ),
    Field(
        "heat",
        Kind.HEAT,
        Dimension.HEAT,
        "热力",
        "Heat",
        "吉焦",
        "GJ",
        ("外购热力", "购入热力", "Purchased heat"),
    ),
    _fuel("raw_coal", "原煤", "Raw coal", False, "煤炭"),
    _fuel("anthracite", "无烟煤", "Anthracite"),
    _fuel("bituminous_coal", "烟煤", "Bituminous coal", False, "一般烟煤"),
    _fuel("lignite", "褐煤", "Lignite"),
    _fuel("cleaned_coal", "洗精煤", "Cleaned coal", False, "Washed coal"),
    _fuel("coke", "焦炭", "Coke"),
    _fuel("crude_oil", "原油", "Crude oil"),
    _fuel("fuel_oil", "燃料油", "Fuel oil"),
    _fuel("gasoline", "汽油", "Gasoline", False, "Petrol"),
    _fuel("kerosene", "煤油", "Kerosene", False, "一般煤油", "航空煤油"),
    _fuel("diesel", "柴油", "Diesel", False, "Diesel oil"),
    _fuel("lpg", "液化石油气", "LPG", False, "Liquefied petroleum gas"),
    _fuel("petroleum_coke", "石油焦", "Petroleum coke"),
    _fuel("natural_gas", "天然气", "Natural gas", True, "Natural gas (NG)"),
    _fuel("coke_oven_gas", "焦炉煤气", "Coke-oven gas", True, "Coke oven gas"),
    _fuel("blast_furnace_gas", "高炉煤气", "Blast-furnace gas", True, "Blast furnace gas"),
    _fuel("converter_gas", "转炉煤气", "Converter gas", True),
    # cn-default@2: the rest of the fossil fuels of GB/T 32150-2015 Appendix B
    _fuel("other_washed_coal", "其他洗煤", "Other washed coal", False, "其它洗煤", "洗中煤"),
    _fuel("briquette", "型煤", "Briquettes", False, "煤制品", "Coal briquettes"),
    _fuel("other_coking_products", "其他焦化产品", "Other coking products", False, "其它焦化产品"),
    _fuel("lng", "液化天然气", "LNG", False, "Liquefied natural gas", "液化天然气(LNG)"),
    _fuel("refinery_gas", "炼厂干气", "Refinery dry gas", False, "炼厂气", "Refinery gas"),
    _fuel("naphtha", "石脑油", "Naphtha"),
    _fuel("other_petroleum_products", "其他石油制品", "Other petroleum products", False, "其它石油制品"),
    _fuel("tar", "焦油", "Tar", False, "煤焦油", "Coal tar"),
    _fuel("crude_benzene", "粗苯", "Crude benzene"),
    _fuel("other_gas", "其他煤气", "Other gas", True, "其它煤气", "Other coal gas"),
    # Biomass: energy (tce) counted, 0 fossil CO2; its biogenic CO2 is reported separately
    _fuel(
        "biomass",
        "生物质燃料",
        "Biomass fuel",
        False,
        "生物质",
        "生物质成型燃料",
        "Biomass",
        kind=Kind.BIOMASS,
    ),
    _fuel("biogas", "沼气", "Biogas", True, kind=Kind.BIOMASS),
    Field(
        "process_co2",
        Kind.PROCESS,
        Dimension.CO2,
        "工业过程排放",
        "Process emissions",
        "吨二氧化碳",
        "tCO2",
        ("过程排放", "Process CO2"),
    ),
    Field(
        "value_added",
        Kind.ECONOMIC,
        Dimension.MONEY,
        "工业增加值",
        "Value added",
        "万元",
        "10^4 CNY",
        ("增加值", "Industrial value added"),
    ),
    Field(
        "gross_output",
        Kind.ECONOMIC,
        Dimension.MONEY,
        "工业总产值",
        "Gross output",
        "万元",
        "10^4 CNY",
        ("总产值", "Gross output value", "Industrial output"),
    ),
    Field(
        "tax",
        Kind.ECONOMIC,
        Dimension.MONEY,
        "税收",
        "Tax",
        "万元",
        "10^4 CNY",
        ("税金", "Taxes", "Tax paid"),
    ),
)

FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
FUEL_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind is Kind.FUEL)
BIOMASS_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind is Kind.BIOMASS)
# Every carrier a factor set may give combustion factors for (fossil fuels and biomass).
COMBUSTION_KEYS: tuple[str, ...] = FUEL_KEYS + BIOMASS_KEYS
ENERGY_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind is not Kind.ECONOMIC)
ECONOMIC_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind is Kind.ECONOMIC)


# Unit spellings -> (dimension, factor to the canonical unit). Keys are normalised by
# ``normalise_unit``. 百万千焦 (10^6 kJ) is exactly 1 GJ.
UNITS: dict[str, tuple[Dimension, float]] = {}


def _units(dimension: Dimension, factor: float, *spellings: str) -> None:
    for s in spellings:
        UNITS[normalise_unit(s)] = (dimension, factor)


def normalise_unit(text: str) -> str:
    """Fold a unit spelling: NFKC (full-width, superscripts), no spaces, ASCII lower case."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = t.replace("·", "").replace("^", "").replace(" ", "").replace("_", "")
    t = t.replace("³", "3").replace("⁴", "4")
    return t.lower()


_units(Dimension.ELECTRICITY, 0.001, "kWh", "千瓦时", "度", "kW·h", "kW h")
_units(Dimension.ELECTRICITY, 1.0, "MWh", "兆瓦时", "千千瓦时", "MW·h")
_units(Dimension.ELECTRICITY, 10.0, "万千瓦时", "10^4 kWh", "10⁴kWh", "万kWh", "万度", "10000 kWh")
_units(Dimension.ELECTRICITY, 1000.0, "GWh", "百万千瓦时")
_units(Dimension.ELECTRICITY, 100000.0, "亿千瓦时", "10^8 kWh", "亿kWh", "亿度")
_units(Dimension.MASS, 0.001, "kg", "千克", "公斤")
_units(Dimension.MASS, 1.0, "t", "吨", "tonne", "tonnes", "ton", "tons")
_units(Dimension.MASS, 10000.0, "万吨", "10^4 t", "10⁴t", "10000 t")
_units(Dimension.GAS_VOLUME, 0.0001, "m3", "m³", "Nm3", "Nm³", "立方米", "标准立方米", "标立方米", "方")
_units(
    Dimension.GAS_VOLUME,
    1.0,
    "万立方米",
    "10^4 m3",
    "10^4 Nm3",
    "10⁴m³",
    "10⁴Nm³",
    "万m3",
    "万m³",
    "万Nm3",
    "万Nm³",
    "万标准立方米",
    "万标立方米",
    "万方",
    "10000 m3",
    "10000 Nm3",
)
_units(Dimension.GAS_VOLUME, 10000.0, "亿立方米", "10^8 m3", "10^8 Nm3", "亿m3", "亿Nm3")
_units(Dimension.HEAT, 0.000001, "kJ", "千焦")
_units(Dimension.HEAT, 0.001, "MJ", "兆焦")
_units(Dimension.HEAT, 1.0, "GJ", "吉焦", "百万千焦", "10^6 kJ", "10⁶kJ")
_units(Dimension.HEAT, 1000.0, "TJ", "太焦")
_units(Dimension.HEAT, 10000.0, "万吉焦", "10^4 GJ")
_units(Dimension.CO2, 0.001, "kgCO2", "千克二氧化碳", "kg CO2")
_units(Dimension.CO2, 1.0, "tCO2", "t CO2", "tCO2e", "吨二氧化碳", "吨二氧化碳当量", "吨CO2", "tonnes CO2")
_units(Dimension.CO2, 10000.0, "万吨二氧化碳", "10^4 tCO2", "万吨CO2")
_units(Dimension.MONEY, 0.0001, "元", "CNY", "yuan", "RMB")
_units(Dimension.MONEY, 0.1, "千元", "10^3 CNY", "1000 CNY", "thousand CNY", "kCNY")
_units(Dimension.MONEY, 1.0, "万元", "10^4 CNY", "10^4 yuan", "10⁴CNY", "10000 CNY", "万元人民币")
_units(Dimension.MONEY, 10000.0, "亿元", "10^8 CNY", "10^8 yuan")


def unit_factor(unit: str, dimension: Dimension) -> float:
    """Factor from ``unit`` to the canonical unit of ``dimension``.

    Raises ``KeyError`` with a readable message if the unit is unknown or belongs to
    another dimension (``吨`` for electricity, say).
    """
    key = normalise_unit(unit)
    found = UNITS.get(key)
    if found is None:
        raise KeyError(f"unknown unit '{unit}' / 未知单位“{unit}”")
    dim, factor = found
    if dim is not dimension:
        raise KeyError(
            f"unit '{unit}' is a {dim.value} unit, expected {dimension.value} "
            f"(e.g. {CANONICAL_UNIT[dimension]}) / 单位“{unit}”不适用于该项"
        )
    return factor


def to_canonical(value: float, unit: str, dimension: Dimension) -> float:
    return value * unit_factor(unit, dimension)


_HEADER_RE = re.compile(r"^\s*(?P<name>.*?)\s*[(（\[【]\s*(?P<unit>[^)）\]】]*)\s*[)）\]】]\s*$")


def split_header(text: str) -> tuple[str, str | None]:
    """``'电力（万千瓦时）'`` -> ``('电力', '万千瓦时')``; a header without a unit -> (name, None)."""
    t = unicodedata.normalize("NFKC", str(text)).strip()
    m = _HEADER_RE.match(t)
    if m:
        return m.group("name").strip(), m.group("unit").strip()
    return t, None


def normalise_name(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s_\-:：]+", " ", t).strip()


# Header name (any language or synonym, normalised) -> field key.
FIELD_BY_NAME: dict[str, str] = {}
for _f in FIELDS:
    for _n in (_f.name_zh, _f.name_en, _f.key, *_f.synonyms):
        FIELD_BY_NAME[normalise_name(_n)] = _f.key
