"""Reads of enterprise data as the asker may make them (docs/access.md): one enterprise's,
or a page of a list. Each read is audited after it, in a short transaction of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden
from carbon.services import access, auth
from carbon.services.views import EnterpriseView, RatingView
from carbon.store.db import Database

T = TypeVar("T")
Item = TypeVar("Item", EnterpriseView, RatingView)


def enterprise_read(
    db: Database,
    by: auth.Principal | None,
    uscc: str,
    need: str,
    what: str,
    read: Callable[[Session], T],
    origin: str | None,
) -> T:
    """Read one enterprise's data if ``by`` may see ``need`` of it (``access.enterprise_for``),
    then record the read.

    The audit entry is written in a short transaction of its own after the read, so a read
    never holds SQLite's write lock; a refusal to a bank or an official is recorded too."""
    try:
        with db.read() as session:
            access.enterprise_for(session, by, uscc, need)
            out = read(session)
    except Forbidden:
        if by is not None and access.audited(by):
            with db.unit_of_work() as session:
                access.record_reads(session, by, [uscc.strip().upper()], "denied", origin, {"what": what})
        raise
    assert by is not None
    if access.audited(by):
        with db.unit_of_work() as session:
            access.record_reads(session, by, [uscc.strip().upper()], what, origin)
    return out


def listed(
    db: Database,
    by: auth.Principal | None,
    what: str,
    read: Callable[[Session, auth.Principal, ColumnElement[bool]], tuple[list[Item], int]],
    origin: str | None,
) -> tuple[list[Item], int]:
    """A page of a list restricted to what ``by`` may see (``access.visible``; ``read`` gets
    that condition on ``Enterprise``); each enterprise on it is a read."""
    with db.read() as session:
        seen = access.visible(session, by)
        assert by is not None
        items, total = read(session, by, seen)
    if access.audited(by) and items:
        with db.unit_of_work() as session:
            access.record_reads(session, by, [i["uscc"] for i in items], what, origin)
    return items, total
