"""The audit log: an append-only record of reference-data changes and recalculations.

Entries are only ever added (the database refuses UPDATE and DELETE on the table); each
says who, when, what and from where.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidValue
from carbon.store.models import AuditEntry, as_utc, utcnow


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    origin: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(), actor=actor[:100], origin=(origin or "")[:100] or None, action=action,
        subject=subject[:200], details=details,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


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
    """CSV with a header, UTF-8 with a byte-order mark; details as JSON."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow(
            [
                *(r[k] if r[k] is not None else "" for k in CSV_COLUMNS[:-1]),
                json.dumps(r["details"], ensure_ascii=False),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def entries(
    session: Session, *, action: str | None = None, since: datetime | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    return list(islice(iter_entries(session, action=action, since=since), limit))
