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


def ratings_query(
    *,
    year: int | None = None,
    region: str | None = None,
    industry: str | None = None,
    grade: int | None = None,
    colour: str | None = None,
    intensity_class: str | None = None,
) -> Select[RatingRow, Enterprise]:
    stmt = (
        select(RatingRow, Enterprise)
        .options(defer(RatingRow.explanation))  # a list shows none: not read, not sent
        .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
        .where(RatingRow.is_current)  # as the partial indexes say it: they serve it
    )
    if year is not None:
        stmt = stmt.where(RatingRow.year == year)
    if region:
        stmt = stmt.where(access.in_region(region))
    if industry:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry))
    if grade is not None:
        stmt = stmt.where(RatingRow.grade == grade)
    if colour:
        stmt = stmt.where(RatingRow.colour == colour)
    if intensity_class:
        stmt = stmt.where(RatingRow.intensity_class == intensity_class)
    return stmt.order_by(RatingRow.year.desc(), Enterprise.uscc)


def ratings_counted(filters: dict[str, Any], seen: ColumnElement[bool]) -> Select[Any] | None:
    """The ratings alone, when neither ``filters`` nor ``seen`` asks anything of the
    enterprises (an administrator's list by year, grade, colour or class): every rating
    has its enterprise, so they count the same without the join, from an index alone."""
    if filters.get("region") or filters.get("industry") or not isinstance(seen, True_):
        return None
    stmt = select(RatingRow.id).where(RatingRow.is_current)
    for key, column in (("year", RatingRow.year), ("grade", RatingRow.grade), ("colour", RatingRow.colour),
                        ("intensity_class", RatingRow.intensity_class)):  # fmt: skip
        if filters.get(key) is not None:
            stmt = stmt.where(column == filters[key])
    return stmt


def ratings_after(
    session: Session, filters: dict[str, Any], seen: ColumnElement[bool], cursor: str, size: int
) -> list[Any]:
    """The page of ``ratings_query(**filters)`` (only what ``seen`` selects) that follows the
    rating the cursor names (``rating_cursor``), in the list's order: year descending, then
    USCC. One query per year the page spans, each walking the enterprises' USCC index from
    the cursor on and looking each one's current rating up by its (enterprise, year) index:
    the same few index reads however deep the page, where an offset reads and drops every
    row before it; no total is counted (the first page told it)."""
    y, _, uscc = cursor.partition(":")
    if not (y.isdigit() and len(y) == 4 and uscc_problem(uscc) is None):
        raise InvalidValue(f"after must be a cursor such as 2023:{'9' * 18}, as the previous page gave it")
    year, wanted = int(y), filters.get("year")
    lowest = wanted if wanted is not None else session.scalar(select(func.min(RatingRow.year)))
    if wanted is not None and wanted != year:  # the filtered year lies wholly after or before
        year, uscc = (wanted, "") if wanted < year else (wanted - 1, "")
    rows: list[Any] = []
    while lowest is not None and year >= lowest and len(rows) < size:
        stmt = ratings_query(**{**filters, "year": year}).where(seen, Enterprise.uscc > uscc)
        rows += session.execute(stmt.limit(size - len(rows))).all()
        year, uscc = year - 1, ""
    return rows


def rating_cursor(item: RatingView) -> str:
    """The cursor naming a rating in the ratings list (``ratings_after``)."""
    return f"{item['year']}:{item['uscc']}"
