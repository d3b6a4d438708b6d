"""What the workbook and the PDF of the monthly report both say: number formats, labels of
counties and industries, the rating and provisional notes, the summary rows and the data
quality facts. Every label is bilingual (中文 / English).

The data is ``reports.monthly_data.MonthlyReportData``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from reports import provisional as prov
from reports.labels import COLOUR_LABELS, GRADE_LABELS, NOT_RATED
from reports.monthly_data import MonthlyReportData, PeriodKey, RatingSummary, Ref, Which, Who
from reports.regions import division_name, region_name
from reports.xlsx_book import XColumn

SHEETS = (
    "概览 Summary",
    "行业 By industry",
    "区县 By county",
    "评价分布 Ratings",
    "高碳名单 High-carbon list",
    "排放大户 Largest emitters",
    "数据质量 Data quality",
)
# Rows of the long lists the PDF shows; the workbook has them all.
PDF_LIST_LIMIT = 40
PDF_RED_LIMIT = 100

DASH = "—"
NBSP = "\u00a0"  # keeps a code and its name on one line in a wrapped table cell
BEIJING = timezone(timedelta(hours=8))
WHOLE_YEAR = "全年 / whole year"

PART_LABELS: dict[PeriodKey, tuple[str, str]] = {
    "fuel": ("化石燃料燃烧", "Fuel combustion"),
    "process": ("工业过程", "Industrial processes"),
    "electricity": ("外购电力", "Purchased electricity"),
    "heat": ("外购热力", "Purchased heat"),
}

# (figure, label, unit, number kind) of the summary table, in order.
SUMMARY_ROWS: tuple[tuple[PeriodKey, str, str, str], ...] = (
    ("total", "碳排放总量 / Total emissions", "tCO2", "tco2"),
    *((p, f"  其中：{zh} / of which {en.lower()}", "tCO2", "tco2") for p, (zh, en) in PART_LABELS.items()),
    ("energy_tce", "综合能耗 / Energy consumption", "tce", "tco2"),
    ("value_added", "工业增加值 / Value added", "万元 / 10^4 CNY", "tco2"),
    ("gross_output", "工业总产值 / Gross output", "万元 / 10^4 CNY", "tco2"),
    ("tax", "税收 / Tax", "万元 / 10^4 CNY", "tco2"),
    ("intensity", "碳排放强度 / Carbon intensity", "tCO2/万元", "intensity"),
    ("enterprises", "报送企业数 / Reporting enterprises", "家 / count", "int"),
)


# ------------------------------------------------------------------ formatting


def num(v: float | None, digits: int = 2) -> str:
    return DASH if v is None else f"{v + 0.0:,.{digits}f}"


def pct(ratio: float | None, *, signed: bool = True) -> str:
    if ratio is None:
        return DASH
    return f"{ratio * 100:+.1f}%" if signed else f"{ratio * 100:.1f}%"


def colour_label(colour: str | None) -> str:
    """``深绿 Dark green``; ``未评价 Not rated`` for none."""
    zh, en = NOT_RATED if colour is None else COLOUR_LABELS.get(colour, (colour, colour))
    return f"{zh} {en}"


def colour_pair(colour: str | None) -> str | None:
    """``深绿 / Dark green`` (a workbook cell); None for none."""
    if colour is None:
        return None
    zh, en = COLOUR_LABELS.get(colour, (colour, colour))
    return f"{zh} / {en}"


def grade_label(grade: int | None) -> str:
    """``3级``; a dash for none."""
    return DASH if grade is None else GRADE_LABELS.get(grade, (f"{grade}级", ""))[0]


def county_label(code: str) -> str:
    name = region_name(code)
    return code if name == code else f"{name}{NBSP}{code}"


def county_short(code: str) -> str:
    """The county's name (the code where it has none): for narrow columns."""
    return region_name(code)


def industry_label(division: str) -> str:
    name = division_name(division)
    return division if name == division else f"{division}{NBSP}{name}"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def enterprise_name(row: Mapping[str, object]) -> str:
    """The enterprise's name, its USCC where it has none."""
    return str(row.get("name") or row["uscc"])


def ref_text(ref: Ref | None) -> str:
    return DASH if not ref else f"{ref['id']}@{ref['version']}"


def generated(data: MonthlyReportData) -> str:
    """The generation time in Beijing time, as officials read it."""
    stamp = data.get("generated_at")
    if not stamp:
        return DASH
    t = datetime.fromisoformat(str(stamp))
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M} (UTC+8)"


def ytd_span(data: MonthlyReportData) -> str:
    return f"{data['year']:04d}-01 ~ {data['month']}"


def region_title(data: MonthlyReportData) -> str:
    region = data["region"]
    return f"{region_name(region)}（{region}）{data['month']}"


def yoy(data: MonthlyReportData, which: Which, key: PeriodKey) -> float | None:
    """The year-on-year change of a figure: as given, else worked out from the periods."""
    t = data["totals"]
    given = t["yoy_month"] if which == "month" else t["yoy_ytd"]
    if key in given:
        change = given[key]
        return None if change is None else float(change)
    now_period = t["month"] if which == "month" else t["ytd"]
    before_period = t["previous_month"] if which == "month" else t["previous_ytd"]
    now, before = now_period[key], before_period[key]
    if now is None or not before or not before_period["enterprises"]:
        return None
    return float((now - before) / abs(before))


