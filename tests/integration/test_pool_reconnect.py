"""A pooled PostgreSQL connection the server dropped while it sat idle is replaced on
its next use (carbon.store.db: ping when idle), not handed to a request to fail."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from carbon.store import db as dbmod


@pytest.mark.postgres
def test_a_connection_dropped_while_idle_is_replaced(db, monkeypatch):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to drop a connection")
    with db.read() as s:
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    u = db.engine.url
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))  # the server drops it
    monkeypatch.setattr(dbmod, "IDLE_PING_S", 0.0)  # it has sat idle long enough
    with db.read() as s:
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
