"""The template's columns as data: identity columns, quantity columns, header matching.

A header is recognised by its name (Chinese, English or a synonym) and, for quantities,
the unit in brackets: ``电力(万千瓦时)``, ``天然气（万立方米）``, ``Electricity (MWh)``. Names and
units are looked up in tables (``carbon.domain.quantities.FIELD_BY_NAME`` and ``UNITS``,
``IDENTITY_BY_NAME`` here), never branched on, so a new synonym is one more string.
"""

from __future__ import annotations

from dataclasses import dataclass

from carbon.domain.quantities import (
    FIELD_BY_NAME,
    FIELDS,
    Dimension,
    Field,
    Kind,
    normalise_name,
    split_header,
)
from importers.energy_names import alias_key

NAME_MAX_CHARS = 200  # the template's limit (its data validation) and the stored name's


@dataclass(frozen=True)
class IdentityColumn:
    """A column that says whose row and which month it is (not a quantity)."""

    key: str
    name_zh: str
    name_en: str
    meaning_zh: str
    meaning_en: str
    synonyms: tuple[str, ...] = ()


IDENTITY_COLUMNS: tuple[IdentityColumn, ...] = (
    IdentityColumn(
        "uscc", "统一社会信用代码", "USCC",
        "18位统一社会信用代码（GB 32100-2015，含校验码）",
        "18-character unified social credit code (GB 32100-2015, with check character)",
        ("信用代码", "社会信用代码", "统一信用代码", "统一代码", "企业信用代码",
         "Unified social credit code", "Credit code", "USCI"),
    ),
    IdentityColumn(
        "name", "企业名称", "Name", "企业名称", "enterprise name",
        ("单位名称", "企业", "公司名称", "单位详细名称", "Enterprise", "Enterprise name",
         "Company", "Company name"),
    ),
    IdentityColumn(
        "industry_code", "行业代码", "Industry code",
        "国民经济行业分类代码（GB/T 4754-2017，2-4位，如 2614）",
        "industry code (GB/T 4754-2017, 2-4 digits, e.g. 2614)",
        ("行业分类代码", "国民经济行业代码", "国民经济行业分类代码", "行业类别代码", "Industry",
         "GB/T 4754 code"),
    ),
    IdentityColumn(
        "region_code", "行政区划代码", "Region code",
        "行政区划代码（GB/T 2260，6位，如 330802）",
        "administrative region code (GB/T 2260, 6 digits, e.g. 330802)",
        ("区划代码", "地区代码", "行政区代码", "Region", "Administrative region code"),
    ),
    IdentityColumn(
        "month", "月份", "Month",
        "数据所属月份：YYYY-MM、YYYY年M月、YYYY/MM 或日期单元格",
        "month of the data: YYYY-MM, YYYY年M月, YYYY/MM or a date cell",
        ("期间", "年月", "统计期", "报告期", "所属月份", "Period", "Reporting period"),
    ),
)  # fmt: skip

# Columns a sheet may add that the template does not list: read where given, never required.
OPTIONAL_COLUMNS: tuple[IdentityColumn, ...] = (
    IdentityColumn(
        "name_en", "企业英文名称", "Enterprise name (English)",
        "企业英文名称（选填，用于英文图表）",
        "the enterprise's name in English (optional; shown in English charts)",
        ("英文名称", "企业英文名", "英文名", "单位英文名称", "公司英文名称", "English name",
         "Name in English", "Enterprise name in English", "企业名称(英文)", "单位名称(英文)"),
    ),
)  # fmt: skip

IDENTITY_KEYS: tuple[str, ...] = tuple(c.key for c in IDENTITY_COLUMNS)
IDENTITY_BY_KEY: dict[str, IdentityColumn] = {c.key: c for c in (*IDENTITY_COLUMNS, *OPTIONAL_COLUMNS)}
IDENTITY_BY_NAME: dict[str, str] = {
    normalise_name(n): c.key
    for c in (*IDENTITY_COLUMNS, *OPTIONAL_COLUMNS)
    for n in (c.name_zh, c.name_en, c.key, *c.synonyms)
}
# A name column qualified in brackets names another column: 企业名称（英文）, Company name [English].
QUALIFIED_KEYS: dict[tuple[str, str], str] = {
    ("name", normalise_name(q)): "name_en" for q in ("英文", "英文名称", "English", "en", "in English")
}

# Every header name the template reader knows, normalised -> column key.
HEADER_KEY_BY_NAME: dict[str, str] = {**FIELD_BY_NAME, **IDENTITY_BY_NAME}

# Words that introduce the unit inside the brackets: 电力（单位：万千瓦时）.
UNIT_PREFIXES: tuple[str, ...] = ("计量单位", "单位", "units", "unit")

# What a quantity column means, for the header comment and the notes sheet.
_KIND_MEANING: dict[Kind, tuple[str, str]] = {
    Kind.FUEL: ("{zh}消费量（燃烧用，不含用作原材料）", "{en} consumed as fuel (not as feedstock)"),
    Kind.ELECTRICITY: ("{zh}", "{en}"),
    Kind.HEAT: ("{zh}", "{en}"),
    Kind.BIOMASS: ("{zh}消费量（燃烧用）", "{en} consumed as fuel"),
    Kind.PROCESS: ("{zh}", "{en}"),
    Kind.ECONOMIC: ("{zh}", "{en}"),
}
FIELD_MEANING: dict[str, tuple[str, str]] = {
    "electricity": ("外购电力（含绿电）", "purchased electricity (green power included)"),
    "electricity_exported": ("上网（外供）电量", "electricity exported to the grid or to others"),
    "electricity_green": (
        "绿电（经认证，属于外购电力的一部分）",
        "certified green electricity, part of purchased electricity",
    ),
    "heat": ("外购热力（蒸汽、热水）", "purchased heat (steam, hot water)"),
    "process_co2": ("工业过程排放（如碳酸盐分解）", "process emissions (e.g. carbonate decomposition)"),
    "value_added": ("工业增加值（收入法）", "industrial value added (income method)"),
    "gross_output": ("工业总产值", "gross industrial output value"),
    "tax": ("税收（应交税金总额）", "taxes paid"),
}

