"""Energy carriers by name: the ones the account reads under another name, and the ones it
has no column for (docs/methodology.md §2.3, nothing is silently dropped).

A header, ledger row, block item or 205-1 row that is not a known field is looked up here:

- ``alias_key``: names the importers read as a field although the field tables
  (``carbon.domain.quantities.FIELDS``) do not list them: 压缩天然气 / CNG (natural gas, by
  volume), 液化气 (LPG), 焦炉气, and grades of diesel and petrol (``0#柴油``, ``92#汽油``).
- ``classify``: what an unknown name is, if it is energy: steam or hot water (converted to
  heat by ``importers.steam`` when the file gives what that needs), a total in tce
  (综合能耗), a carrier the service has no emission factor for (甲醇, 氢气 …), or a known
  carrier under a longer name (外购天然气), a carrier given in tce (其他燃料(吨标准煤): a name
  in tce is a total only when it says so), or energy by its unit alone (外购电(万千瓦时),
  煤气(万立方米), 燃煤(吨)). Anything else (备注, 联系人, 产量, 万元 …) is not energy: ``None``,
  and the caller only warns.

Names and words are data, looked up, never branched on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from carbon.domain.quantities import (
    FIELD_BY_KEY,
    FIELD_BY_NAME,
    FIELDS,
    UNITS,
    Dimension,
    Kind,
    normalise_name,
    normalise_unit,
    split_header,
)

# Names read as a field (normalised like FIELD_BY_NAME's keys). CNG is natural gas by volume:
# a CNG column in tonnes is a unit error whose hint (UNIT_HINTS) asks for the volume.
ALIASES: dict[str, str] = {
    normalise_name(n): key
    for key, names in {
        "natural_gas": ("压缩天然气", "CNG", "Compressed natural gas", "压缩天然气(CNG)", "天然气(CNG)"),
        "lpg": ("液化气",),
        "coke_oven_gas": ("焦炉气",),
        "diesel": ("轻柴油", "车用柴油", "普通柴油", "工业柴油"),
        "gasoline": ("车用汽油", "车用乙醇汽油"),
    }.items()
    for n in names
}

# A grade written before a diesel or petrol name: 0#柴油, -10号柴油, 92#汽油.
_GRADE = re.compile(r"^[-−]?\d{1,3}\s*[#＃号]\s*")
_GRADED = frozenset({"diesel", "gasoline"})

# Units a header may give for a field, refused with a hint in the user's terms.
UNIT_HINTS: dict[str, str] = {
    "lng": (
        "LNG is reported by mass: give it in tonnes, e.g. 液化天然气(吨) "
        "/ 液化天然气按质量填报，请填吨数，不按体积"
    ),
    "natural_gas": (
        "natural gas (and CNG, 压缩天然气) is reported by volume: give 万立方米 or 立方米 "
        "/ 天然气（含压缩天然气）按体积填报，请填万立方米或立方米"
    ),
}


def alias_key(name: str) -> str | None:
    """The field an importer-only name means (``压缩天然气`` -> natural_gas, ``0#柴油`` ->
    diesel), or None."""
    n = normalise_name(name)
    key = ALIASES.get(n)
    if key is not None:
        return key
    bare = _GRADE.sub("", n)
    if bare != n:
        key = FIELD_BY_NAME.get(bare) or ALIASES.get(bare)
        if key in _GRADED:
            return key
    return None


@dataclass(frozen=True)
class Carrier:
    """An energy carrier the account has no field for."""

    key: str
    zh: str
    en: str
    words: tuple[str, ...]  # folded words that name it (contained in the name)
    advice_en: str
    advice_zh: str


_NO_FACTOR_EN = "report the fuel it was made from instead, or leave it out if it is not burned on site"
_NO_FACTOR_ZH = "请改报其所消耗的原始能源；如未在本企业燃烧使用，请删除该列"

# Longer words first where one contains another (生物柴油 before 柴油 is not needed: 柴油 is a
# field, found before these words are looked at; but 生物柴油 must not become diesel).
UNSUPPORTED: tuple[Carrier, ...] = (
    Carrier(
        "biodiesel",
        "生物柴油",
        "biodiesel",
        ("生物柴油", "biodiesel"),
        "report it as 生物质燃料(吨) (biomass fuel)",
        "请按“生物质燃料(吨)”填报",
    ),
    Carrier(
        "waste_heat",
        "余热",
        "waste heat",
        ("余热", "waste heat"),
        "report heat bought from others as 热力(吉焦); heat recovered on site carries no "
        "emissions and is left out",
        "外购余热请填入“热力(吉焦)”，自产余热回收不计排放，请删除该列",
    ),
    Carrier("hydrogen", "氢气", "hydrogen", ("氢气", "hydrogen"), _NO_FACTOR_EN, _NO_FACTOR_ZH),
    Carrier("methanol", "甲醇", "methanol", ("甲醇", "methanol"), _NO_FACTOR_EN, _NO_FACTOR_ZH),
    Carrier("ethanol", "乙醇", "ethanol", ("乙醇", "ethanol"), _NO_FACTOR_EN, _NO_FACTOR_ZH),
    Carrier(
        "dme", "二甲醚", "dimethyl ether", ("二甲醚", "dimethyl ether", "dme"), _NO_FACTOR_EN, _NO_FACTOR_ZH
    ),
    Carrier(
        "coal_gangue",
        "煤矸石",
        "coal gangue",
        ("煤矸石", "coal gangue"),
        "report it as 其他洗煤(吨) if it is washed-coal middlings, else ask the administrator for a factor",
        "如属洗中煤请按“其他洗煤(吨)”填报，否则请联系管理员增加排放因子",
    ),
    Carrier(
        "coal_slime",
        "煤泥",
        "coal slime",
        ("煤泥", "coal slime", "coal slurry"),
        "report it as 其他洗煤(吨) (GB/T 32150 counts 煤泥 among other washed coal)",
        "请按“其他洗煤(吨)”填报",
    ),
    Carrier(
        "heavy_oil",
        "重油",
        "heavy oil",
        ("重油", "heavy oil"),
        "report it as 燃料油(吨) if it is burned as fuel oil",
        "如作燃料油使用请按“燃料油(吨)”填报",
    ),
    Carrier(
        "residual_oil",
        "渣油",
        "residual oil",
        ("渣油", "residual oil"),
        "report it as 燃料油(吨) if it is burned as fuel oil",
        "如作燃料油使用请按“燃料油(吨)”填报",
    ),
    Carrier(
        "calcium_carbide",
        "电石",
        "calcium carbide",
        ("电石", "calcium carbide"),
        _NO_FACTOR_EN,
        _NO_FACTOR_ZH,
    ),
    Carrier(
        "producer_gas",
        "发生炉煤气",
        "producer gas",
        ("发生炉煤气", "producer gas"),
        "report the coal the gas producer burned instead (its own column, e.g. 烟煤(吨))",
        "请改报煤气发生炉消耗的煤炭（如“烟煤(吨)”）",
    ),
    Carrier(
        "water_gas",
        "水煤气",
        "water gas",
        ("水煤气", "water gas"),
        "report the coal the gasifier used instead (its own column, e.g. 无烟煤(吨))",
        "请改报制气消耗的煤炭（如“无烟煤(吨)”）",
    ),
)

STEAM_WORDS: tuple[str, ...] = ("蒸汽", "蒸气", "steam")
HOT_WATER_WORDS: tuple[str, ...] = ("热水", "hot water")
ENTHALPY_WORDS: tuple[str, ...] = ("焓值", "焓", "enthalpy")
TEMPERATURE_WORDS: tuple[str, ...] = ("水温", "温度", "temperature", "water temperature")
TCE_WORDS: tuple[str, ...] = ("综合能耗", "综合能源消费", "能源消费总量", "能源消耗总量", "标准煤", "折标煤",
                              "total energy")  # fmt: skip
# A name in tce is a total (beside the carriers) only when it says so; any other name in tce
# (其他燃料(吨标准煤)) is a carrier given in tce, refused: the account needs physical units.
TOTAL_WORDS: tuple[str, ...] = ("合计", "总计", "小计", "总量", "总额", "能耗", "能源消费", "能源消耗",
                                "耗能", "用能", "total", "sum")  # fmt: skip
TCE_UNITS: frozenset[str] = frozenset(
    normalise_unit(u)
    for u in (
        "吨标准煤",
        "吨标煤",
        "tce",
        "万吨标准煤",
        "千克标准煤",
        "kgce",
        "t标准煤",
        "tonnes of coal equivalent",
    )
)
# Names that say a column is not energy use even if it names a carrier: output, money, notes.
NOT_ENERGY_WORDS: tuple[str, ...] = (
    "产量", "产品", "产值", "销售", "销量", "价格", "单价", "金额", "费用", "成本", "电费", "备注", "说明",
    "联系", "电话", "日期", "序号", "库存", "output", "production", "price", "cost", "remark",
    "note", "contact", "phone", "date", "stock", "inventory",
)  # fmt: skip
# An unknown name in one of these units is energy whatever it is called (外购电(万千瓦时),
# 煤气(万立方米)); in tonnes, when the name has a generic fuel character (燃煤(吨)).
ENERGY_DIMENSIONS: frozenset[Dimension] = frozenset(
    {Dimension.ELECTRICITY, Dimension.HEAT, Dimension.GAS_VOLUME}
)
FUEL_CHARACTERS: tuple[str, ...] = ("煤", "燃", "油", "气", "炭", "焦")
# Water is metered in 立方米 and 吨 too (用水量(立方米)): not energy by its unit alone.
WATER_WORDS: tuple[str, ...] = ("水", "water")
MONEY_UNITS: frozenset[str] = frozenset(
    normalise_unit(u) for u in ("元", "千元", "万元", "亿元", "CNY", "yuan")
)

# Carrier names contained in a longer name (外购天然气, 柴油消耗量): folded name -> field key.
_CONTAINED: dict[str, str] = {
    unicodedata.normalize("NFKC", n).lower(): f.key
    for f in FIELDS
    if f.kind is not Kind.ECONOMIC and f.kind is not Kind.PROCESS
    for n in (f.name_zh, *f.synonyms)
    if len(n) >= 2 and not n.isascii()
}
_CONTAINED_EN: dict[str, str] = {
    f.name_en.lower(): f.key for f in FIELDS if f.kind not in (Kind.ECONOMIC, Kind.PROCESS)
}


@dataclass(frozen=True)
class Unknown:
    """What an unknown name is: ``kind`` is steam | hot_water | enthalpy | temperature |
    tce_total | tce_carrier (a name in tce that is no total: 其他燃料(吨标准煤)) | unsupported |
    contains | by_unit (energy by its unit: 外购电(万千瓦时));
    ``carrier`` for unsupported, ``field`` for contains."""

    kind: str
    name: str  # the name as written, without its unit
    unit: str | None
    carrier: Carrier | None = None
    field: str | None = None

    @property
    def is_energy(self) -> bool:
        return self.kind in (
            "steam", "hot_water", "unsupported", "contains", "tce_total", "tce_carrier", "by_unit"
        )  # fmt: skip


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _has(name: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w.isascii():
            if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", name):
                return True
        elif w in name:
            return True
    return False


def _strip_unit_prefix(unit: str) -> str:
    u = unit.strip()
    for p in ("计量单位", "单位", "units", "unit"):
        if u.lower().startswith(p) and u[len(p) : len(p) + 1] in (":", "："):
            return u[len(p) + 1 :].strip()
    return u


def classify(text: object, unit: str | None = None) -> Unknown | None:
    """What an unknown header or row name is, if it is energy (or a steam parameter);
    None for anything else. ``unit`` is a unit given beside the name (a 计量单位 cell)."""
    if not isinstance(text, str) or not text.strip():
        return None
    name, bracket = split_header(" ".join(text.split()))
    unit = unit or (_strip_unit_prefix(bracket) if bracket else None)
    folded = _fold(name)
    if not folded:
        return None
    u = normalise_unit(unit) if unit else None
    if _has(folded, ENTHALPY_WORDS):
        return Unknown("enthalpy", name, unit)
    if _has(folded, TEMPERATURE_WORDS):
        return Unknown("temperature", name, unit)
    if u in MONEY_UNITS or _has(folded, NOT_ENERGY_WORDS):
        return None
    if _has(folded, TCE_WORDS) or (u in TCE_UNITS and _has(folded, TOTAL_WORDS)):
        return Unknown("tce_total", name, unit)
    if u in TCE_UNITS:
        return Unknown("tce_carrier", name, unit)
    if _has(folded, STEAM_WORDS):
        return Unknown("steam", name, unit)
    if _has(folded, HOT_WATER_WORDS):
        return Unknown("hot_water", name, unit)
    for c in UNSUPPORTED:
        if _has(folded, c.words):
            return Unknown("unsupported", name, unit, carrier=c)
    for n, key in _CONTAINED.items():
        if n in folded:
            return Unknown("contains", name, unit, field=key)
    for n, key in _CONTAINED_EN.items():
        if _has(folded, (n,)):
            return Unknown("contains", name, unit, field=key)
    if _energy_by_unit(folded, u):
        return Unknown("by_unit", name, unit)
    return None


def _energy_by_unit(folded: str, u: str | None) -> bool:
    """Whether a name that names no carrier is energy by its unit (docs/methodology.md §2.3)."""
    found = UNITS.get(u) if u else None
    if found is None or _has(folded, WATER_WORDS):
        return False
    dimension = found[0]
    if dimension in ENERGY_DIMENSIONS:
        return True
    return dimension is Dimension.MASS and any(c in folded for c in FUEL_CHARACTERS)


def figure_problem(u: Unknown, shown: str) -> str:
    """Why a non-zero figure under an energy name the account cannot read rejects the file,
    and what to do, bilingually. ``shown`` is the header or label as written."""
    if u.kind == "unsupported" and u.carrier is not None:
        c = u.carrier
        return (
            f"{shown}: no emission factor for {c.zh} ({c.en}) in this service; {c.advice_en} "
            f"/ 暂不支持{c.zh}（本服务无其排放因子），{c.advice_zh}"
        )
    if u.kind == "contains" and u.field is not None:
        f = FIELD_BY_KEY[u.field]
        return (
            f"{shown} names {f.name_zh} ({f.name_en}) but is not a column the service reads; name it "
            f"'{f.header_zh}' or '{f.header_en}' (one column per carrier) "
            f"/ “{shown}”含能源品种{f.name_zh}，但不是可识别的列名，请改为“{f.header_zh}”"
        )
    if u.kind == "tce_total":
        return (
            f"{shown} is energy in tonnes of coal equivalent, a sum over carriers: the carbon account needs "
            "each carrier's own quantity (电力, 天然气, 煤 …) in its own column "
            f"/ “{shown}”为折标准煤合计数，碳账户须按能源品种分别填报实物量"
        )
    if u.kind == "tce_carrier":
        return (
            f"{shown} is a carrier given in tonnes of coal equivalent: give the carrier in physical units "
            "(吨, 万立方米, 万千瓦时 …) under its own name / "
            f"“{shown}”为折标准煤数，请按实物量填报（吨、万立方米、万千瓦时等），并注明能源品种"
        )
    if u.kind == "by_unit":
        return (
            f"{shown}: a quantity in {u.unit} is energy, but {u.name!r} is no carrier the service reads; "
            "name the column as in the template, one carrier per column (e.g. 电力(万千瓦时), "
            "天然气(万立方米), 烟煤(吨)) / "
            f"“{shown}”按计量单位为能源数据，但名称不是可识别的能源品种，"
            "请按模板列名分品种填报（如电力(万千瓦时)、天然气(万立方米)、烟煤(吨)）"
        )
    return f"{shown}: an energy carrier the service cannot read / “{shown}”为本服务无法读取的能源品种"


def ignored_warning(u: Unknown, shown: str) -> str:
    """The warning for an energy column, row or item the account does not read, when it
    holds no figure (or, for a tce total, when carriers are given beside it)."""
    if u.kind == "tce_total":
        return (
            f"{shown!r} is a total in tce of the carriers given beside it; not read "
            f"/ “{shown}”为各能源品种折标准煤合计，不重复读取"
        )
    return (
        f"{shown!r} names an energy carrier the service does not read; it holds no figure, ignored "
        f"/ “{shown}”为本服务无法读取的能源品种，无数据，已忽略"
    )
