"""The audit log's hash chain: a superuser can set the append-only triggers aside, the
chain still shows what was removed, edited or reordered (`carbon audit verify`)."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from api.cli import cli
from carbon.services import access, audit
from carbon.services.auth import Principal


def _entries(db, n: int = 5) -> None:
    with db.unit_of_work() as s:
        for i in range(n):
            audit.record(
                s, "tester", "test.entry", f"subject {i}", {"i": i, "名": "值", "x": 1.5}, "127.0.0.1"
            )


def _verify(db_url: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--db", db_url, "audit", "verify"])
    return res.exit_code, res.output


def _tamper(db, statements: list[str]) -> None:
    """Change the log behind the triggers' back, as a superuser (PostgreSQL) or by editing
    the file (SQLite: the triggers dropped first)."""
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for stmt in statements:
            conn.execute(text(stmt))


def test_intact_chain_verifies(db, db_url):
    _entries(db)
    bank = Principal(user_id=7, username="bank-user", role="bank", institution="某银行")
    with db.unit_of_work() as s:  # the bulk path: one entry per enterprise read
        access.record_reads(s, bank, ["91330802MA2D0000X1", "91330802MA2D0000X2"], "rating", "10.0.0.1")
    with db.read() as s:
        res = audit.verify(s)
    assert res["ok"] and res["entries"] == res["verified"] == 7 and len(res["last_hash"]) == 64
    code, out = _verify(db_url)
    assert code == 0 and "7 entries" in out and res["last_hash"] in out


@pytest.mark.parametrize(
    "statements, broken",
    [
        (["DELETE FROM audit_log WHERE id = 3"], 4),
        (["DELETE FROM audit_log WHERE id = 1"], 2),
        (["UPDATE audit_log SET subject = 'someone else' WHERE id = 3"], 3),
        (["UPDATE audit_log SET actor = 'x', hash = prev_hash WHERE id = 2"], 2),
        (  # entries 2 and 3 swap places
            [
                "UPDATE audit_log SET id = 1000 WHERE id = 2",
                "UPDATE audit_log SET id = 2 WHERE id = 3",
                "UPDATE audit_log SET id = 3 WHERE id = 1000",
            ],
            2,
        ),
    ],
    ids=["removed", "first-removed", "edited", "edited-hash", "reordered"],
)
def test_removed_edited_or_reordered_entry_is_found(db, db_url, statements, broken):
    _entries(db)
    _tamper(db, statements)
    with db.read() as s:
        res = audit.verify(s)
    assert not res["ok"] and res["broken_at"] == broken
    code, out = _verify(db_url)
    assert code == 1 and f"entry {broken}" in out


@pytest.mark.postgres
def test_disabled_trigger_on_postgresql_is_found(db, db_url):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    _entries(db)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER ALL"))
        conn.execute(text("UPDATE audit_log SET details = '{\"i\": 99}' WHERE id = 4"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER ALL"))
    code, out = _verify(db_url)
    assert code == 1 and "entry 4" in out and "edited" in out


def test_concurrent_appends_keep_one_chain(db):
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                with db.unit_of_work() as s:
                    audit.record(s, f"writer {k}", "test.concurrent", str(i), {"k": k, "i": i})
                    if i % 5 == 0:  # a second entry in the same transaction
                        audit.record(s, f"writer {k}", "test.concurrent", f"{i}b", {})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with db.read() as s:
        res = audit.verify(s)
    assert res["ok"] and res["entries"] == 4 * 18, res


def test_a_rolled_back_append_leaves_the_chain_intact(db):
    _entries(db, 2)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        audit.record(s, "tester", "test.rolled_back", "x", {})
        raise RuntimeError("the transaction fails")
    _entries(db, 2)
    with db.read() as s:
        assert audit.verify(s) | {"last_hash": None} == {
            "ok": True,
            "entries": 4,
            "verified": 4,
            "last_hash": None,
        }


def test_migration_chains_existing_entries(empty_db_url):
    """Entries written before 0012 are chained by it, in id order; the triggers are back."""
    from alembic import command

    from carbon.store.db import Database, _alembic_config

    db = Database(empty_db_url, check=False)
    try:
        cfg = _alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0011")
        with db.engine.begin() as conn:
            for i in range(5):
                conn.execute(
                    text(
                        "INSERT INTO audit_log (at, actor, origin, action, subject, details) "
                        "VALUES (:at, 'old', NULL, 'old.entry', :s, :d)"
                    ),
                    {
                        "at": f"2025-01-0{i + 1} 08:00:00.123456",
                        "s": f"s{i}",
                        "d": json.dumps({"n": i, "a": [1, 2.5]}),
                    },
                )
        Database(empty_db_url, migrate=True).dispose()
        with db.read() as s:
            res = audit.verify(s)
        assert res["ok"] and res["entries"] == 5
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET subject = 'x' WHERE id = 1"))
        with db.unit_of_work() as s:  # new entries follow the back-filled ones
            audit.record(s, "new", "test.entry", "after", {})
        with db.read() as s:
            assert audit.verify(s)["entries"] == 6 and audit.verify(s)["ok"]
    finally:
        db.dispose()