# Units a header may carry, shown to users when a header's unit is missing or wrong.
UNIT_EXAMPLES: dict[Dimension, str] = {
    Dimension.ELECTRICITY: "万千瓦时 (10^4 kWh), MWh, kWh, 亿千瓦时",
    Dimension.MASS: "吨 (t), kg, 万吨",
    Dimension.GAS_VOLUME: "万立方米 (10^4 Nm3), 立方米 (m3), 亿立方米",
    Dimension.HEAT: "吉焦 (GJ), MJ, 百万千焦",
    Dimension.CO2: "吨二氧化碳 (tCO2), kgCO2",
    Dimension.MONEY: "万元 (10^4 CNY), 元, 千元, 亿元",
}

# A row whose USCC or name cell says one of these is a subtotal, skipped rather than read.
TOTAL_MARKERS_CONTAINED: tuple[str, ...] = ("合计", "小计", "总计", "累计")
TOTAL_MARKERS_EXACT: frozenset[str] = frozenset(
    {"total", "totals", "subtotal", "sub total", "grand total", "sum"}
)

# Sheets that explain the template; skipping them needs no warning.
NOTES_SHEET_NAMES: frozenset[str] = frozenset(
    {"说明", "填表说明", "填报说明", "notes", "instructions", "readme"}
)


def field_meaning(f: Field) -> tuple[str, str]:
    """(Chinese, English) meaning of a quantity field."""
    if f.key in FIELD_MEANING:
        return FIELD_MEANING[f.key]
    zh, en = _KIND_MEANING[f.kind]
    return zh.format(zh=f.name_zh), en.format(en=f.name_en)


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the generated template, in both languages."""

    key: str
    header_zh: str
    header_en: str
    unit_zh: str | None
    unit_en: str | None
    meaning_zh: str
    meaning_en: str
    is_quantity: bool

    def header(self, lang: str) -> str:
        return self.header_en if lang == "en" else self.header_zh


def _template_columns() -> tuple[TemplateColumn, ...]:
    cols = [
        TemplateColumn(c.key, c.name_zh, c.name_en, None, None, c.meaning_zh, c.meaning_en, False)
        for c in IDENTITY_COLUMNS
    ]
    for f in FIELDS:
        zh, en = field_meaning(f)
        cols.append(
            TemplateColumn(
                f.key, f.header_zh, f.header_en, f.template_unit_zh, f.template_unit_en, zh, en, True
            )
        )
    return tuple(cols)


# The template's columns in order: identity columns, then every field with its template unit.
TEMPLATE_COLUMNS: tuple[TemplateColumn, ...] = _template_columns()
TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": tuple(c.header_zh for c in TEMPLATE_COLUMNS),
    "en": tuple(c.header_en for c in TEMPLATE_COLUMNS),
}


def _strip_unit_prefix(unit: str) -> str:
    u = unit.strip()
    low = u.lower()
    for p in UNIT_PREFIXES:
        if low.startswith(p):
            rest = u[len(p) :].lstrip()
            if rest[:1] in (":", "："):
                return rest[1:].strip()
    return u


def match_header(text: object) -> tuple[str, str | None] | None:
    """Recognise a header cell: ``(column key, unit or None)``, or None if unknown.

    Identity columns (USCC, name, industry, region, month; the optional English name) return
    no unit even when the header carries a bracketed hint (``月份(YYYY-MM)``); a bracketed
    qualifier may name another column (``企业名称(英文)`` is the English name). For quantities
    the unit is returned as written; whether it fits the field is the caller's question
    (``carbon.domain.quantities.unit_factor``).
    """
    if text is None or not isinstance(text, str):
        return None
    t = " ".join(text.split())
    if not t:
        return None
    key = HEADER_KEY_BY_NAME.get(normalise_name(t)) or alias_key(t)
    if key is not None:
        return key, None
    name, unit = split_header(t)
    if unit is None:
        return None
    key = HEADER_KEY_BY_NAME.get(normalise_name(name)) or alias_key(name)
    if key is None:
        return None
    if key in IDENTITY_BY_KEY:
        return QUALIFIED_KEYS.get((key, normalise_name(unit)), key), None
    unit = _strip_unit_prefix(unit)
    return key, unit or None


_TOTAL_EXACT_FOLDED = frozenset("".join(m.split()) for m in TOTAL_MARKERS_EXACT)
_TOTAL_EXACT_LONGEST = max(map(len, _TOTAL_EXACT_FOLDED))


def is_total_label(text: object) -> bool:
    """True for 合计 / 小计 / 总计 / Total cells that mark a subtotal row."""
    if not isinstance(text, str):
        return False
    t = "".join(text.split())
    for m in TOTAL_MARKERS_CONTAINED:
        if m in t:
            return True
    return len(t) <= _TOTAL_EXACT_LONGEST + 1 and t.lower().rstrip(":：") in _TOTAL_EXACT_FOLDED