# --------------------------------------------------------------------- ratings


def rating_note(r: RatingSummary) -> tuple[str, str]:
    """(zh, en): which year's ratings are shown, and why."""
    if r["year"] is None:
        return ("本区域尚无评价结果", "no ratings yet for this region")
    if r["fallback"]:
        return (
            f"{r['requested_year']}年尚无评价结果，采用{r['year']}年评价",
            f"no ratings for {r['requested_year']} yet: the {r['year']} ratings are shown",
        )
    return (
        f"{r['year']}年当前评价（依据已报送月份）",
        f"current {r['year']} ratings (from the months reported so far)",
    )


def provisional_fact(r: RatingSummary) -> str:
    """How many of the ratings are provisional (暂评, a year to date), over which months."""
    spans = r.get("provisional_months") or []
    text = f"{int(r.get('provisional') or 0):,} / {r['enterprises']:,}"
    if spans:
        zh = "；".join(f"{prov.months_span(x['months'], '、')}月 {x['enterprises']:,} 家" for x in spans)
        en = "; ".join(f"months {prov.months_span(x['months'])}: {x['enterprises']:,}" for x in spans)
        text += f"（{zh}） provisional, year to date ({en})"
    return text


PartKey = Literal["provisional_colours", "provisional_grades", "provisional_classes"]


def provisional_part(r: RatingSummary, key: PartKey, k: str) -> int:
    """Of the ratings of colour, grade or class ``k``, how many are provisional."""
    return int((r.get(key) or {}).get(k, 0))


def provisional_not_rated(r: RatingSummary) -> int:
    """Provisional among the enterprises without a rating colour."""
    return int(r.get("provisional") or 0) - int(r.get("provisional_rated") or 0)


def count_note(r: RatingSummary) -> tuple[str, str]:
    """How many of the ratings shown are provisional, over which months, and the meaning."""
    n = int(r.get("provisional") or 0)
    spans: Sequence[Mapping[str, object]] = r.get("provisional_months") or []
    return prov.count_note(n, r.get("enterprises"), spans)


def list_note(items: Sequence[Mapping[str, object]]) -> str | None:
    """The note under a list of rated enterprises that holds provisional ratings."""
    n = sum(1 for x in items if x.get("provisional"))
    if not n:
        return None
    en = prov.meaning("en")
    return (
        f"本表中暂评 {n:,} 家。{prov.meaning('zh')} / {n:,} of these ratings provisional (暂评). "
        f"{en[0].upper()}{en[1:]}"
    )


def rating_status(x: Mapping[str, object]) -> str | None:
    """The status cell of a rated row: 暂评 with its months, or whole year; None unrated
    (or in data that does not say)."""
    if "provisional" not in x or (x.get("grade") is None and x.get("colour") is None):
        return None
    return prov.status(x) or WHOLE_YEAR


def who_columns() -> list[XColumn[Who]]:
    """The workbook columns that name an enterprise in a list."""
    return [
        XColumn("统一社会信用代码 / USCC", 22, value=lambda r: r["uscc"]),
        XColumn("企业名称 / Name", 32, value=lambda r: r["name"]),
        XColumn("区县 / County", 16, value=lambda r: county_label(r["region_code"])),
        XColumn("行业代码 / Industry code", 11, value=lambda r: r["industry_code"]),
        XColumn("行业 / Industry", 26, value=lambda r: division_name(r["division"])),
    ]


# --------------------------------------------------------------------- quality


def quality_facts(data: MonthlyReportData) -> list[tuple[str, str]]:
    """(item, value) rows of the data quality table."""
    q = data["quality"]
    g = q["grid_factor"]
    grid = DASH
    if g:
        grid = f"{g['value']} {g['unit']}（{g['source_year']}）"
        if g["proxy"]:
            grid += f" 替代 proxy for {g['year']}"
    return [
        ("登记企业数 / Enterprises known in scope", f"{q['enterprises_known']:,}"),
        (
            "本月报送企业数 / With data this month",
            f"{q['enterprises_with_data']:,}（{pct(q['coverage'], signed=False)}）",
        ),
        ("本月未报送 / Without data this month", f"{len(q['missing_month']):,}"),
        ("缺少工业增加值 / Missing value added (this month)", f"{len(q['missing_value_added']):,}"),
        ("采用替代电网因子 / Results with a proxy grid factor", f"{q['factor_proxy_count']:,}"),
        ("电网排放因子 / Grid emission factor", grid),
        (f"因子集 / Factor set ({data['year']})", ref_text(q["factor_set"])),
        (f"因子集 / Factor set ({data['previous_year']})", ref_text(q["previous_factor_set"])),
        ("方法学 / Methodology", ref_text(q["methodology"])),
        (
            "评价所用方法学 / Methodology of the ratings",
            ", ".join(ref_text(m) for m in q["rating_methodologies"]) or DASH,
        ),
    ]
