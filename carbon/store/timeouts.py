"""Statement time limits (PostgreSQL): a slow query ends with an error, not a hung thread.

Each pooled connection carries the ``statement_timeout`` of whoever checks it out: an API
request sets ``CARBON_STATEMENT_TIMEOUT`` (seconds, default 30, see ``api.limits``) for the
statements it runs; everything else (the CLI, migrations, background jobs on their own
threads) gets ``CARBON_BACKGROUND_STATEMENT_TIMEOUT`` (default 0: the server's own
setting, normally none), handed to ``install`` with the engine (``carbon.settings``).
The value is set with ``SET`` when a connection is checked out and differs from what it
already has, so it costs one round trip only on a change.
A statement cancelled by the timeout is PostgreSQL's SQLSTATE 57014 (``is_timeout``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import Engine, event

QUERY_CANCELED = "57014"
_KEY = "carbon_statement_timeout_ms"
_current: ContextVar[float | None] = ContextVar("carbon_statement_timeout", default=None)


def use(seconds: float | None) -> Token[float | None]:
    """Statements checked out from here on (this thread or task) get ``seconds``."""
    return _current.set(seconds)


def current() -> float | None:
    """The timeout statements checked out here get (None: the background one)."""
    return _current.get()


def reset(token: Token[float | None]) -> None:
    _current.reset(token)


@contextmanager
def statement_timeout(seconds: float | None) -> Iterator[None]:
    token = use(seconds)
    try:
        yield
    finally:
        reset(token)


def _wanted_ms(background: float) -> int | None:
    seconds = _current.get()
    if seconds is None:
        seconds = background
    return int(seconds * 1000) if seconds and seconds > 0 else None


def _on_checkout(background: float, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    wanted = _wanted_ms(background)
    if record.info.get(_KEY) == wanted:
        return
    cur = dbapi_conn.cursor()
    try:
        cur.execute("RESET statement_timeout" if wanted is None else f"SET statement_timeout = {wanted:d}")
    finally:
        cur.close()
    dbapi_conn.commit()  # a session setting made in a transaction rolled back would be undone
    record.info[_KEY] = wanted


def install(engine: Engine, background: float = 0.0) -> None:
    """Give ``engine``'s connections the caller's statement timeout (PostgreSQL only), and
    ``background`` seconds outside a request (0: none)."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", functools.partial(_on_checkout, background))


def is_timeout(exc: BaseException) -> bool:
    """A statement cancelled by ``statement_timeout`` (or by an operator's cancel)."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code == QUERY_CANCELED
