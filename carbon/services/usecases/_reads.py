"""Reads of enterprise data as the asker may make them (docs/access.md): one enterprise's,
or a page of a list. Each read is audited after it, in a short transaction of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden
from carbon.services import access, audit_batch, auth
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

    The audit entry is written after the read, by group commit with the other requests'
    (``carbon.services.audit_batch``), so a read never holds SQLite's write lock; the answer
    waits for its entry's commit. A refusal to a bank or an official is recorded too."""
    try:
        with db.read() as session:
            access.enterprise_for(session, by, uscc, need)
            out = read(session)
    except Forbidden:
        if by is not None:
            audited(db, access.read_entries(by, [uscc.strip().upper()], "denied", origin, {"what": what}))
        raise
    assert by is not None
    audited(db, access.read_entries(by, [uscc.strip().upper()], what, origin))
    return out


def audited(db: Database, entries: list[dict[str, Any]]) -> None:
    """Append the entries of a read to the audit log; returns once they are committed."""
    if entries:
        audit_batch.writer(db).append(entries)


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
    audited(db, access.read_entries(by, [i["uscc"] for i in items], what, origin))
    return items, total
