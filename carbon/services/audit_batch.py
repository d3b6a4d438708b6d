"""Audit entries of reads, written by group commit.

Every read of enterprise data by a bank, an official or an administrator adds audit
entries (``access.record_reads``), and the audit log is a hash chain: appending takes the
chain's lock, reads the newest hash and commits. Done by each request in a transaction of
its own, concurrent readers queue for that lock (SQLite has one writer at a time, and
its busy handler sleeps in steps of up to 100 ms) and each pays for a commit.

Here the requests of one process hand their entries to one writer thread per database,
which appends everything waiting in one transaction: one lock, one read of the newest
hash, one multi-row insert, one commit for the lot. A request returns only after the
transaction holding its entries committed, and gets its error if it failed, so a read is
never answered without its audit entry. Entries keep the order of their requests; each
request's own entries stay together.

The thread starts on the first entry and stops after a few idle seconds (a process that
forks gets its own on its first entry)."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from carbon.services import audit
from carbon.store import timeouts
from carbon.store.db import Database

BATCH = 500  # entries in one transaction at most
IDLE_S = 5.0


@dataclass
class _Pending:
    rows: list[dict[str, Any]]
    timeout: float | None  # the requester's statement timeout (``carbon.store.timeouts``)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class AuditWriter:
    """The group-commit writer of one database's audit entries."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Add ``rows`` to the chain; returns once they are committed."""
        if not rows:
            return
        pending = _Pending(rows, timeouts.current())
        self.queue.put(pending)
        self._ensure_thread()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _ensure_thread(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self.queue.get(timeout=IDLE_S)
            except queue.Empty:
                with self.lock:
                    if self.queue.empty():
                        self.thread = None
                        return
                continue
            batch, count = [first], len(first.rows)
            while count < BATCH:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(nxt)
                count += len(nxt.rows)
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:  # with the requests' timeout: a pooled connection keeps it, no SET between them
            with timeouts.statement_timeout(batch[0].timeout), self.db.unit_of_work() as session:
                audit.append(session, [row for p in batch for row in p.rows])
        except BaseException as err:  # each request raises it
            for p in batch:
                p.error = err
        for p in batch:
            p.done.set()


_writers_lock = threading.Lock()


def writer(db: Database) -> AuditWriter:
    """The writer of ``db`` (one per ``Database`` object)."""
    w = db.extensions.get("audit_writer")
    if w is None:
        with _writers_lock:
            w = db.extensions.setdefault("audit_writer", AuditWriter(db))
    assert isinstance(w, AuditWriter)
    return w
