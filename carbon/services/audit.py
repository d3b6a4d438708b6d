"""The audit log: an append-only record of reference-data changes and recalculations.

Entries are only ever added (the database refuses UPDATE and DELETE on the table); each
says who, when, what and from where. They form a hash chain (``carbon.domain.audit_chain``):
each stores the previous entry's hash and its own, so an entry removed, edited or
reordered behind the triggers' back (a superuser can disable them) is found by ``verify``.
Appending is serialised: on PostgreSQL a transaction-scoped advisory lock is taken before
the last hash is read, on SQLite the write lock (taken first by a no-op write).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from carbon.domain.audit_chain import GENESIS, Break, ChainFields, Link, check_link, entry_hash
from carbon.domain.errors import InvalidValue
from carbon.domain.exports import csv_text
from carbon.store.db import json_dumps
from carbon.store.models import AuditEntry, as_utc, utcnow

# pg_advisory_xact_lock(CHAIN_LOCK, hashtext(current_schema())): one lock per schema
CHAIN_LOCK = 0x0A0D17


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    origin: str | None = None,
) -> AuditEntry:
    row = {
        "at": utcnow(), "actor": actor[:100], "origin": (origin or "")[:100] or None, "action": action,
        "subject": subject[:200], "details": details,
    }  # fmt: skip
    prev = _lock_and_last_hash(session)
    entry = AuditEntry(**_chained(prev, row))
    session.add(entry)
    session.flush()
    return entry


def append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add several entries at once (``at``, ``actor``, ``origin``, ``action``, ``subject``,
    ``details`` each), chained in the order given."""
    if not rows:
        return
    prev = _lock_and_last_hash(session)
    chained = []
    for row in rows:
        chained.append(_chained(prev, row))
        prev = chained[-1]["hash"]
    session.execute(insert(AuditEntry), chained)


def _lock_and_last_hash(session: Session) -> str:
    """Take the append lock (held to the end of the transaction), then the newest hash."""
    session.flush()  # an entry added but not flushed would be passed over
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": CHAIN_LOCK}
        )
    else:  # SQLite: a write that changes nothing takes the database's write lock now
        session.execute(text("UPDATE audit_log SET id = id WHERE 0"))
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS


def _chained(prev: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with ``details`` as the database will give it back, and its two hashes."""
    details = json.loads(json_dumps(row["details"]))
    fields = ChainFields(row["at"], row["actor"], row["origin"], row["action"], row["subject"], details)
    return {**row, "details": details, "prev_hash": prev, "hash": entry_hash(prev, fields)}


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": as_utc(e.at).isoformat(),
        "actor": e.actor,
        "origin": e.origin,
        "action": e.action,
        "subject": e.subject,
        "details": e.details,
    }


def iter_entries(
    session: Session, *, action: str | None = None, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every entry, oldest first, read in batches."""
    if action and "\x00" in action:
        raise InvalidValue("action must not contain NUL characters / action不能包含NUL字符")
    q = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if since is not None:  # stored in UTC
        q = q.where(AuditEntry.at >= (since.astimezone(UTC) if since.tzinfo else since))
    last = 0
    while True:  # in batches by id: no server-side cursor is left open
        batch = list(session.scalars(q.where(AuditEntry.id > last).limit(2000)))
        yield from (entry_dict(e) for e in batch)
        if len(batch) < 2000:
            return
        last = batch[-1].id


CSV_COLUMNS = ("id", "at", "actor", "origin", "action", "subject", "details")


def to_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """CSV with a header, UTF-8 with a byte-order mark; details as JSON. Every text cell is
    escaped like the open data (``csv_text``): usernames and file names are the attacker's,
    and a spreadsheet must not run ``=HYPERLINK(…)`` from them."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        cells = [
            *(r[k] if r[k] is not None else "" for k in CSV_COLUMNS[:-1]),
            json.dumps(r["details"], ensure_ascii=False),
        ]
        w.writerow([csv_text(c) if isinstance(c, str) else c for c in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def entries(
    session: Session, *, action: str | None = None, since: datetime | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    return list(islice(iter_entries(session, action=action, since=since), limit))


def _link(e: AuditEntry) -> Link:
    fields = ChainFields(e.at, e.actor, e.origin, e.action, e.subject, e.details)
    return Link(e.id, e.prev_hash, e.hash, fields)


def find_break(session: Session) -> tuple[int, str, Break | None]:
    """Walk the chain in id order: (entries checked, the last hash, the first broken link)."""
    prev, count, last_id = GENESIS, 0, 0
    while True:  # in batches by id, like iter_entries
        q = select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(2000)
        batch = list(session.scalars(q))
        for e in batch:
            broken = check_link(prev, _link(e))
            if broken is not None:
                return count, prev, broken
            prev, count = e.hash or "", count + 1
        if len(batch) < 2000:
            return count, prev, None
        last_id = batch[-1].id


def verify(session: Session) -> dict[str, Any]:
    """Whether the chain is intact; the entries checked, the newest hash (note it somewhere
    else: an intact chain cannot show that entries were cut off its end), the first break."""
    count, last, broken = find_break(session)
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    result: dict[str, Any] = {"ok": broken is None, "entries": total, "verified": count, "last_hash": last}
    if broken is not None:
        result["broken_at"] = broken.id
        result["reason"] = broken.reason
    return result
