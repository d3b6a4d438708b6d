"""Steam and hot water given by mass, converted to heat (GJ), and the block items above a
table that give what the conversion needs (焓值：2,800 kJ/kg, 水温：80℃).

Steam in tonnes is heat ``t × (En − 83.74 kJ/kg) / 1000`` GJ, with En its enthalpy; hot
water in tonnes is ``t × (T − 20 ℃) × 4.1868 / 1000`` GJ, with T its supply temperature.
The reference states are **assumptions** (docs/methodology.md §2.2): they are here, once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain.quantities import UNITS, Dimension, normalise_unit, split_header, unit_factor
from importers.cells import CellProblem, column_letter, is_blank, read_number
from importers.energy_names import TCE_UNITS, Unknown, classify

# ASSUMPTION (docs/methodology.md §2.2): the heat of steam is counted from feed water at 20 ℃, whose
# enthalpy is 83.74 kJ/kg (saturated liquid water at 20 ℃, IAPWS-IF97).
FEEDWATER_ENTHALPY_KJ_PER_KG = 83.74
# ASSUMPTION (docs/methodology.md §2.2): hot water returns at 20 ℃ (the same reference), and water's
# specific heat is 4.1868 kJ/(kg·K) (1 kcal/(kg·K), the International Table calorie).
RETURN_WATER_C = 20.0
WATER_HEAT_CAPACITY_KJ_PER_KG_K = 4.1868
# An enthalpy above this is no steam an enterprise buys (superheated steam at 600 ℃ and
# 30 MPa has about 3,450 kJ/kg); kJ/kg written where MJ/kg or kcal/kg was meant, say.
MAX_ENTHALPY_KJ_PER_KG = 4000.0

# Enthalpy units -> factor to kJ/kg (MJ/t is the same number); normalised spellings.
ENTHALPY_UNITS: dict[str, float] = {
    normalise_unit(u): f
    for u, f in (
        ("kJ/kg", 1.0), ("千焦/千克", 1.0), ("千焦/公斤", 1.0), ("kJ/公斤", 1.0), ("MJ/t", 1.0),
        ("兆焦/吨", 1.0), ("GJ/t", 1000.0), ("吉焦/吨", 1000.0), ("kcal/kg", 4.1868), ("千卡/千克", 4.1868),
        ("千卡/公斤", 4.1868),
    )
}  # fmt: skip
TEMPERATURE_UNITS: frozenset[str] = frozenset(normalise_unit(u) for u in ("℃", "°C", "摄氏度", "度", "C"))


def steam_gj(tonnes: float, enthalpy_kj_per_kg: float) -> float:
    """Heat of ``tonnes`` of steam of the given enthalpy, GJ."""
    return tonnes * (enthalpy_kj_per_kg - FEEDWATER_ENTHALPY_KJ_PER_KG) / 1000.0


def hot_water_gj(tonnes: float, temperature_c: float) -> float:
    """Heat of ``tonnes`` of hot water supplied at ``temperature_c``, GJ."""
    return tonnes * (temperature_c - RETURN_WATER_C) * WATER_HEAT_CAPACITY_KJ_PER_KG_K / 1000.0


def enthalpy_problem(kj_per_kg: float, shown: str) -> str | None:
    if FEEDWATER_ENTHALPY_KJ_PER_KG < kj_per_kg <= MAX_ENTHALPY_KJ_PER_KG:
        return None
    return (
        f"{shown}: enthalpy {kj_per_kg:g} kJ/kg is outside ({FEEDWATER_ENTHALPY_KJ_PER_KG}, "
        f"{MAX_ENTHALPY_KJ_PER_KG:g}] kJ/kg; check the figure and its unit (kJ/kg, MJ/t) "
        f"/ 蒸汽焓值应大于{FEEDWATER_ENTHALPY_KJ_PER_KG}且不超过{MAX_ENTHALPY_KJ_PER_KG:g} kJ/kg，"
        "请检查数值和单位"
    )


def temperature_problem(celsius: float, shown: str) -> str | None:
    if celsius >= RETURN_WATER_C:
        return None
    return (
        f"{shown}: hot water at {celsius:g} ℃ is below the {RETURN_WATER_C:g} ℃ it is counted from, "
        f"a negative temperature difference / 热水温度低于{RETURN_WATER_C:g}℃（计算基准），温差为负"
    )


def missing_enthalpy(shown: str) -> str:
    return (
        f"{shown}: steam in tonnes needs its enthalpy: give GJ, or a 焓值(kJ/kg) column "
        "(or 焓值：… kJ/kg above the table) / 蒸汽以吨计时须提供焓值（kJ/kg）或改填吉焦数"
    )


def missing_temperature(shown: str) -> str:
    return (
        f"{shown}: hot water in tonnes needs its temperature: give GJ, or a 水温(℃) column "
        "(or 水温：… ℃ above the table) / 热水以吨计时须提供水温（℃）或改填吉焦数"
    )


def bad_unit(shown: str, what: str) -> str:
    """A steam or hot-water figure whose unit is neither a mass nor a heat unit (or none)."""
    if what == "steam":
        return (
            f"{shown}: steam is given in tonnes (t, kg, 万吨) with its enthalpy, or as heat in GJ "
            "(MJ, 百万千焦) / 蒸汽应以吨（并提供焓值）或吉焦计"
        )
    return (
        f"{shown}: hot water is given in tonnes (t, kg, 万吨) with its temperature, or as heat in GJ "
        "(MJ, 百万千焦) / 热水应以吨（并提供水温）或吉焦计"
    )


@dataclass(frozen=True)
class Carrier:
    """How a steam or hot-water quantity converts: ``heat`` (its unit is a heat unit, factor to
    GJ) or ``mass`` (factor to tonnes, then the enthalpy or temperature)."""

    what: str  # steam | hot_water
    by: str  # heat | mass
    factor: float


def carrier_unit(what: str, unit: str | None) -> Carrier | None:
    """A steam / hot water quantity's unit -> how it converts, or None if it cannot."""
    if not unit:
        return None
    for dim, by in ((Dimension.HEAT, "heat"), (Dimension.MASS, "mass")):
        try:
            return Carrier(what, by, unit_factor(unit, dim))
        except KeyError:
            continue
    return None


