"""The ratings list: current ratings of many enterprises, filtered, by page number or by
cursor (keyset pagination: docs/api.md, Walking a long list by cursor)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import True_

from carbon.domain.errors import InvalidValue
from carbon.domain.identifiers import uscc_problem
from carbon.services import access
from carbon.services.views import RatingView
from carbon.store.models import Enterprise, RatingRow

# the filters on a rating itself (``ratings_query``'s keywords), beside those on its enterprise
_ON_RATINGS = (
    ("year", RatingRow.year),
    ("grade", RatingRow.grade),
    ("colour", RatingRow.colour),
    ("intensity_class", RatingRow.intensity_class),
)


def _on_ratings(filters: dict[str, Any]) -> list[ColumnElement[bool]]:
    return [column == filters[key] for key, column in _ON_RATINGS if filters.get(key) not in (None, "")]


def ratings_query(
    *,
    year: int | None = None,
    region: str | None = None,
    industry: str | None = None,
    grade: int | None = None,
    colour: str | None = None,
    intensity_class: str | None = None,
) -> Select[RatingRow, Enterprise]:
    on_ratings = {"year": year, "grade": grade, "colour": colour, "intensity_class": intensity_class}
    stmt = (
        select(RatingRow, Enterprise)
        .options(defer(RatingRow.explanation))  # a list shows none: not read, not sent
        .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
        .where(RatingRow.is_current, *_on_ratings(on_ratings))  # as the partial indexes say it
    )
    if region:
        stmt = stmt.where(access.in_region(region))
    if industry:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry))
    return stmt.order_by(RatingRow.year.desc(), Enterprise.uscc)


def ratings_counted(filters: dict[str, Any], seen: ColumnElement[bool]) -> Select[Any] | None:
    """The ratings alone, when neither ``filters`` nor ``seen`` asks anything of the
    enterprises (an administrator's list by year, grade, colour or class): every rating
    has its enterprise, so they count the same without the join, from an index alone."""
    if filters.get("region") or filters.get("industry") or not isinstance(seen, True_):
        return None
    return select(RatingRow.id).where(RatingRow.is_current, *_on_ratings(filters))


def _newest_year(session: Session, at_most: int) -> int | None:
    """The newest year with a current rating, up to ``at_most`` (one index look-up)."""
    found = session.scalar(
        select(func.max(RatingRow.year)).where(RatingRow.is_current, RatingRow.year <= at_most)
    )
    return None if found is None else int(found)


def ratings_after(
    session: Session, filters: dict[str, Any], seen: ColumnElement[bool], cursor: str, size: int
) -> list[Any]:
    """The page of ``ratings_query(**filters)`` (only what ``seen`` selects) that follows the
    rating the cursor names (``rating_cursor``), in the list's order: year descending, then
    USCC. One query per year the page spans, each walking the enterprises' USCC index from
    the cursor on and looking each one's current rating up by its (enterprise, year) index,
    and the next year with ratings found by one index look-up (a cursor's year, whatever it
    says, costs no query of its own): the same few index reads however deep the page, where
    an offset reads and drops every row before it; no total is counted (the first page
    told it)."""
    y, _, uscc = cursor.partition(":")
    if not (y.isdigit() and len(y) == 4 and uscc_problem(uscc) is None):
        raise InvalidValue(f"after must be a cursor such as 2023:{'9' * 18}, as the previous page gave it")
    wanted = filters.get("year")
    if wanted is not None:  # one year: after the cursor in it, all of it, or nothing
        if wanted > int(y):
            return []
        year: int | None = wanted
    else:
        year = _newest_year(session, int(y))
    if year != int(y):
        uscc = ""
    rows: list[Any] = []
    while year is not None and len(rows) < size:
        stmt = ratings_query(**{**filters, "year": year}).where(seen, Enterprise.uscc > uscc)
        rows += session.execute(stmt.limit(size - len(rows))).all()
        year = None if wanted is not None else _newest_year(session, year - 1)
        uscc = ""
    return rows


def rating_cursor(item: RatingView) -> str:
    """The cursor naming a rating in the ratings list (``ratings_after``)."""
    return f"{item['year']}:{item['uscc']}"
