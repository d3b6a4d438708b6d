"""Enterprises: one, a page of them, and an enterprise's account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from carbon.services import access, auth, queries
from carbon.services.usecases._reads import enterprise_read, listed
from carbon.services.views import AccountView, EnterpriseView
from carbon.store.db import Database


def enterprise(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> EnterpriseView:
    """One enterprise, for whoever may see at least its rating."""
    return enterprise_read(
        db, by, uscc, access.RATING, "enterprise",
        lambda s: queries.enterprise_dict(queries.enterprise(s, uscc)), origin,
    )  # fmt: skip


def account(
    db: Database,
    uscc: str,
    year: int,
    month: str | None = None,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> AccountView:
    """The account of a year, or of one month; it needs the account (a bank: that consent)."""
    return enterprise_read(
        db, by, uscc, access.ACCOUNT, "account", lambda s: queries.account_view(s, uscc, year, month), origin
    )


def enterprises_page(
    db: Database, filters: dict[str, Any], number: int, size: int, *, by: auth.Principal | None,
    origin: str | None = None,
) -> tuple[list[EnterpriseView], int]:  # fmt: skip
    """A page of the enterprises ``by`` may see (``access.visible``)."""

    def read(
        session: Session, p: auth.Principal, seen: ColumnElement[bool]
    ) -> tuple[list[EnterpriseView], int]:
        stmt = queries.list_enterprises(session, **filters).where(seen)
        rows, total = queries.page(session, stmt, number, size)
        return [queries.enterprise_dict(e) for (e,) in rows], total

    return listed(db, by, "list.enterprises", read, origin)


def monthly_accounts(
    db: Database, uscc: str, year: int, *, by: auth.Principal | None, origin: str | None = None
) -> list[AccountView]:
    """The account of each month of ``year`` that has data, oldest first: one read of the
    account (a bank: that consent), audited once."""

    def read(session: Session) -> list[AccountView]:
        months = queries.months_with_data(session, uscc, year)
        return [queries.account_view(session, uscc, year, f"{year:04d}-{m:02d}") for m in months]

    return enterprise_read(db, by, uscc, access.ACCOUNT, "account.months", read, origin)
