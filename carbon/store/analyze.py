"""Planner statistics kept fresh after bulk writes (PostgreSQL).

autovacuum analyses a table once a fraction of it has changed, some time later; a bulk
import or recomputation can double a table at once, and a query planned in between with
the old statistics (a nested loop over "a few" rows that are now hundreds of thousands)
was measured at 93 s instead of well under one. So after writing more than
``CARBON_ANALYZE_ROWS`` rows (default 10,000; the database's settings, ``carbon.settings``)
the service runs ``ANALYZE`` on the tables it wrote. It is sampled (cheap), and a failure
is logged, never the caller's problem. SQLite plans without such statistics and needs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from carbon.store.db import Database, settings_of

log = logging.getLogger(__name__)

RESULT_TABLES = ("accounts", "ratings")


def _statements(tables: Iterable[str]) -> list[str]:
    # table names come from this code, never from input; quoted all the same
    return [f'ANALYZE "{t}"' for t in tables]


def analyze_after_bulk(db: Database, tables: Iterable[str], rows_written: int) -> bool:
    """``ANALYZE`` ``tables`` on a connection of its own (after the writes committed) if
    more than ``analyze_rows`` rows were written on PostgreSQL; whether it ran."""
    if db.dialect != "postgresql" or rows_written <= db.settings.database.analyze_rows:
        return False
    try:
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for stmt in _statements(tables):
                conn.execute(text(stmt))
    except DBAPIError as exc:
        log.warning("ANALYZE after a bulk write failed: %s", exc.orig or exc)
        return False
    return True


def analyze_in_session(session: Session, tables: Iterable[str], rows_written: int) -> bool:
    """The same inside the caller's transaction (PostgreSQL allows ``ANALYZE`` there; it
    sees the transaction's own rows), in a savepoint so a failure leaves the work intact."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or rows_written <= settings_of(session).database.analyze_rows:
        return False
    try:
        with session.begin_nested():
            for stmt in _statements(tables):
                session.execute(text(stmt))
    except DBAPIError as exc:
        log.warning("ANALYZE after a bulk write failed: %s", exc.orig or exc)
        return False
    return True
