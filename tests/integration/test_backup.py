"""`carbon db backup` / `carbon db restore`: a backup restored into a fresh database has the
same accounts, ratings, archived workbooks (their bytes) and audit chain."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from api.cli import cli
from tests.conftest import PG_URL

SAMPLE = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))[0]


def carbon(url: str, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--db", url, *args])
    return res.exit_code, res.output


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: an SQLite file, or a new PostgreSQL database
    whose search_path names a schema the restore creates (renamed from the dump's)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"carbon_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.split("?", 1)[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}?options=-csearch_path%3Drestored"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _snapshot(url: str) -> dict[str, object]:
    from carbon.services import audit
    from carbon.store.db import Database
    from carbon.store.models import AccountRow, ImportRow, RatingRow

    def rows(session, model) -> list[tuple[object, ...]]:
        cols = list(model.__table__.columns)
        return [tuple(r) for r in session.execute(select(*cols).order_by(model.id))]

    db = Database(url)
    try:
        with db.read() as s:
            files = {r.filename: hashlib.sha256(r.content).hexdigest() for r in s.scalars(select(ImportRow))}
            return {
                "accounts": rows(s, AccountRow),
                "ratings": rows(s, RatingRow),
                "files": files,
                "audit": audit.verify(s),
            }
    finally:
        db.dispose()


def test_backup_and_restore_into_a_fresh_database(db, db_url, fresh_url, tmp_path):
    from carbon.services import audit, usecases
    from carbon.services.auth import SYSTEM

    result = usecases.import_file(db, SAMPLE.read_bytes(), SAMPLE.name, by=SYSTEM)
    assert result.status == "imported"
    with db.unit_of_work() as s:
        audit.record(s, "tester", "test.before_backup", "x", {"n": 1})
    before = _snapshot(db_url)
    assert before["accounts"] and before["ratings"] and before["audit"]["ok"]
    assert before["files"] == {SAMPLE.name: hashlib.sha256(SAMPLE.read_bytes()).hexdigest()}

    file = tmp_path / "carbon.backup"
    code, out = carbon(db_url, "db", "backup", str(file))
    assert code == 0 and "1 imported files" in out, out
    assert not file.with_name(file.name + ".part").exists()

    code, out = carbon(fresh_url, "db", "restore", str(file))
    assert code == 0 and "audit chain intact" in out, out
    after = _snapshot(fresh_url)
    assert after == before

    # the restored database is in use now: not overwritten unless asked
    code, out = carbon(fresh_url, "db", "restore", str(file))
    assert code == 1 and "--force" in out
    code, out = carbon(fresh_url, "db", "restore", str(file), "--force")
    assert code == 0 and "audit chain intact" in out, out
    assert _snapshot(fresh_url) == before


def test_restore_refuses_a_file_that_is_no_backup(db_url, fresh_url, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    code, out = carbon(fresh_url, "db", "restore", str(junk))
    assert code == 1 and "not a" in out


def test_restore_exits_1_when_the_restored_chain_is_broken(db, db_url, fresh_url, tmp_path):
    from carbon.services import audit

    with db.unit_of_work() as s:
        for i in range(3):
            audit.record(s, "tester", "test.entry", str(i), {})
    with db.engine.begin() as conn:  # a tampered database, backed up
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    file = tmp_path / "tampered.backup"
    assert carbon(db_url, "db", "backup", str(file))[0] == 0
    code, out = carbon(fresh_url, "db", "restore", str(file))
    assert code == 1 and "broken at entry 3" in out
