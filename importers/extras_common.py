"""What the three readers of energy that is no field share (docs/methodology.md §2.3).

``importers.row_extras`` (columns of a rows table), ``importers.ledger_extras`` (rows of a
months-as-columns ledger) and ``importers.return205.extras`` (rows of the 205-1 return) each
convert steam and hot water to heat and refuse carriers the service cannot read, in their
own layout. The parts that do not depend on the layout are here: which parameter a carrier
needs (``PARAM``), the conversion and how it is shown, the messages, and the 焓值 / 水温 items
of the block above a table (``read_block_parameters``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from carbon.domain.quantities import FIELD_BY_KEY
from importers.layout import match_header
from importers.steam import (
    FEEDWATER_ENTHALPY_KJ_PER_KG,
    RETURN_WATER_C,
    BlockItem,
    block_items,
    block_parameter,
    hot_water_gj,
    missing_enthalpy,
    missing_temperature,
    steam_gj,
)

PARAM = {"steam": "enthalpy", "hot_water": "temperature"}  # the parameter each carrier in tonnes needs
SKIP = object()  # a parameter whose problem is already reported


def known_field(label: str) -> str | None:
    m = match_header(label)
    return m[0] if m is not None and m[0] in FIELD_BY_KEY else None


def block_item_problem(item: BlockItem) -> str:
    return (
        f"{item.shown}: a figure above the table is not read as any month's data; put it in a column "
        "of the table (one row per month) / 表格上方的能源数据无法归入月份，请填入表格的列中"
    )


def conversion_text(header: str, amount: float, what: str, parameter: float, gj: float) -> str:
    """How a steam or hot-water figure became GJ, for ``originals["heat"]``."""
    if what == "steam":
        en = FEEDWATER_ENTHALPY_KJ_PER_KG
        return f"{header} {amount:g} t × ({parameter:g} − {en}) kJ/kg ÷ 1000 = {gj:.6g} GJ"
    return f"{header} {amount:g} t × ({parameter:g} − {RETURN_WATER_C:g}) ℃ × 4.1868 ÷ 1000 = {gj:.6g} GJ"


def convert(what: str, tonnes: float, parameter: float) -> float:
    return steam_gj(tonnes, parameter) if what == "steam" else hot_water_gj(tonnes, parameter)


def missing(what: str, shown: str) -> str:
    return missing_enthalpy(shown) if what == "steam" else missing_temperature(shown)


def read_block_parameters(
    above: Sequence[Sequence[Any]],
    first_row: int,
    first_col: int,
    report: Callable[[BlockItem, str], None],
    figure_message: Callable[[BlockItem], str] = block_item_problem,
) -> dict[str, float | object | None]:
    """The 焓值 / 水温 items of the block above a table (``above``: the rows above its header,
    the first being Excel row ``first_row``, cells from column ``first_col``): kind -> value,
    or ``SKIP`` when the item is given but bad. A bad item is reported, then every energy
    item with a figure (蒸汽用量：120吨), which no month's data can hold, with
    ``figure_message``."""
    items = block_items(above, first_row, first_col, known_field)
    out: dict[str, float | object | None] = {}
    for kind in ("enthalpy", "temperature"):
        found = block_parameter(items, kind)
        if found is None:
            continue
        item, value, problem = found
        if problem is not None:
            report(item, problem)
            out[kind] = SKIP
        else:
            out[kind] = value
    for item in items:
        if item.value and (item.unknown is None or item.unknown.is_energy):
            report(item, figure_message(item))
    return out
