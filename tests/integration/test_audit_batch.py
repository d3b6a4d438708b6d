"""Audited reads written by group commit (carbon.services.audit_batch): many readers at
once each get their entry, in one intact chain; a failed write fails every read in it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from carbon.services import audit, audit_batch, usecases
from carbon.services.auth import SYSTEM
from carbon.store.models import AuditEntry


@pytest.fixture
def bank(db, sample_files):
    f = sample_files[0]
    assert usecases.import_file(db, f.read_bytes(), f.name, by=SYSTEM).status == "imported"
    users = {u["role"]: u for u in usecases.demo_users(db)}
    token = usecases.create_token(db, SYSTEM, users["bank"]["username"], "t", ["read"], 30)["token"]
    year = usecases.summary(db, by=SYSTEM)["years"][-1]["year"]
    return usecases.principal_from_token(db, token), users["bank"]["consent"].split()[0], year


def _entries(db) -> int:
    with db.read() as s:
        return s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read.rating")
        )


def test_concurrent_reads_each_get_their_entry_in_one_intact_chain(db, bank):
    who, uscc, year = bank
    before = _entries(db)
    with ThreadPoolExecutor(16) as pool:
        grades = list(pool.map(lambda _: usecases.rating(db, uscc, year, by=who)["uscc"], range(64)))
    assert grades == [uscc] * 64
    assert _entries(db) == before + 64  # every read has its entry when it returns
    with db.read() as s:
        assert audit.verify(s)["ok"]


def test_a_failed_audit_write_fails_the_reads_it_held(db, bank, monkeypatch):
    who, uscc, year = bank
    before = _entries(db)

    def broken(session, rows):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(RuntimeError, match="audit log"):
        usecases.rating(db, uscc, year, by=who)
    monkeypatch.undo()
    assert _entries(db) == before  # nothing answered without its entry
    usecases.rating(db, uscc, year, by=who)  # the writer goes on after a failure
    assert _entries(db) == before + 1


def test_the_writer_thread_stops_when_idle_and_starts_again(db, bank, monkeypatch):
    who, uscc, year = bank
    monkeypatch.setattr(audit_batch, "IDLE_S", 0.05)
    usecases.rating(db, uscc, year, by=who)
    w = audit_batch.writer(db)
    if w.thread is not None:
        w.thread.join(timeout=5)
    assert w.thread is None or not w.thread.is_alive()
    usecases.rating(db, uscc, year, by=who)  # a new thread takes it
