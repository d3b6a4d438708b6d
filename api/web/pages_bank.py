"""The bank's pages (银行): the consents it holds, a borrower looked up by its USCC, and the
borrower's ratings, rating history, trend charts and (with an account consent) its account.

What the bank may see is decided by the use cases (``usecases.rating``,
``usecases.rating_history``, ``usecases.account``): without consent they refuse and the 403
page says why; a rating-only consent gives ratings marked ``scope: rating``."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, redirect, request

from api.web.common import blp, db, lang, origin, page_principal, render, requires_role
from api.web.i18n import add
from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.identifiers import uscc_problem
from carbon.services import usecases

add(
    {
        "zh": {
            "bank_title": "银行工作台",
            "bank_lookup": "查询借款企业",
            "bank_uscc": "统一社会信用代码",
            "bank_lookup_go": "查询",
            "bank_consents": "已获授权的企业",
            "bank_no_consents": "暂无企业向本行授权。",
            "bank_scope": "授权范围",
            "bank_scope_rating": "仅评级",
            "bank_scope_account": "评级与碳账户",
            "bank_expires": "有效期至",
            "bank_status": "状态",
            "bank_active": "有效",
            "bank_inactive": "已失效",
            "bank_open": "查看",
            "bank_borrower": "借款企业",
            "bank_latest": "最新评级",
            "bank_year": "年度",
            "bank_efficiency": "碳效码",
            "bank_grade": "碳效等级",
            "bank_class": "强度分类",
            "bank_intensity": "碳排放强度 (tCO2/万元)",
            "bank_ratio": "与行业比值 K",
            "bank_three_d": "三维四色",
            "bank_colour": "颜色",
            "bank_score": "综合得分",
            "bank_dimension": "维度",
            "bank_value": "数值",
            "bank_dim_score": "得分",
            "bank_industry_advanced": "行业先进性",
            "bank_regional_contribution": "区域贡献度",
            "bank_historical_decline": "历史下降率",
            "bank_not_assessed": "未评估",
            "bank_provisional": "暂评",
            "bank_provisional_note": "暂评：该年度数据尚不完整，评级可能变化。",
            "bank_history": "评级历史",
            "bank_trend": "趋势",
            "bank_chart_grade": "碳效等级历年变化图",
            "bank_chart_intensity": "碳排放强度历年变化图",
            "bank_account": "碳账户",
            "bank_account_none": "该年度没有碳账户。",
            "bank_rating_only": "本行的授权仅限评级，碳账户数据不可见。",
            "bank_emissions": "碳排放总量 (tCO2)",
            "bank_energy": "综合能耗 (tce)",
            "bank_energy_intensity": "能耗强度 (tce/万元)",
            "bank_value_added": "工业增加值 (万元)",
            "bank_months": "数据月数",
            "bank_no_ratings": "该企业尚无评级。",
            "bank_reason": "未评级原因",
            "bank_colour_dark_green": "深绿",
            "bank_colour_light_green": "浅绿",
            "bank_colour_yellow": "黄",
            "bank_colour_red": "红",
            "bank_class_low": "低",
            "bank_class_medium": "中",
            "bank_class_high": "高",
        },
        "en": {
            "bank_title": "Bank desk",
            "bank_lookup": "Look up a borrower",
            "bank_uscc": "Unified social credit code (USCC)",
            "bank_lookup_go": "Look up",
            "bank_consents": "Enterprises that granted consent",
            "bank_no_consents": "No enterprise has granted this bank consent yet.",
            "bank_scope": "Scope",
            "bank_scope_rating": "Ratings only",
            "bank_scope_account": "Ratings and account",
            "bank_expires": "Valid until",
            "bank_status": "Status",
            "bank_active": "Active",
            "bank_inactive": "Ended",
            "bank_open": "Open",
            "bank_borrower": "Borrower",
            "bank_latest": "Latest rating",
            "bank_year": "Year",
            "bank_efficiency": "Carbon-efficiency code",
            "bank_grade": "Grade",
            "bank_class": "Intensity class",
            "bank_intensity": "Carbon intensity (tCO2/10k yuan)",
            "bank_ratio": "Ratio to industry K",
            "bank_three_d": "Three dimensions, four colours",
            "bank_colour": "Colour",
            "bank_score": "Composite score",
            "bank_dimension": "Dimension",
            "bank_value": "Value",
            "bank_dim_score": "Score",
            "bank_industry_advanced": "Industry advancement",
            "bank_regional_contribution": "Regional contribution",
            "bank_historical_decline": "Historical decline",
            "bank_not_assessed": "Not assessed",
            "bank_provisional": "Provisional",
            "bank_provisional_note": "Provisional: the year's data is incomplete; the rating may change.",
            "bank_history": "Rating history",
            "bank_trend": "Trend",
            "bank_chart_grade": "Carbon-efficiency grade by year",
            "bank_chart_intensity": "Carbon intensity by year",
            "bank_account": "Carbon account",
            "bank_account_none": "No account for this year.",
            "bank_rating_only": "This bank's consent covers ratings only: the account is not shown.",
            "bank_emissions": "Total emissions (tCO2)",
            "bank_energy": "Energy use (tce)",
            "bank_energy_intensity": "Energy intensity (tce/10k yuan)",
            "bank_value_added": "Industrial value added (10k yuan)",
            "bank_months": "Months with data",
            "bank_no_ratings": "This enterprise has no rating yet.",
            "bank_reason": "Why not rated",
            "bank_colour_dark_green": "Dark green",
            "bank_colour_light_green": "Light green",
            "bank_colour_yellow": "Yellow",
            "bank_colour_red": "Red",
            "bank_class_low": "Low",
            "bank_class_medium": "Medium",
            "bank_class_high": "High",
        },
    }
)

DIMENSIONS = ("industry_advanced", "regional_contribution", "historical_decline")
CHARTS = (("grade-history", "bank_chart_grade"), ("intensity", "bank_chart_intensity"))


def _code(uscc: str) -> str:
    """The USCC as typed, upper-cased; a malformed one is a 422 in the user's words."""
    code = (uscc or "").strip().upper()[:64]
    problem = uscc_problem(code)
    if problem:
        raise InvalidValue(problem)
    return code


