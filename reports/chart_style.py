"""The look of the enterprise charts (``reports.charts``): their text per language, the
colour of each energy carrier, and the matplotlib style.

Every label a chart draws comes from ``TEXT``, from the field names of
``carbon.domain.quantities`` or from ``reports.labels`` (the 三维四色 colours); a chart in
English has no Chinese character in it.
"""

from __future__ import annotations

from typing import Any

from matplotlib.typing import RcKeyType

from carbon.domain.vocabulary import COLOURS
from reports.labels import COLOUR_LABELS

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "monthly_title": "月度碳排放（按能源品种）",
        "emissions_axis": "排放量 (吨二氧化碳)",
        "month_axis": "月份",
        "net_total": "净排放合计",
        "no_emissions": "本期无排放数据",
        "intensity_title": "碳排放强度：本企业与行业、区县平均",
        "intensity_axis": "排放强度 (吨二氧化碳/万元增加值)",
        "year_axis": "年份",
        "enterprise": "本企业",
        "industry": "行业平均",
        "region": "区县平均",
        "not_computable": "无法计算",
        "intensity_note": "注：“无法计算”表示该年缺少计算所需数据（如工业增加值）。",
        "grade_title": "碳效等级历年变化",
        "grade_axis": "碳效等级（1级最优，5级最差）",
        "grade_tick": "{grade}级",
        "grade_note": "注：“无法计算”表示该年无法评级（如缺少工业增加值）。",
        "colour_legend": "三维四色",
        "no_colour": "未评色",
        "colour_title": "三维四色评价分布",
        "count_axis": "企业数（家）",
        "colour_total": "合计 {total:,} 家企业",
        "no_data": "暂无数据",
        **{c: COLOUR_LABELS[c][0] for c in COLOURS},
        "provisional_legend": "暂评（年初至今）",
        "provisional_colour_note": "其中暂评 {count:,} 家（浅色部分）：年初至今数据，按同期月份评价，"
        "全年数据齐全后更新。",
    },
    "en": {
        "monthly_title": "Monthly emissions by energy carrier",
        "emissions_axis": "Emissions (tCO2)",
        "month_axis": "Month",
        "net_total": "Net total",
        "no_emissions": "No emissions in this period",
        "intensity_title": "Emission intensity: enterprise vs industry and county averages",
        "intensity_axis": "Intensity (tCO2 per 10,000 CNY value added)",
        "year_axis": "Year",
        "enterprise": "Enterprise",
        "industry": "Industry average",
        "region": "County average",
        "not_computable": "n/a",
        "intensity_note": "n/a: not computable for that year (e.g. no value added reported).",
        "grade_title": "Carbon-efficiency grade by year",
        "grade_axis": "Grade (1 best, 5 worst)",
        "grade_tick": "{grade}",
        "grade_note": "n/a: no grade for that year (e.g. no value added reported).",
        "colour_legend": "Four-colour rating",
        "no_colour": "No colour",
        "colour_title": "Four-colour rating distribution",
        "count_axis": "Enterprises",
        "colour_total": "{total:,} enterprises in total",
        "no_data": "No data",
        **{c: COLOUR_LABELS[c][1] for c in COLOURS},
        "provisional_legend": "Provisional (year to date)",
        "provisional_colour_note": "Lighter part: {count:,} provisional ratings (year to date, "
        "rated over the same months; final once the year is complete).",
    },
}

# One colour per energy carrier, grouped by family so a stack reads at a glance:
# electricity blues/green, heat orange, coals greys (lignite brown), oils purples and
# golds, gases teals, process emissions brown.
CARRIER_COLOURS: dict[str, str] = {
    "electricity": "#1f77b4",
    "electricity_exported": "#9ecae1",
    "electricity_green": "#2ca02c",
    "heat": "#ff7f0e",
    "raw_coal": "#2b2b2b",
    "anthracite": "#525252",
    "bituminous_coal": "#7a7a7a",
    "lignite": "#8c6d31",
    "cleaned_coal": "#a3a3a3",
    "coke": "#c8c8c8",
    "crude_oil": "#54278f",
    "fuel_oil": "#756bb1",
    "gasoline": "#e7ba52",
    "kerosene": "#bcbd22",
    "diesel": "#9467bd",
    "lpg": "#e377c2",
    "petroleum_coke": "#7b4173",
    "natural_gas": "#17becf",
    "coke_oven_gas": "#0e7c86",
    "blast_furnace_gas": "#74c7b8",
    "converter_gas": "#2b5f5a",
    "process_co2": "#8c564b",
}
# For keys not in the table: picked by a stable hash of the key, so still consistent.
OTHER_COLOURS: tuple[str, ...] = (
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
)

STYLE: dict[RcKeyType, Any] = {
    "font.size": 10,
    "axes.titlesize": 13,
    "axes.titlelocation": "left",
    "axes.titlepad": 12,
    "axes.labelsize": 10,
    "axes.labelcolor": "#333333",
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 9,
    "legend.frameon": False,
    "text.color": "#222222",
}
