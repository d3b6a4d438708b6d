"""Ratings: one enterprise's rating of a year and its history, and a page of ratings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from carbon.services import access, auth, queries, rating_lists
from carbon.services.usecases._reads import enterprise_read, listed
from carbon.services.views import RatingView
from carbon.store.db import Database


def rating(
    db: Database, uscc: str, year: int, *, by: auth.Principal | None, origin: str | None = None
) -> RatingView:
    """A rating with its explanation, as ``by`` may see it (``access.rating_view_for``)."""

    def read(session: Session) -> RatingView:
        assert by is not None  # enterprise_read checked the login
        return access.ratings_for(session, by, [queries.rating_view(session, uscc, year)])[0]

    return enterprise_read(db, by, uscc, access.RATING, "rating", read, origin)


def rating_history(
    db: Database,
    uscc: str,
    all_revisions: bool = False,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> list[RatingView]:
    """Every year's current rating (or every revision), as ``by`` may see them."""

    def read(session: Session) -> list[RatingView]:
        assert by is not None  # enterprise_read checked the login
        history = queries.rating_history(session, uscc, all_revisions=all_revisions)
        return access.ratings_for(session, by, history)

    return enterprise_read(db, by, uscc, access.RATING, "rating_history", read, origin)


def ratings_page(
    db: Database, filters: dict[str, Any], number: int, size: int, *, by: auth.Principal | None,
    origin: str | None = None,
) -> tuple[list[RatingView], int]:  # fmt: skip
    """A page of the current ratings of the enterprises ``by`` may see, each as ``by`` may
    see it, and how many there are."""

    def read(session: Session, p: auth.Principal, seen: ColumnElement[bool]) -> tuple[list[RatingView], int]:
        stmt = rating_lists.ratings_query(**filters).where(seen)
        counted = rating_lists.ratings_counted(filters, seen)
        rows, total = queries.page(session, stmt, number, size, counted)
        return access.ratings_for(session, p, [queries.rating_dict(r, e) for r, e in rows]), total

    return listed(db, by, "list.ratings", read, origin)


def ratings_after(
    db: Database, filters: dict[str, Any], after: str, size: int, *, by: auth.Principal | None,
    origin: str | None = None,
) -> list[RatingView]:  # fmt: skip
    """The page of ``ratings_page``'s list that follows the rating the cursor ``after``
    names (``rating_lists.rating_cursor`` of the last item of the previous page), without the
    total: each page costs the same however deep in the list."""

    def read(session: Session, p: auth.Principal, seen: ColumnElement[bool]) -> tuple[list[RatingView], int]:
        rows = rating_lists.ratings_after(session, filters, seen, after, size)
        return access.ratings_for(session, p, [queries.rating_dict(r, e) for r, e in rows]), 0

    return listed(db, by, "list.ratings", read, origin)[0]