@blp.get("/bank")
@requires_role("bank")
def bank_home() -> str:
    consents = usecases.list_consents(db(), page_principal())
    consents = sorted(consents, key=lambda c: (not c["active"], c["uscc"]))
    return render("bank/home.html", consents=consents)


@blp.get("/bank/lookup")
@requires_role("bank")
def bank_lookup() -> Response:
    code = _code(request.args.get("uscc", ""))
    return redirect(f"/bank/borrower/{quote(code)}", code=303)


@blp.get("/bank/borrower/<uscc>")
@requires_role("bank")
def bank_borrower(uscc: str) -> str:
    code = _code(uscc)
    by, where = page_principal(), origin()
    history = usecases.rating_history(db(), code, by=by, origin=where)
    history = sorted(history, key=lambda r: r["year"], reverse=True)
    latest = account = None
    rating_only = False
    if history:
        latest = usecases.rating(db(), code, history[0]["year"], by=by, origin=where)
        rating_only = latest.get("scope") == "rating"
        if not rating_only:  # the use case checks the account consent again
            try:
                account = usecases.account(db(), code, latest["year"], by=by, origin=where)
            except NotFound:
                account = None
    charts = [
        (f"/api/v1/enterprises/{quote(code)}/charts/{kind}?format=svg&lang={lang()}", key)
        for kind, key in CHARTS
    ]
    name = (latest or {}).get("name_en" if lang() == "en" else "name") or (latest or {}).get("name")
    return render(
        "bank/borrower.html",
        uscc=code,
        name=name,
        latest=latest,
        history=history,
        account=account,
        rating_only=rating_only,
        charts=charts,
        dimensions=DIMENSIONS,
    )
