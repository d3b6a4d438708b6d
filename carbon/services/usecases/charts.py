"""Charts of one enterprise (PNG, SVG or PDF), drawn only for whom may see what they show."""

from __future__ import annotations

from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidValue, NotFound
from carbon.services import access, auth, queries
from carbon.services.usecases._reads import enterprise_read
from carbon.store.db import Database

CHART_KINDS = ("monthly-emissions", "intensity", "grade-history")
CHART_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart(
    db: Database,
    uscc: str,
    kind: str,
    *,
    year: int | None,
    fmt: str,
    lang: str,
    by: auth.Principal | None,
    origin: str | None = None,
) -> bytes:
    """A chart of one enterprise, drawn only for whom may see what it shows
    (``access.chart_needs``): the monthly emissions need the account, intensity and grade
    history the rating."""
    if fmt not in CHART_FORMATS:
        raise InvalidValue(f"format must be one of {', '.join(CHART_FORMATS)} / 格式不支持")
    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    if kind not in CHART_KINDS:
        raise InvalidValue(f"chart must be one of {', '.join(CHART_KINDS)} / 图表类型不支持")
    return enterprise_read(
        db, by, uscc, access.chart_needs(kind), f"chart.{kind}",
        lambda session: _draw_chart(session, uscc, kind, year=year, fmt=fmt, lang=lang), origin,
    )  # fmt: skip


def _draw_chart(session: Session, uscc: str, kind: str, *, year: int | None, fmt: str, lang: str) -> bytes:
    from reports import charts

    e = queries.enterprise(session, uscc)
    # a proper name is not translated: an English title names the English name on record, if any
    name = (e.name_en if lang == "en" else None) or e.name or e.uscc
    if kind == "monthly-emissions":
        if year is None:
            raise InvalidValue("year is required for this chart / 该图表需要年份参数")
        months, series = queries.chart_monthly(session, uscc, year)
        title = (
            f"{name} {year} 月度碳排放（按能源品种）"
            if lang == "zh"
            else f"{name}: monthly emissions by carrier, {year}"
        )
        return charts.monthly_emissions_chart(months, series, title=title, lang=lang, fmt=fmt)
    # ?year= ends the history at that year (the years up to and including it)
    hist = [h for h in queries.rating_history(session, uscc) if year is None or h["year"] <= year]
    if not hist:
        up_to = "" if year is None else f" up to {year}"
        up_to_zh = "" if year is None else f"{year}年及以前"
        raise NotFound(f"{uscc} has no ratings{up_to} yet / {uscc}{up_to_zh}暂无评价结果")
    # per year: the months of a provisional (暂评, year-to-date) rating, None for a whole year
    partial = {h["year"]: h["months"] for h in hist if h["provisional"]}
    if kind == "intensity":
        all_years, *peers = queries.chart_intensity(session, uscc)
        shown = [i for i, y in enumerate(all_years) if year is None or y <= year]
        years = [all_years[i] for i in shown]
        own, industry, region = ([s[i] for i in shown] for s in peers)
        title = f"{name} 碳排放强度对比" if lang == "zh" else f"{name}: carbon intensity vs peers"
        return charts.intensity_chart(
            years, own, industry, region, provisional=[partial.get(y) for y in years],
            title=title, lang=lang, fmt=fmt,
        )  # fmt: skip
    title = f"{name} 碳效等级与四色评价历年变化" if lang == "zh" else f"{name}: grade and colour by year"
    return charts.grade_history_chart(
        [h["year"] for h in hist],
        [h["carbon_efficiency"]["grade"] for h in hist],
        [h["three_dimensional"]["colour"] for h in hist],
        provisional=[partial.get(h["year"]) for h in hist],
        title=title,
        lang=lang,
        fmt=fmt,
    )
