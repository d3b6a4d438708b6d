"""The ratings side of the monthly report: the current ratings in scope (with 暂评 marked),
their counts by colour, grade and class, each enterprise's latest month of data, the grid
factor and the methodologies in use. Used by ``carbon.services.monthly``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.domain.errors import CarbonError
from carbon.domain.rating import FULL_YEAR, mask_months
from carbon.domain.vocabulary import CLASSES, COLOURS, Colour
from carbon.services import reference
from carbon.store.models import Enterprise, MonthlyInput, RatingRow
from reports.monthly_data import GridFactor, RatingSummary, Ref

GRADES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Rated:
    """One current rating in scope."""

    grade: int | None
    colour: str | None
    intensity_class: str | None
    score: float | None
    intensity: float | None
    emissions: float
    methodology: str
    provisional: bool  # 暂评: a year to date
    months: list[int] | None  # the months it rates


UNRATED = Rated(None, None, None, None, None, 0.0, "", False, None)


@dataclass(frozen=True)
class RegionRatings:
    rows: dict[int, Rated]  # by position in the enterprise list
    summary: RatingSummary
    methodologies: list[Ref]

    @property
    def red_positions(self) -> set[int]:
        return {i for i, r in self.rows.items() if r.colour == Colour.RED}


def region_ratings(session: Session, scope: Any, year: int, position: dict[int, int]) -> RegionRatings:
    """Current ratings of ``year`` in scope, or of the latest earlier year that has any."""
    rating_year = session.scalar(
        select(func.max(RatingRow.year))
        .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
        .where(RatingRow.is_current.is_(True), RatingRow.year <= year, scope)
    )
    rows: dict[int, Rated] = {}
    if rating_year is not None:
        for r in session.execute(
            select(
                RatingRow.enterprise_id,
                RatingRow.grade,
                RatingRow.colour,
                RatingRow.intensity_class,
                RatingRow.score,
                RatingRow.intensity,
                RatingRow.emissions,
                RatingRow.methodology,
                RatingRow.provisional,
                RatingRow.month_mask,
            )
            .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
            .where(RatingRow.is_current.is_(True), RatingRow.year == rating_year, scope)
        ):
            months = mask_months(FULL_YEAR if r.month_mask is None else r.month_mask)
            rows[position[r.enterprise_id]] = Rated(
                r.grade, r.colour, r.intensity_class, r.score, r.intensity, r.emissions, r.methodology,
                bool(r.provisional), months,
            )  # fmt: skip
    colours = Counter(r.colour for r in rows.values())
    grades = Counter(str(r.grade) for r in rows.values() if r.grade is not None)
    classes = Counter(r.intensity_class for r in rows.values())
    rated = sum(colours[c] for c in COLOURS)
    partial = [r for r in rows.values() if r.provisional]
    partial_colours = Counter(r.colour for r in partial)
    spans = Counter(tuple(r.months or ()) for r in partial)
    summary: RatingSummary = {
        "year": rating_year,
        "requested_year": year,
        "fallback": rating_year is not None and rating_year != year,
        "enterprises": len(rows),
        "rated": rated,
        "not_rated": len(rows) - rated,
        "colours": {c: colours[c] for c in COLOURS},
        "grades": {g: grades[g] for g in GRADES},
        "classes": {c: classes[c] for c in CLASSES},
        # provisional ratings (暂评, a year to date) among them, and the months they rate
        "provisional": len(partial),
        "provisional_rated": sum(partial_colours[c] for c in COLOURS),
        "provisional_colours": {c: partial_colours[c] for c in COLOURS},
        "provisional_grades": {g: sum(str(r.grade) == g for r in partial) for g in GRADES},
        "provisional_classes": {c: sum(r.intensity_class == c for r in partial) for c in CLASSES},
        "provisional_months": [{"months": list(m), "enterprises": k} for m, k in sorted(spans.items())],
    }
    return RegionRatings(
        rows=rows,
        summary=summary,
        methodologies=[ref_of(m) for m in sorted({r.methodology for r in rows.values()})],
    )


def latest_periods(session: Session, scope: Any, position: dict[int, int], n: int) -> list[str | None]:
    """Each enterprise's latest month with current data (``YYYY-MM``), or None."""
    key = MonthlyInput.year * 100 + MonthlyInput.month
    latest: list[str | None] = [None] * n
    for eid, ym in session.execute(
        select(MonthlyInput.enterprise_id, func.max(key))
        .join(Enterprise, Enterprise.id == MonthlyInput.enterprise_id)
        .where(MonthlyInput.is_current.is_(True), scope)
        .group_by(MonthlyInput.enterprise_id)
    ):
        latest[position[eid]] = f"{int(ym) // 100:04d}-{int(ym) % 100:02d}"
    return latest


def grid_factor(session: Session, fs_ref: str, year: int) -> GridFactor | None:
    try:
        g = reference.factor_set(fs_ref, session).grid_factor(year)
    except CarbonError:
        return None
    return {
        "value": g.value,
        "unit": "tCO2/MWh",
        "year": g.year,
        "source_year": g.source_year,
        "proxy": g.proxy,
    }


def ref_of(ref: str) -> Ref:
    key, version = reference.split_ref(ref)
    return {"id": key, "version": version}
