"""Login sessions kept server-side (issue 12, item 2).

A password login starts a row in ``login_sessions``; the session cookie carries only a
random id (its sha256 is the row's key), so a copy of the cookie is worth nothing once the
row has ended. A session ends at logout, when the user's password is changed or the user
is disabled, after ``idle`` without a request, and ``absolute`` after the login, whichever
comes first. A table rather than a per-user generation number: logout ends this session
only (not the user's other devices), the idle time is tracked where a saved cookie cannot
roll it back, and every process sees the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from carbon.store.models import LoginSession, as_utc, utcnow

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
# last_seen_at is written at most this often (a write per request would serialise SQLite)
# and never less often than a tenth of the idle lifetime.
TOUCH_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: dt.timedelta = IDLE
    absolute: dt.timedelta = ABSOLUTE


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start(session: Session, user_id: int) -> str:
    """A new session of ``user_id``; the id for the cookie (only its sha256 is stored)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(LoginSession(id=_digest(sid), user_id=user_id, created_at=now, last_seen_at=now))
    session.flush()
    return sid


def _alive(row: LoginSession, now: dt.datetime, life: Lifetimes) -> bool:
    return (
        row.ended_at is None
        and now - as_utc(row.created_at) < life.absolute
        and now - as_utc(row.last_seen_at) < life.idle
    )


def resume(session: Session, sid: str, life: Lifetimes) -> int | None:
    """The user of a live session (and it is marked as used); None when the session is
    unknown, ended or expired."""
    row = session.get(LoginSession, _digest(sid))
    now = utcnow()
    if row is None or not _alive(row, now, life):
        return None
    if now - as_utc(row.last_seen_at) >= min(TOUCH_RESOLUTION, life.idle / 10):
        row.last_seen_at = now
    return row.user_id


def end(session: Session, sid: str, why: str = "logout") -> None:
    """End one session (nothing happens for an unknown or ended one)."""
    _end(session, LoginSession.id == _digest(sid), why)


def end_all_of(session: Session, user_id: int, why: str) -> None:
    """End every session of a user (password changed, user disabled)."""
    _end(session, LoginSession.user_id == user_id, why)


def _end(session: Session, which: ColumnElement[bool], why: str) -> None:
    session.execute(
        update(LoginSession)
        .where(which, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_why=why)
    )


# -- use cases (one unit of work each) ---------------------------------------------------------
