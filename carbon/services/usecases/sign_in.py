"""Who is asking: a login, a bearer token, a login session."""

from __future__ import annotations

from carbon.domain.errors import TooManyRequests
from carbon.services import auth, sessions
from carbon.store.db import Database


def login(db: Database, username: str, password: str, *, origin: str | None) -> auth.Principal:
    """A login with a password (throttled per username and origin: docs/access.md)."""
    error = None
    try:
        with db.unit_of_work() as session:  # holds the username's login lock to the end
            principal = auth.login(session, username, password, origin=origin)
            if principal is None:
                error = auth.login_failed(session, username, origin)
    except TooManyRequests as throttled:  # rolled back: record the refusal on its own
        with db.unit_of_work() as session:
            auth.login_throttled(session, username, origin, throttled)
        raise
    if principal is None:
        assert error is not None  # recorded with the failure
        raise error
    return principal


def principal_from_token(db: Database, token: str) -> auth.Principal:
    """The user of a bearer token (its last use is recorded)."""
    with db.read() as session:
        p, touch = auth.authenticate_token(session, token)
    if touch is not None:  # at most once a minute per token
        with db.unit_of_work() as session:
            auth.touch_token(session, touch)
    return p


def principal_from_session(db: Database, sid: str, life: sessions.Lifetimes) -> auth.Principal | None:
    """The user of a live server-side session (docs/access.md), or None."""
    with db.unit_of_work() as session:
        user_id = sessions.resume(session, sid, life)
        return None if user_id is None else auth.principal_of_user(session, user_id)


def open_session(db: Database, user_id: int) -> str:
    """A new server-side login session for ``user_id``: its id (the cookie carries it)."""
    with db.unit_of_work() as session:
        return sessions.start(session, user_id)


def close_session(db: Database, sid: str) -> None:
    """End one login session (logout; a replaced cookie)."""
    with db.unit_of_work() as session:
        sessions.end(session, sid)