def parameter_factor(kind: str, unit: str | None) -> float | None:
    """An enthalpy unit's factor to kJ/kg or a temperature unit's (1 for ℃); a missing unit
    is read as kJ/kg or ℃; None for a unit that is neither."""
    if not unit:
        return 1.0
    u = normalise_unit(unit)
    if kind == "enthalpy":
        return ENTHALPY_UNITS.get(u)
    return 1.0 if u in TEMPERATURE_UNITS else None


def read_parameter(v: object, kind: str, factor: float, shown: str) -> tuple[float | None, str | None]:
    """An enthalpy (kJ/kg) or temperature (℃) cell -> (value, problem); blank -> (None, None)."""
    if is_blank(v):
        return None, None
    try:
        x, _ = read_number(v, shown)
    except CellProblem as exc:
        return None, str(exc)
    if x is None:
        return None, None
    x *= factor
    problem = enthalpy_problem(x, shown) if kind == "enthalpy" else temperature_problem(x, shown)
    return (None, problem) if problem else (x, None)


# ---------------------------------------------------------------------------------------
# Block items above a table

_ITEM = re.compile(r"([^:：\s][^:：]*?)\s*[:：]\s*(.*?)\s*(?=(?:\s{2,}|\u3000)[^:：\s][^:：]*?[:：]|$)")
_NUMBER_UNIT = re.compile(r"^\s*([0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)\s*(.*?)\s*$")


@dataclass(frozen=True)
class BlockItem:
    """A ``label：figure unit`` item above a table whose label is energy or a parameter."""

    label: str
    unknown: Unknown | None  # None: a known field (电力：…)
    value: float
    unit: str | None
    row: int  # Excel row
    column: str  # letter
    shown: str  # the item as written


def _figure(value: object) -> tuple[float, str | None] | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None
    if not isinstance(value, str):
        return None
    m = _NUMBER_UNIT.match(unicodedata.normalize("NFKC", value))
    if m is None:
        return None
    try:
        x = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    unit = m.group(2).strip("()（） ") or None
    if unit is not None and not _is_unit(unit):
        return None  # '10^4 kWh)' of a header 'Electricity (unit: 10^4 kWh)' is no figure
    return x, unit


def _is_unit(text: str) -> bool:
    u = normalise_unit(text)
    return u in UNITS or u in ENTHALPY_UNITS or u in TEMPERATURE_UNITS or u in TCE_UNITS


def _label_kind(label: str, known: Any) -> tuple[bool, Unknown | None] | None:
    """(is it a known field, what it is if not) of a block label naming energy; None if not."""
    if any(w in label.lower() for w in ("单位", "unit")):
        return None  # a header's 'unit:' note, not a block item
    if known(label) is not None:
        return True, None
    u = classify(label)
    if u is None or not (u.is_energy or u.kind in ("enthalpy", "temperature")):
        return None
    return False, u


def block_items(rows: Sequence[Sequence[Any]], first_row: int, first_col: int, known: Any) -> list[BlockItem]:
    """Items above a table (``rows``: the rows above its header) whose label names energy or a
    steam parameter and whose value is a figure: ``焓值：2,800 kJ/kg``, ``蒸汽用量：12.5吨``, or a
    label cell followed by a number cell. ``known(label)`` says whether a label is a field."""
    found: list[BlockItem] = []
    for i, row in enumerate(rows):
        r = first_row + i
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            text = unicodedata.normalize("NFKC", cell).strip()
            letter = column_letter(first_col + j)
            if ":" in text:
                for m in _ITEM.finditer(text):
                    _add(found, m.group(1).strip(), m.group(2), r, letter, m.group(0).strip(), known)
                continue
            nxt = next((v for v in row[j + 1 :] if not is_blank(v)), None)
            if isinstance(nxt, int | float) and not isinstance(nxt, bool):
                _add(found, text, nxt, r, letter, f"{text} {nxt:g}", known)
    return found


def _add(
    found: list[BlockItem], label: str, value: object, r: int, letter: str, shown: str, known: Any
) -> None:
    name, bracket = split_header(label)
    kind = _label_kind(name, known)
    fig = _figure(value)
    if kind is None or fig is None:
        return
    x, unit = fig
    found.append(BlockItem(name, kind[1], x, unit or bracket, r, letter, shown))


def block_parameter(
    items: Sequence[BlockItem], kind: str
) -> tuple[BlockItem, float | None, str | None] | None:
    """The first enthalpy (kJ/kg) or temperature (℃) item: (item, value, problem)."""
    for item in items:
        if item.unknown is not None and item.unknown.kind == kind:
            factor = parameter_factor(kind, item.unit)
            if factor is None:
                return (
                    item,
                    None,
                    (
                        f"{item.shown}: unit {item.unit!r} not understood; "
                        "write kJ/kg (or MJ/t) for enthalpy, "
                        "℃ for temperature / 单位无法识别，焓值请用kJ/kg，温度请用℃"
                    ),
                )
            value, problem = read_parameter(item.value, kind, factor, item.shown)
            return item, value, problem
    return None
