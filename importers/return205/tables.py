"""The 205-1 return's tables (data, not branches) and the small helpers its readers share."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from carbon.domain.identifiers import Period
from carbon.domain.quantities import COMBUSTION_KEYS, FIELDS, Dimension

HEADER_SEARCH_ROWS = 40  # the 能源名称 header is looked for in rows 1-40
MAX_HEADER_ROWS = 4  # the 能源名称 row and up to three more

# 205-1 energy names -> field. The carrier fields' own names and synonyms are added below.
_NAMES_205: dict[str, str] = {
    "原煤": "raw_coal",
    "无烟煤": "anthracite",
    "炼焦烟煤": "bituminous_coal",
    "一般烟煤": "bituminous_coal",
    "烟煤": "bituminous_coal",
    "褐煤": "lignite",
    "洗精煤": "cleaned_coal",
    "焦炭": "coke",
    "原油": "crude_oil",
    "燃料油": "fuel_oil",
    "汽油": "gasoline",
    "煤油": "kerosene",
    "柴油": "diesel",
    "液化石油气": "lpg",
    "石油焦": "petroleum_coke",
    "天然气": "natural_gas",
    "焦炉煤气": "coke_oven_gas",
    "高炉煤气": "blast_furnace_gas",
    "转炉煤气": "converter_gas",
    "热力": "heat",
    "电力": "electricity",
}


def _fold(text: str) -> str:
    """A name folded for lookup: NFKC, no whitespace, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _energy_fields() -> dict[str, str]:
    table: dict[str, str] = {}
    carriers = (*COMBUSTION_KEYS, "electricity", "heat")
    for f in FIELDS:
        if f.key in carriers:
            for n in (f.name_zh, f.name_en, *f.synonyms):
                table[_fold(n)] = f.key
    for n, key in _NAMES_205.items():
        table[_fold(n)] = key
    return table


# Folded energy name -> field key.
ENERGY_FIELDS: dict[str, str] = _energy_fields()

# Rows that are summed into one field (any other second row for a field is a breakdown).
SUMMED_ROWS: dict[str, frozenset[str]] = {"bituminous_coal": frozenset({"炼焦烟煤", "一般烟煤"})}

# A field whose rows may instead be given broken down into other fields: never both.
BREAKDOWN: dict[str, tuple[str, ...]] = {"raw_coal": ("anthracite", "bituminous_coal", "lignite")}

# The 205-1 form's unit per dimension, for a row whose 计量单位 cell is blank.
FORM_UNIT: dict[Dimension, str] = {
    Dimension.ELECTRICITY: "万千瓦时",
    Dimension.MASS: "吨",
    Dimension.GAS_VOLUME: "万立方米",
    Dimension.HEAT: "百万千焦",
}

# Carriers that cannot be stocked: no 期初/期末 balance check.
NO_STOCK: frozenset[Dimension] = frozenset({Dimension.ELECTRICITY, Dimension.HEAT})

# Words that end the table: the signature line and notes under it.
FOOTER_MARKERS: tuple[str, ...] = ("单位负责人", "统计负责人", "填表人", "填报人", "报出日期", "联系电话")
# Cells above the header that name a date which is not the reporting period.
NOT_PERIOD_MARKERS: tuple[str, ...] = ("有效期", "文号", "日期", "批准")
TCE_UNITS: frozenset[str] = frozenset({"吨标准煤", "吨标煤", "tce", "万吨标准煤", "千克标准煤"})
TOTAL_CODE = "40"

# Column roles, with their names in messages.
ROLE_LABEL: dict[str, str] = {
    "opening": "期初库存量",
    "purchase": "购进量",
    "total": "消费量合计",
    "industrial": "工业生产消费",
    "feedstock": "用于原材料",
    "non_industrial": "非工业生产消费",
    "transport": "运输工具消费",
    "closing": "期末库存量",
}
NUMBER_ROLES: tuple[str, ...] = (
    "opening",
    "purchase",
    "total",
    "industrial",
    "feedstock",
    "non_industrial",
    "closing",
)

_ZERO = Decimal(0)
_TOL_ABS = Decimal("0.01")
_TOL_REL = Decimal("0.005")

# ---------------------------------------------------------------------------------------
# Small helpers


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell(row: Sequence[Any], j: int | None) -> Any:
    if j is None or j >= len(row):
        return ""
    return row[j]


def _text(v: object) -> str:
    """A header or label cell folded: NFKC, no whitespace ('' for a non-text cell)."""
    if not isinstance(v, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", v).split())


def _dec(x: float) -> Decimal:
    """A float read from a cell, as the decimal it was written as."""
    return Decimal(repr(x))


def _fmt(d: Decimal) -> str:
    """A figure for a message: 120, 0.5 (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(_TOL_ABS, _TOL_REL * max(abs(a), abs(b)))


def _span(p: Period) -> tuple[str, str]:
    """'1–3月' (English text) and '1–3月' (Chinese) for a cumulative period."""
    s = "1月" if p.month == 1 else f"1–{p.month}月"
    return f"{p.year} {s}", f"{p.year}年{s}"
