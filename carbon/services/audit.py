"""The audit log: an append-only record of reference-data changes and recalculations.

Entries are only ever added (the database refuses UPDATE and DELETE on the table); each
says who, when, what and from where.
"""

from __future__ import annotations

from datetime import datetime
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


def entries(
    session: Session, *, action: str | None = None, since: datetime | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    if action and "\x00" in action:
        raise InvalidValue("action must not contain NUL characters / action不能包含NUL字符")
    q = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if since is not None:
        q = q.where(AuditEntry.at >= since)
    return [entry_dict(e) for e in session.scalars(q.limit(limit))]
