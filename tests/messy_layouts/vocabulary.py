"""The messy layouts' vocabulary: header names, units, labels, and the row type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carbon.domain.quantities import FIELDS, Dimension

Row = Mapping[str, Any]


# ---------------------------------------------------------------------------------------------
# Vocabulary: header names, units, labels. Every spelling here is one the importer's tables
# know (the self-check asserts it with importers.layout.match_header and quantities.unit_factor).
# ---------------------------------------------------------------------------------------------

IDENTITY_KEYS = ("uscc", "name", "industry_code", "region_code", "month")

# Identity column headers: the first is the official one, the others synonyms.
IDENTITY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "统一社会信用代码(18位)"),
        "name": ("企业名称", "单位名称", "单位详细名称", "公司名称"),
        "industry_code": ("行业代码", "国民经济行业代码", "行业分类代码"),
        "region_code": ("行政区划代码", "区划代码", "地区代码"),
        "month": ("月份", "统计期", "年月", "报告期"),
    },
    "en": {
        "uscc": ("USCC", "Unified social credit code", "Credit code"),
        "name": ("Name", "Enterprise name", "Company name"),
        "industry_code": ("Industry code", "GB/T 4754 code"),
        "region_code": ("Region code", "Administrative region code"),
        "month": ("Month", "Period", "Reporting period"),
    },
}


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Quantity names per language: the field's own name first, then its synonyms in that language
# (synonyms with brackets are left out: the unit goes in the brackets).
QUANTITY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {f.key: (f.name_zh, *(s for s in f.synonyms if _is_cjk(s) and "(" not in s)) for f in FIELDS},
    "en": {f.key: (f.name_en, *(s for s in f.synonyms if not _is_cjk(s) and "(" not in s)) for f in FIELDS},
}

# Units per dimension and language: (spelling, multiplier from the template unit). The template
# unit comes first. Written value = template value × multiplier.
UNIT_CHOICES: dict[Dimension, dict[str, tuple[tuple[str, float], ...]]] = {
    Dimension.ELECTRICITY: {
        "zh": (("万千瓦时", 1.0), ("MWh", 10.0), ("kWh", 10000.0), ("千瓦时", 10000.0), ("亿千瓦时", 1e-4)),
        "en": (("10^4 kWh", 1.0), ("MWh", 10.0), ("kWh", 10000.0), ("10^8 kWh", 1e-4)),
    },
    Dimension.MASS: {
        "zh": (("吨", 1.0), ("t", 1.0), ("kg", 1000.0), ("千克", 1000.0), ("万吨", 1e-4)),
        "en": (("t", 1.0), ("kg", 1000.0), ("10^4 t", 1e-4)),
    },
    Dimension.GAS_VOLUME: {
        "zh": (("万立方米", 1.0), ("万m³", 1.0), ("10⁴m³", 1.0), ("立方米", 10000.0), ("m³", 10000.0)),
        "en": (("10^4 Nm3", 1.0), ("10^4 m3", 1.0), ("m3", 10000.0), ("Nm3", 10000.0)),
    },
    Dimension.HEAT: {
        "zh": (("吉焦", 1.0), ("GJ", 1.0), ("百万千焦", 1.0), ("MJ", 1000.0)),
        "en": (("GJ", 1.0), ("MJ", 1000.0)),
    },
    Dimension.CO2: {
        "zh": (("吨二氧化碳", 1.0), ("吨CO2", 1.0), ("tCO2", 1.0), ("kgCO2", 1000.0)),
        "en": (("tCO2", 1.0), ("t CO2", 1.0), ("kgCO2", 1000.0)),
    },
    Dimension.MONEY: {
        "zh": (("万元", 1.0), ("元", 10000.0), ("千元", 10.0)),
        "en": (("10^4 CNY", 1.0), ("CNY", 10000.0), ("thousand CNY", 10.0)),
    },
}

COUNTY_NAMES: dict[str, tuple[str, str]] = {
    "330802": ("柯城区", "Kecheng"),
    "330803": ("衢江区", "Qujiang"),
    "330822": ("常山县", "Changshan"),
    "330824": ("开化县", "Kaihua"),
    "330825": ("龙游县", "Longyou"),
    "330881": ("江山市", "Jiangshan"),
}

PEOPLE_ZH = ("张三", "李四", "王芳", "刘伟", "陈静", "杨洋", "赵磊", "周敏")
PEOPLE_EN = ("Zhang San", "Li Si", "Wang Fang", "Liu Wei", "Chen Jing", "Zhou Min")

_LANG: dict[str, dict[str, Any]] = {
    "zh": {
        "groups": {
            "id": ("企业基本情况", "基本信息", "企业信息"),
            "energy": ("能源消费量", "能源消费", "分品种能源消费量"),
            "economic": ("经济指标", "主要经济指标"),
        },
        "extras": {
            "seq": "序号",
            "remark": "备注",
            "contact": "联系人",
            "phone": "联系电话",
            "filed": "填报日期",
        },
        "remarks": ("新投产", "停产检修", "数据已核实", "含自备电厂", "—"),
        "subtotal": ("小计", "小 计", "{name}小计", "企业小计"),
        "total": ("合计", "合 计", "总计", "全市合计"),
        "notes_sheet": "填表说明",
        "notes": (
            ("填表说明",),
            ("1. 本表由规模以上工业企业按月填报，统计局汇总。",),
            ("2. 能源消费量按实物量填写，计量单位见表头。",),
            ("3. 小计、合计行由系统生成，请勿修改。",),
            ("4. 统一社会信用代码为18位，行业代码按GB/T 4754-2017填写。",),
        ),
        "empty_sheets": ("Sheet1", "Sheet3", "空白"),
    },
    "en": {
        "groups": {
            "id": ("Enterprise information", "Basic information"),
            "energy": ("Energy consumption", "Energy use by carrier"),
            "economic": ("Economic indicators", "Economic data"),
        },
        "extras": {
            "seq": "No.",
            "remark": "Remarks",
            "contact": "Contact",
            "phone": "Phone",
            "filed": "Date filed",
        },
        "remarks": ("new plant", "maintenance shutdown", "verified", "—"),
        "subtotal": ("Subtotal", "Sub total", "subtotal"),
        "total": ("Total", "Grand total", "TOTAL"),
        "notes_sheet": "Notes",
        "notes": (
            ("Notes",),
            ("1. Filed monthly by industrial enterprises above designated size.",),
            ("2. Energy in physical units; see the column headers for units.",),
            ("3. Subtotal and total rows are generated; do not edit them.",),
        ),
        "empty_sheets": ("Sheet1", "Sheet3"),
    },
}

# Rough tce per template unit, only for the 能源合计 / 综合能源消费量 rows (not inputs).
_TCE: dict[str, float] = {
    "electricity": 1.229,
    "heat": 0.03412,
    "natural_gas": 12.143,
    "raw_coal": 0.7143,
    "bituminous_coal": 0.7143,
    "anthracite": 0.9,
    "diesel": 1.4571,
    "gasoline": 1.4714,
    "fuel_oil": 1.4286,
    "lpg": 1.7143,
    "coke": 0.9714,
    "process_co2": 0.0,
}
_NOT_ENERGY_USE = {"electricity_exported", "electricity_green", "process_co2"}

_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_FIXED_ISO = "2024-01-01T00:00:00Z"
