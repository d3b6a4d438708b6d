"""Rejected files are kept for a while, not for ever.

A rejected import keeps its file so that its author can download it back with the errors
marked (``errors.xlsx``). Those bytes are purged once they are older than
``CARBON_REJECTED_KEEP_DAYS`` (default 7) or, newest first, beyond
``CARBON_REJECTED_KEEP_MB`` in all (default 200; ``carbon.settings.ImportSettings``); the
record stays with its sha256, size, filename, errors and counts, and ``content_purged_at``
says when the bytes went. The purge
runs after each rejection (one indexed query over the rejected files still held) and on
``carbon imports purge``. Imported files are never purged: their rows point at them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbon.settings import ImportSettings
from carbon.store.models import ImportRow, utcnow


@dataclass(frozen=True)
class Retention:
    days: float = 7.0
    max_bytes: int = 200 * 1_000_000


def retention(settings: ImportSettings) -> Retention:
    """CARBON_REJECTED_KEEP_DAYS (default 7) and CARBON_REJECTED_KEEP_MB (default 200)."""
    return Retention(days=settings.rejected_keep_days, max_bytes=settings.rejected_keep_bytes)


@dataclass
class Purged:
    files: int = 0
    bytes: int = 0
    ids: list[int] | None = None

    def as_dict(self) -> dict[str, object]:
        return {"files": self.files, "bytes": self.bytes, "ids": self.ids or []}


def _held(session: Session) -> list[tuple[int, int, dt.datetime]]:
    """(id, size, created_at) of the rejected imports whose bytes are still held, newest first."""
    stmt = (
        select(ImportRow.id, ImportRow.size, ImportRow.created_at)
        .where(ImportRow.status == "rejected", ImportRow.content_purged_at.is_(None))
        .order_by(ImportRow.id.desc())
    )
    return [(i, s, c) for i, s, c in session.execute(stmt)]


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC


def purge_rejected(session: Session, keep: Retention, now: dt.datetime | None = None) -> Purged:
    """Drop the bytes of rejected files older than ``keep.days`` or beyond ``keep.max_bytes``
    (the newest kept first), inside the caller's transaction."""
    now = now or utcnow()
    oldest = now - dt.timedelta(days=keep.days)
    total, ids, freed = 0, [], 0
    for import_id, size, created in _held(session):
        total += size or 0
        if total > keep.max_bytes or (created is not None and _aware(created) < oldest):
            ids.append(import_id)
            freed += size or 0
    for start in range(0, len(ids), 1000):
        session.execute(
            update(ImportRow)
            .where(ImportRow.id.in_(ids[start : start + 1000]))
            .values(content=None, content_purged_at=now)
        )
    return Purged(len(ids), freed, ids)
