"""The official's pages (政府部门): the region dashboard, the ratings list, the red list,
one enterprise, the monthly report and the open data. Every figure comes from the same use
cases as the API, called as the logged-in official (no access rule lives here)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import ValidationError

from api.resources.ratings.routes import RatingQuerySchema
from api.web.common import blp, db, lang, origin, page_principal, render, requires_role
from api.web.i18n import add
from carbon import names
from carbon.domain.errors import InvalidValue
from carbon.domain.identifiers import region_in_scope
from carbon.domain.vocabulary import CLASSES, COLOURS
from carbon.services import usecases

PAGE_SIZE = 20
FILTERS = ("year", "region", "industry", "grade", "colour", "class")

add(
    {
        "zh": {
            "off_dashboard": "辖区概览",
            "off_region": "辖区",
            "off_enterprises": "企业数",
            "off_year": "年度",
            "off_total_tco2": "排放总量 (tCO₂)",
            "off_not_rated": "未评价",
            "off_grades": "碳效等级分布",
            "off_colours": "三维四色分布",
            "off_grade": "碳效等级",
            "off_grade_n": "{n}级",
            "off_colour": "颜色",
            "off_class": "强度类别",
            "off_by_county": "按区县",
            "off_by_industry": "按行业",
            "off_county": "区县",
            "off_industry": "行业",
            "off_ratings": "评价结果",
            "off_red_list": "红色企业名单",
            "off_report": "月度报告",
            "off_open_data": "公开数据",
            "off_filter": "筛选",
            "off_all": "全部",
            "off_industry_code": "行业代码 (GB/T 4754 前缀)",
            "off_uscc": "统一社会信用代码",
            "off_name": "企业名称",
            "off_score": "三维得分",
            "off_intensity": "碳排放强度 (tCO₂/万元)",
            "off_emissions": "排放量 (tCO₂)",
            "off_provisional": "暂评",
            "off_none": "没有符合条件的记录",
            "off_prev": "上一页",
            "off_next": "下一页",
            "off_page": "页",
            "off_of": "共",
            "off_results": "条",
            "off_latest_rating": "最新评价",
            "off_account": "碳账户",
            "off_energy_tce": "能耗 (tce)",
            "off_value_added": "工业增加值 (万元)",
            "off_months": "月份数",
            "off_history": "历年评价",
            "off_no_rating": "尚无评价",
            "off_month": "月份",
            "off_download_pdf": "下载 PDF",
            "off_download_xlsx": "下载 Excel",
            "off_report_note": "报告包含所选区域当月的排放、等级和颜色统计及高碳企业名单。",
            "off_open_note": "公开数据已脱敏：少于3家企业的分组不公开，企业名称和代码已遮盖。",
            "off_open_json": "JSON",
            "off_open_xlsx": "Excel 工作簿",
            "off_colour_dark_green": "深绿",
            "off_colour_light_green": "浅绿",
            "off_colour_yellow": "黄色",
            "off_colour_red": "红色",
            "off_class_low": "低",
            "off_class_medium": "中",
            "off_class_high": "高",
        },
        "en": {
            "off_dashboard": "Region dashboard",
            "off_region": "Region",
            "off_enterprises": "Enterprises",
            "off_year": "Year",
            "off_total_tco2": "Total emissions (tCO₂)",
            "off_not_rated": "Not rated",
            "off_grades": "Carbon-efficiency grades",
            "off_colours": "Four colours",
            "off_grade": "Grade",
            "off_grade_n": "Grade {n}",
            "off_colour": "Colour",
            "off_class": "Intensity class",
            "off_by_county": "By county",
            "off_by_industry": "By industry",
            "off_county": "County",
            "off_industry": "Industry",
            "off_ratings": "Ratings",
            "off_red_list": "Red list",
            "off_report": "Monthly report",
            "off_open_data": "Open data",
            "off_filter": "Filter",
            "off_all": "All",
            "off_industry_code": "Industry code (GB/T 4754 prefix)",
            "off_uscc": "USCC",
            "off_name": "Enterprise",
            "off_score": "3-D score",
            "off_intensity": "Intensity (tCO₂/10k CNY)",
            "off_emissions": "Emissions (tCO₂)",
            "off_provisional": "Provisional",
            "off_none": "Nothing matches",
            "off_prev": "Previous",
            "off_next": "Next",
            "off_page": "page",
            "off_of": "of",
            "off_results": "results",
            "off_latest_rating": "Latest rating",
            "off_account": "Carbon account",
            "off_energy_tce": "Energy (tce)",
            "off_value_added": "Value added (10k CNY)",
            "off_months": "Months",
            "off_history": "Ratings by year",
            "off_no_rating": "Not rated yet",
            "off_month": "Month",
            "off_download_pdf": "Download PDF",
            "off_download_xlsx": "Download Excel",
            "off_report_note": ("The month's emissions, grades, colours and high-carbon list of the region."),
            "off_open_note": (
                "Open data is desensitised: groups of fewer than 3 enterprises are suppressed, "
                "names and codes masked."
            ),
            "off_open_json": "JSON",
            "off_open_xlsx": "Excel workbook",
            "off_colour_dark_green": "Dark green",
            "off_colour_light_green": "Light green",
            "off_colour_yellow": "Yellow",
            "off_colour_red": "Red",
            "off_class_low": "Low",
            "off_class_medium": "Medium",
            "off_class_high": "High",
        },
    }
)


def region_name(code: str | None) -> str:
    if not code:
        return "–"
    name = names.region(code)
    return f"{name.in_lang(lang())} ({code})" if name else code


def industry_name(code: str | None) -> str:
    if not code:
        return "–"
    name = names.division(code[:2])
    return f"{name.in_lang(lang())} ({code[:2]})" if name else code


def counties() -> list[tuple[str, str]]:
    """The official's region and the counties under it, for the region choices."""
    own = page_principal().region_code or ""
    inside = (c for c in names.regions() if region_in_scope(c, own))
    codes = sorted(c for c in inside if c == own or not c.endswith("00"))
    return [(c, region_name(c)) for c in codes]


