"""A region's county and industry tables: enterprises, tCO2 and colours per group of the
current ratings of a year, counted by the database (GROUP BY), however many enterprises.

Each rating is grouped by the codes it was computed with (its county and industry
division; the enterprise's current ones for a rating stored before codes were kept),
as the ratings list shows it. An aggregate names no enterprise, so it is not a read of
any one enterprise's data (like the summary)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from carbon.domain.vocabulary import COLOURS
from carbon.store.models import Enterprise, RatingRow


def breakdown(session: Session, year: int, seen: ColumnElement[bool]) -> dict[str, list[dict[str, Any]]]:
    """``by_county`` and ``by_industry``: per code (in code order) the enterprises, their
    tCO2 and how many are of each colour, over the current ratings of ``year`` of the
    enterprises ``seen`` selects."""
    county = func.coalesce(RatingRow.region_code, Enterprise.region_code)
    industry = func.substr(func.coalesce(RatingRow.industry_code, Enterprise.industry_code), 1, 2)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, key in (("by_county", county), ("by_industry", industry)):
        groups: dict[str, dict[str, Any]] = {}
        stmt = (
            select(key, RatingRow.colour, func.count(), func.sum(RatingRow.emissions))
            .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
            .where(RatingRow.is_current.is_(True), RatingRow.year == year, seen)
            .group_by(key, RatingRow.colour)
        )
        for code, colour, count, tco2 in session.execute(stmt):
            g = groups.setdefault(code or "", {"enterprises": 0, "tco2": 0.0, **{c: 0 for c in COLOURS}})
            g["enterprises"] += count
            g["tco2"] += float(tco2 or 0.0)
            if colour in COLOURS:
                g[colour] += count
        out[name] = [{"code": code, **g} for code, g in sorted(groups.items())]
    return out