@blp.get("/official")
@requires_role("official")
def official_dashboard() -> str:
    by = page_principal()
    summary = usecases.summary(db(), by=by)
    years = summary.get("years") or []
    latest = years[-1]["year"] if years else None
    by_county: list[dict[str, Any]] = []
    by_industry: list[dict[str, Any]] = []
    if latest is not None:  # counted by the database, however many enterprises
        tables = usecases.region_tables(db(), latest, by=by)
        by_county = [{"label": region_name(g["code"]), **g} for g in tables["by_county"]]
        by_industry = [{"label": industry_name(g["code"]), **g} for g in tables["by_industry"]]
    return render(
        "official/dashboard.html",
        summary=summary,
        region=region_name(summary.get("region")),
        latest=latest,
        by_county=by_county,
        by_industry=by_industry,
        colours=COLOURS,
    )


def _filters() -> dict[str, Any]:
    """The list's filters from the query string, checked as the API checks them (an
    unknown region or a bad value is a 422); empty fields mean no filter."""
    raw = {k: v.strip() for k, v in request.args.items() if k in FILTERS and v.strip()}
    try:
        return dict(RatingQuerySchema().load(raw))
    except ValidationError as exc:
        raise InvalidValue(
            "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.messages.items())
        ) from exc


def _page_number() -> int:
    raw = request.args.get("page", "1").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise InvalidValue("page must be a whole number from 1 / 页码应为正整数")
    return int(raw)


def _ratings_list(template: str, filters: dict[str, Any], **extra: Any) -> str:
    number = _page_number()
    items, total = usecases.ratings_page(
        db(), filters, number, PAGE_SIZE, by=page_principal(), origin=origin()
    )
    pages = max(1, -(-total // PAGE_SIZE))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render(
        template,
        items=items,
        total=total,
        number=number,
        pages=pages,
        args=args,
        shown=filters,
        colours=COLOURS,
        classes=CLASSES,
        counties=counties(),
        region_name=region_name,
        **extra,
    )


@blp.get("/official/ratings")
@requires_role("official")
def official_ratings() -> str:
    return _ratings_list("official/ratings.html", _filters())


@blp.get("/official/red-list")
@requires_role("official")
def official_red_list() -> str:
    years = usecases.summary(db(), by=page_principal()).get("years") or []
    latest = years[-1]["year"] if years else None
    filters: dict[str, Any] = {"colour": "red"}
    if latest is not None:
        filters["year"] = latest
    return _ratings_list("official/red_list.html", filters, latest=latest)


@blp.get("/official/enterprise/<uscc>")
@requires_role("official")
def official_enterprise(uscc: str) -> str:
    by, where = page_principal(), origin()
    firm = usecases.enterprise(db(), uscc, by=by, origin=where)
    history = usecases.rating_history(db(), uscc, by=by, origin=where)
    history = sorted(history, key=lambda r: r["year"])
    latest = history[-1] if history else None
    account = usecases.account(db(), uscc, latest["year"], by=by, origin=where) if latest else None
    return render(
        "official/enterprise.html",
        firm=firm,
        latest=latest,
        account=account,
        history=history,
        region=region_name(firm.get("region_code")),
        industry=industry_name(firm.get("industry_code")),
    )


@blp.get("/official/report")
@requires_role("official")
def official_report() -> str:
    years = usecases.summary(db(), by=page_principal()).get("years") or []
    month = f"{years[-1]['year']}-12" if years else ""
    return render("official/report.html", counties=counties(), month=month)


@blp.get("/official/open-data")
@requires_role("official")
def official_open_data() -> str:
    years = usecases.summary(db(), by=page_principal()).get("years") or []
    return render("official/open_data.html", years=[y["year"] for y in reversed(years)])
